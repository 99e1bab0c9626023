// Every layer kind runs on the cycle engine through the serving estimate: dense GQA, MoE (with expert parallelism
// and all-to-all), MLA, Mamba-1/2, hybrids, sliding windows, low-bit recurrent layers and a VLM, on one GPU and on
// an 8-GPU system. Results are finite and no faster than the pure roofline of the same request.
import { describe, expect, it } from 'vitest';
import { IDEAL_EFFICIENCY, estimate } from '../../../index.ts';

const CASES: [model: string, hardware: string, tp: number][] = [
  ['llama-3.1-8b', 'h100-sxm', 1], ['mistral-7b', 'a100-80gb-sxm', 1], ['qwen3-30b-a3b', '8x-h100-hgx', 4],
  ['deepseek-v2-lite', 'h200', 1], ['mamba2-780m', 'rtx-4090', 1], ['jamba-v0.1', '8x-h100-hgx', 8],
  ['hymba-1.5b', 'l4', 1], ['matmul-free-370m', 'a40', 1], ['smolvlm-256m', 'l4', 1], ['mixtral-8x7b', 'mi300x', 1],
];

describe('the cycle engine prices every layer kind', () => {
  it.each(CASES)('%s on %s (tp %i)', (model, hardware, tp) => {
    const request = { model, hardware, tp, ep: model === 'qwen3-30b-a3b' ? 2 : 1, inputTokens: 256, outputTokens: 8 };
    const cycle = estimate({ ...request, engine: 'cycle' });
    const floor = estimate({ ...request, calibration: 'none', efficiency: { ...IDEAL_EFFICIENCY } });
    expect(cycle.inputs.backend).toBe('cycle');
    for (const x of [cycle.ttftS, cycle.tpotS, cycle.energyJPerToken]) expect(Number.isFinite(x) && x > 0).toBe(true);
    expect(cycle.ttftS).toBeGreaterThanOrEqual(floor.ttftS * 0.999);
    expect(cycle.tpotS).toBeGreaterThanOrEqual(floor.tpotS * 0.999);
  }, 60_000);
});
