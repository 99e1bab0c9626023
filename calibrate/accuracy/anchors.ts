// The configurations GenZ and LLM-Viewer were run with (../references/genz_llmviewer.md section 3,
// outputs in data/genz_outputs_llama2.csv and data/llmviewer_outputs_llama2.csv), replayed through genz
// with efficiency 1 (their setting) and with genz's fitted defaults.
import { estimate, IDEAL_EFFICIENCY, type EstimateReport } from '../../index.ts';
import { parseCsv, num } from './csv.ts';

export interface AnchorCase {
  tool: 'GenZ' | 'LLM-Viewer';
  model: string;
  hardware: string;
  tp: number;
  batch: number;
  flash: boolean;
  phase: 'prefill' | 'decode';
  theirsS: number;
}

const GENZ_MODEL: Record<string, string> = { llama2_7b: 'llama-2-7b', llama2_70b: 'llama-2-70b' };
const GENZ_HW: Record<string, string> = { A100_80GB_GPU: 'a100-80gb-sxm', H100_GPU: 'h100-sxm' };
const VIEWER_MODEL: Record<string, string> = { 'Llama-2-7b-hf': 'llama-2-7b', 'Llama-2-70b-hf': 'llama-2-70b' };
const VIEWER_HW: Record<string, string> = { nvidia_A100_80G: 'a100-80gb-sxm', nvidia_H100: 'h100-sxm' };

export function anchorCases(genzCsv: string, viewerCsv: string): AnchorCase[] {
  const cases: AnchorCase[] = [];
  for (const row of parseCsv(genzCsv)) {
    if (num(row, 'eff') !== 1) continue;
    const base = { tool: 'GenZ' as const, model: GENZ_MODEL[row.model!]!, hardware: GENZ_HW[row.system!]!, tp: num(row, 'tp'), batch: num(row, 'batch'), flash: true };
    cases.push({ ...base, phase: 'prefill', theirsS: num(row, 'prefill_ms') / 1e3 });
    cases.push({ ...base, phase: 'decode', theirsS: num(row, 'decode_ms') / 1e3 });
  }
  for (const row of parseCsv(viewerCsv)) {
    if (row.flash !== 'True' && row.flash !== 'False') continue;
    const base = { tool: 'LLM-Viewer' as const, model: VIEWER_MODEL[row.model!]!, hardware: VIEWER_HW[row.hw!]!, tp: 1, batch: num(row, 'batch'), flash: row.flash === 'True' };
    cases.push({ ...base, phase: 'prefill', theirsS: num(row, 'prefill_ms') / 1e3 });
    cases.push({ ...base, phase: 'decode', theirsS: num(row, 'decode_ms') / 1e3 });
  }
  return cases;
}

/** genz on an anchor case: prefill of 1024 tokens, or one decode step at KV 1024 (input 1023, output 2). */
export function genzOnAnchor(c: AnchorCase, ideal: boolean): EstimateReport {
  const hardware = c.tp > 1 ? (c.hardware === 'h100-sxm' ? '8x-h100-hgx' : '8x-a100-hgx') : c.hardware;
  return estimate({
    model: c.model, hardware, devices: c.tp, tp: c.tp, batch: c.batch, dtype: 'bf16', flash: c.flash,
    inputTokens: c.phase === 'prefill' ? 1024 : 1023, outputTokens: 2,
    ...(ideal ? { efficiency: IDEAL_EFFICIENCY } : {}),
  });
}

export function phaseLatencyS(report: EstimateReport, phase: 'prefill' | 'decode'): number {
  return phase === 'prefill' ? report.ttftS : report.decode.latencyS;
}

/** Why genz differs from the anchor in this case (see README "genz vs GenZ and LLM-Viewer"). */
export function anchorDifference(c: AnchorCase): string {
  if (c.tool === 'GenZ') {
    return c.phase === 'prefill'
      ? 'GenZ: no causal halving, embedding as a GEMM, LM head over all 1024 tokens (more FLOPs); no norms, RoPE, activations or residual adds (less time)'
      : `GenZ: GB/s read as GiB/s (+7.4% bandwidth)${c.tp > 1 ? '; ring all-reduce at 5 µs + 1 µs per hop, no NVLink SHARP' : ''}${c.hardware === 'h100-sxm' ? '; 3400 vs 3350 GB/s preset' : ''}`;
  }
  if (c.phase === 'prefill') return 'LLM-Viewer: no causal halving; norms/softmax as separate passes';
  const parts = [];
  if (c.hardware === 'h100-sxm') parts.push('3.072 TB/s preset (datasheet 3.35)');
  if (c.flash && c.model === 'llama-2-70b') parts.push('flash path loads KV for 64 heads instead of 8 (GQA bug)');
  return parts.length > 0 ? `LLM-Viewer: ${parts.join('; ')}` : 'agrees (same bytes, same decimal bandwidth)';
}
