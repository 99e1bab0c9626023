// `npm run bench`: how fast genz answers. Prints a table; nothing here is asserted.
// GenZ needs about 66 ms per prefill + decode configuration on this kind of machine (issue 2).
import { performance } from 'node:perf_hooks';
import { estimate, estimateOp, estimateResolved, resolveInputs, type EstimateRequest } from '../index.ts';
import { cycleRows } from './cycle.ts';

const GENZ_S_PER_CONFIG = 66e-3;

interface Row { name: string; calls: number; totalS: number }

function time(name: string, calls: number, body: (i: number) => unknown): Row {
  let sink = 0;
  for (let i = 0; i < Math.min(200, calls); i++) sink += Number(body(i) !== null);
  const start = performance.now();
  for (let i = 0; i < calls; i++) sink += Number(body(i) !== null);
  const totalS = (performance.now() - start) / 1e3;
  if (sink < 0) console.log(sink);
  return { name, calls, totalS };
}

const batches = [1, 2, 4, 8, 16, 32, 64];
const lengths = [128, 512, 1024, 2048, 4096, 8192];
const outputs = [64, 256, 1024];
const request = (i: number): EstimateRequest => ({
  model: 'llama-2-7b', hardware: 'h100-sxm', batch: batches[i % batches.length]!,
  inputTokens: lengths[Math.floor(i / batches.length) % lengths.length]!, outputTokens: outputs[i % outputs.length]!,
});
const resolved = Array.from({ length: batches.length * lengths.length * outputs.length }, (_, i) => resolveInputs(request(i)));

const rows: Row[] = [
  time('estimate(): Llama-2-7B on H100, validated request, sweep of batch × input × output', 20_000, (i) => estimate(request(i)).e2eS),
  time('estimateResolved(): same sweep, inputs resolved once (the sweep / NAS hot path)', 20_000, (i) => estimateResolved(resolved[i % resolved.length]!).e2eS),
  time('estimate(): Llama-3.1-70B on 8x-h100-hgx, TP 8, batch 32', 5_000, (i) => estimate({ model: 'llama-3.1-70b', hardware: '8x-h100-hgx', tp: 8, batch: 32, inputTokens: 1024 + i % 7 }).e2eS),
  time('estimate(): Mixtral-8x7B on 8x-h100-hgx, TP 4 EP 4 PP 2', 5_000, (i) => estimate({ model: 'mixtral-8x7b', hardware: '8x-h100-hgx', tp: 4, ep: 4, pp: 2, batch: 16 + (i % 5) }).e2eS),
  time('estimate(): Mamba-2.8B on H100, same sweep', 20_000, (i) => estimate({ ...request(i), model: 'mamba-2.8b' }).e2eS),
  time('estimate(): DeepSeek-V3 on 8x-h200-hgx, TP 8, fp8, same sweep', 20_000, (i) => estimate({ ...request(i), model: 'deepseek-v3', hardware: '8x-h200-hgx', tp: 8, dtype: 'fp8' }).e2eS),
  time('estimate(): Jamba-v0.1 on 8x-h100-hgx, TP 8, same sweep', 10_000, (i) => estimate({ ...request(i), model: 'jamba-v0.1', hardware: '8x-h100-hgx', tp: 8 }).e2eS),
  time('estimateOp(): fp16 GEMM on H100', 100_000, (i) => estimateOp({ kind: 'gemm', m: 1 + (i % 4096), n: 4096, k: 4096, hardware: 'h100-sxm' }).latencyS),
];

const header = ['case', 'calls', 'total s', 'µs / call', 'calls / s', 'vs GenZ 66 ms'];
const lines = rows.map((r) => {
  const perCallS = r.totalS / r.calls;
  return [r.name, String(r.calls), r.totalS.toFixed(3), (perCallS * 1e6).toFixed(2), Math.round(1 / perCallS).toLocaleString('en-US'),
    r.name.startsWith('estimateOp') ? '-' : `${Math.round(GENZ_S_PER_CONFIG / perCallS).toLocaleString('en-US')}×`];
});
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
const fmt = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(`genz bench · node ${process.version} · ${new Date().toISOString().slice(0, 10)}\n`);
console.log(fmt(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const line of lines) console.log(fmt(line));

// The cycle-level engine (simulator/cycle/): one cold simulation per call.
const cycle = cycleRows();
const cycleHeader = ['cycle engine case', 'calls', 'wall s / call', 'events / call', 'events / s', 'simulated'];
const cycleLines = cycle.map((r) => [r.name, String(r.calls), r.wallS.toFixed(3), Math.round(r.events).toLocaleString('en-US'),
  Math.round(r.events / r.wallS).toLocaleString('en-US'), `${(r.simulatedS * 1e3).toFixed(3)} ms`]);
const cycleWidths = cycleHeader.map((h, i) => Math.max(h.length, ...cycleLines.map((l) => l[i]!.length)));
const cycleFmt = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(cycleWidths[i]!) : c.padStart(cycleWidths[i]!))).join('  ');
console.log(`\n${cycleFmt(cycleHeader)}`);
console.log(cycleWidths.map((w) => '-'.repeat(w)).join('  '));
for (const line of cycleLines) console.log(cycleFmt(line));
