// A lent GPU's kernels-ref sweep as markdown (docs/gpu-runs.md): the device as the rows record it, the best rate of
// every kernel and dtype (the measured ceilings), and, where the PyTorch cross-check ran beside it
// (kernels-ref/torch-check.py), kernels-ref's cuBLAS TN times against torch.nn.functional.linear on the same shapes.
// With the PyTorch production kernels timed on the same kind of GPU (kernels-ref/torch-ops.py), their ceilings and the
// profile's error on them too; and where kernels-ref/graph-check.sh ran, the same lines timed back to back and as graph
// replays. One section per device (several kernels-ref files of one device are one section). Run:
//   npx tsx calibrate/gpu-run-report.ts data/kernels-ref-h100-sxm.jsonl data/kernels-ref-h100-sxm-dense.jsonl data/graph-check-h100-sxm.jsonl \
//   data/torch-linear-h100-sxm.jsonl data/torch-ops-h100-sxm.jsonl data/kernels-ref-h200.jsonl data/kernels-ref-h200-dense.jsonl \
//   data/torch-ops-h200.jsonl > docs/gpu-runs.md
import { readFileSync } from 'node:fs';
import { parseMeasurements } from './measurements.ts';
import { measurementKey, shapeKey } from './op-family.ts';
import type { Measurement } from './measurement-schema.ts';
import { medianP90, quantile } from './accuracy/error-stats.ts';
import { crossValidatedRows, type CrossValidatedRow } from './fit.ts';
import { parseProfileText } from './profile-schema.ts';
import { misalignGrade, misalignedGemm } from '../simulator/calibration.ts';

interface TorchRow { m: number; n: number; k: number; dtype: string; medianS: number; torch: string; device: string }

function deviceSection(files: readonly { file: string; rows: readonly Measurement[] }[]): string[] {
  const d = files[0]!.rows[0]!.device;
  const span = (rows: readonly Measurement[]): string => {
    const times = rows.map((r) => r.measuredAt ?? '').filter((t) => t !== '').sort();
    return `${times[0] ?? '?'} to ${times[times.length - 1] ?? '?'}`;
  };
  return [
    `## ${d.name} (${d.id ?? 'no preset id'}): ${files.map((f) => f.file).join(', ')}`, '',
    ...files.map((f) => `${f.file}: ${f.rows.length} rows, measured ${span(f.rows)}.`), '',
    `${d.computeUnits} SMs, boost clock ${((d.clockHz ?? 0) / 1e6).toFixed(0)} MHz, ${((d.memoryBytes ?? 0) / 2 ** 30).toFixed(1)} GiB; driver ${d.driver ?? '?'}; ${d.runtime ?? '?'}.`, '',
  ];
}

/**
 * The same plan line timed twice (in the data here: two calls, each on a fresh machine of the kind), paired in argument
 * order (a third timing pairs with the first): max / min − 1 of each pair, by the pair's shorter time, so that one slow
 * hiccup of a short call counts as a short call's. How far one row may sit from a later timing of it whatever the
 * model does: a floor under the curves' error.
 */
function repeatTable(files: readonly { file: string; rows: readonly Measurement[] }[]): string[] {
  const first = new Map<string, { row: Measurement; file: string }>();
  const pairs: { shortS: number; moved: number; a: Measurement; b: Measurement }[] = [];
  const where = new Map<string, number>();
  for (const { file, rows } of files) {
    for (const r of rows) {
      const key = measurementKey(r, r.device.id ?? r.device.name);
      const earlier = first.get(key);
      if (earlier === undefined) { first.set(key, { row: r, file }); continue; }
      const [lo, hi] = [Math.min(earlier.row.medianS, r.medianS), Math.max(earlier.row.medianS, r.medianS)];
      pairs.push({ shortS: lo, moved: (hi / lo - 1) * 100, a: earlier.row, b: r });
      const between = earlier.file === file ? `within ${file}` : `between ${earlier.file} and ${file}`;
      where.set(between, (where.get(between) ?? 0) + 1);
    }
  }
  if (pairs.length === 0) return [];
  const bands: [string, number, number][] = [['all', 0, Infinity], ['under 25 µs', 0, 25e-6], ['25 µs or more', 25e-6, Infinity]];
  const lines = ['| shorter timing | pairs | median % | p90 % | largest % |', '|---|---|---|---|---|'];
  for (const [name, lo, hi] of bands) {
    const moved = pairs.filter((p) => p.shortS >= lo && p.shortS < hi).map((p) => p.moved);
    if (moved.length === 0) continue;
    const { median, p90 } = medianP90(moved);
    lines.push(`| ${name} | ${moved.length} | ${median.toFixed(1)} | ${p90.toFixed(1)} | ${Math.max(...moved).toFixed(1)} |`);
  }
  const worst = pairs.reduce((w, p) => (p.moved > w.moved ? p : w));
  const named = [worst.a.kernel, worst.a.dtype, worst.a.variant, shapeKey(worst.a)].filter((x) => x).join(' ');
  return [`Plan lines timed twice, each time in a call on a fresh machine of this kind (${[...where].map(([w, n]) => `${n} ${w}`).join('; ')}):`,
    'max / min − 1 of the two times, by the shorter. Short calls move most: kernels-ref times a batch of back-to-back calls,',
    'which waits on each call\'s host dispatch (cuBLAS\'s kernel choice and the launch) where the GPU work is short, and the',
    'host varies with the machine ("Graph replays against back-to-back calls", where a device has that check, measures it).',
    'The fits keep the faster of two timings of one shape (calibrate/fit.ts fastestImplementations).',
    `Largest: ${named}, ${(worst.a.medianS * 1e6).toFixed(1)} and ${(worst.b.medianS * 1e6).toFixed(1)} µs.`,
    '', ...lines];
}

/**
 * kernels-ref/graph-check.sh's rows: each plan line timed as back-to-back calls (plain kref run) and as one graph replay
 * (--graph), each twice on one machine. Per group of lines: the median of each way's time, of their difference (the host
 * dispatch a back-to-back batch waits on), and how far each way's two timings of a line lie apart (max / min − 1).
 */
function graphTable(rows: readonly Measurement[]): string[] {
  const byLine = new Map<string, { eager: number[]; graph: number[]; row: Measurement }>();
  for (const r of rows) {
    const key = measurementKey(r, r.device.id ?? r.device.name);
    const entry = byLine.get(key) ?? byLine.set(key, { eager: [], graph: [], row: r }).get(key)!;
    (r.timing === 'graph-replay' ? entry.graph : entry.eager).push(r.medianS * 1e6);
  }
  const lines = [...byLine.values()].filter((l) => l.eager.length >= 2 && l.graph.length >= 2);
  const median = (xs: number[]): number => quantile([...xs].sort((a, b) => a - b), 0.5);
  const spread = (xs: number[]): number => (Math.max(...xs) / Math.min(...xs) - 1) * 100;
  const gemm = (l: { row: Measurement }): boolean => l.row.kernel === 'gemm-blas';
  const groups: [string, (l: { row: Measurement; eager: number[] }) => boolean][] = [
    ['cuBLAS GEMMs, back-to-back under 25 µs', (l) => gemm(l) && median(l.eager) < 25],
    ['cuBLAS GEMMs, back-to-back 25 µs or more', (l) => gemm(l) && median(l.eager) >= 25],
    ['elementwise, norms, softmax, copies, empty launch', (l) => !gemm(l)],
  ];
  const table = ['| lines | count | back-to-back µs (median) | graph replay µs | difference µs | back-to-back twice: median / p90 % apart | graph replay twice: median / p90 % apart |',
    '|---|---|---|---|---|---|---|'];
  for (const [name, keep] of groups) {
    const picked = lines.filter(keep);
    if (picked.length === 0) continue;
    const e = picked.map((l) => median(l.eager)), g = picked.map((l) => median(l.graph));
    const apart = (xs: number[]): string => { const { median: m, p90 } = medianP90(xs); return `${m.toFixed(1)} / ${p90.toFixed(1)}`; };
    table.push(`| ${name} | ${picked.length} | ${median(e).toFixed(1)} | ${median(g).toFixed(1)} | ${median(picked.map((l) => median(l.eager) - median(l.graph))).toFixed(1)} | ${apart(picked.map((l) => spread(l.eager)))} | ${apart(picked.map((l) => spread(l.graph)))} |`);
  }
  const empty = lines.find((l) => l.row.kernel === 'empty');
  return ['Each line of kernels-ref/plans/graph-check.jsonl timed four times on one machine: as a batch of back-to-back calls',
    'between events (plain `kref run`, how every other kernels-ref row here was timed) and as the same batch captured into',
    'one graph and replayed (`kref run --graph`), each twice. The difference is host time the back-to-back batch waits on;',
    'graph replays, which have none, repeat within a few %.' + (empty ? ` An empty kernel: ${median(empty.eager).toFixed(1)} µs back to back, ${median(empty.graph).toFixed(1)} µs in a graph.` : ''),
    '', ...table];
}

function ceilingTable(rows: readonly Measurement[]): string[] {
  const groups = new Map<string, Measurement[]>();
  for (const r of rows) {
    const key = `${r.kernel}|${r.dtype}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const lines = ['| kernel | dtype | rows | best TFLOP/s | best GB/s | fastest µs |', '|---|---|---|---|---|---|'];
  for (const [key, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const [kernel, dtype] = key.split('|');
    const flops = Math.max(...group.map((r) => r.flops / r.medianS));
    const bytes = Math.max(...group.map((r) => r.bytes / r.medianS));
    const fastest = Math.min(...group.map((r) => r.medianS));
    lines.push(`| ${kernel} | ${dtype} | ${group.length} | ${(flops / 1e12).toFixed(1)} | ${(bytes / 1e9).toFixed(0)} | ${(fastest * 1e6).toFixed(2)} |`);
  }
  return lines;
}

function torchTable(rows: readonly Measurement[], torch: readonly TorchRow[]): string[] {
  const tn = rows.filter((r) => r.kernel === 'gemm-blas' && r.layout === 'TN' && r.dtype === 'fp16');
  const lines = ['| dtype (torch) | m | n | k | torch µs | kernels-ref fp16 µs | torch / kernels-ref |', '|---|---|---|---|---|---|---|'];
  const ratios: { big: number[]; small: number[] } = { big: [], small: [] };
  for (const t of torch) {
    const k = tn.find((r) => r.shape.m === t.m && r.shape.n === t.n && r.shape.k === t.k);
    if (!k) continue;
    const ratio = t.medianS / k.medianS;
    (k.medianS >= 500e-6 ? ratios.big : ratios.small).push(ratio);
    lines.push(`| ${t.dtype} | ${t.m} | ${t.n} | ${t.k} | ${(t.medianS * 1e6).toFixed(1)} | ${(k.medianS * 1e6).toFixed(1)} | ${ratio.toFixed(2)} |`);
  }
  const summary = (xs: number[]): string => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length === 0 ? 'none' : `${s.length} shapes, median ${quantile(s, 0.5).toFixed(2)}, range ${s[0]!.toFixed(2)}–${s[s.length - 1]!.toFixed(2)}`;
  };
  return [
    `torch ${torch[0]?.torch ?? '?'} on ${torch[0]?.device ?? '?'}, F.linear timed one launch at a time with CUDA events (median of 20`,
    'after warm-up, weights rotated past twice the L2). GEMMs of 0.5 ms or more (kernels-ref time):',
    `${summary(ratios.big)}; shorter ones: ${summary(ratios.small)}. PyTorch's single-launch timing counts its own`,
    'dispatch when the GPU waits on the host, which kernels-ref\'s back-to-back batches hide where a call\'s GPU work outlasts',
    'its dispatch (not always at a few µs: "The same shapes on two machines" above); bf16 runs the',
    'fp16 rate on the tensor cores.', '', ...lines,
  ];
}

/** 5-fold cross-validated error of the shipped profile on subsets of the rows that matter to models. */
function crossValidationSection(rows: readonly Measurement[], deviceId: string): string[] {
  const profile = parseProfileText(readFileSync(new URL(`../data/profiles/${deviceId}.json`, import.meta.url), 'utf8'));
  const scored = crossValidatedRows(rows, profile, 5);
  const gemm = (r: CrossValidatedRow): boolean => r.row.op.kind === 'gemm' && r.row.op.batch === 1;
  const fp16 = (r: CrossValidatedRow): boolean => gemm(r) && r.row.dtype === 'fp16';
  const subsets: [string, (r: CrossValidatedRow) => boolean][] = [
    ['GEMM fp16, all shapes', fp16],
    ['GEMM fp16, n and k multiples of 8 (model shapes)', (r) => fp16(r) && !misalignedGemm(r.row.op)],
    ['GEMM fp16, n or k not a multiple of 8', (r) => fp16(r) && misalignedGemm(r.row.op)],
    // The misalign feature's two grades (simulator/calibration.ts): 2-byte rows, and 4- or 8-byte ones.
    ['… of which n or k odd', (r) => fp16(r) && misalignGrade(r.row.op) === 1],
    ['… of which n and k even', (r) => fp16(r) && misalignGrade(r.row.op) === 0.5],
    ['GEMM fp32, all shapes', (r) => gemm(r) && r.row.dtype === 'fp32'],
    ['GEMM, both dtypes, measured under 25 µs', (r) => gemm(r) && r.row.measuredS < 25e-6],
    ['GEMM, both dtypes, measured 25–60 µs', (r) => gemm(r) && r.row.measuredS >= 25e-6 && r.row.measuredS < 60e-6],
    ['GEMM, both dtypes, measured 60 µs or more', (r) => gemm(r) && r.row.measuredS >= 60e-6],
    ['elementwise', (r) => r.row.family === 'elementwise'],
    ['attention prefill (PyTorch SDPA FlashAttention)', (r) => r.row.family === 'attention' && r.row.op.kind === 'attention' && r.row.op.queryLen > 1],
    ['attention decode (PyTorch SDPA FlashAttention)', (r) => r.row.family === 'attention' && r.row.op.kind === 'attention' && r.row.op.queryLen === 1],
    ['RMSNorm and LayerNorm (PyTorch)', (r) => r.row.family === 'norm'],
    ['softmax (PyTorch)', (r) => r.row.family === 'softmax'],
  ];
  const stat = (xs: number[]): string => {
    const { median, p90 } = medianP90(xs);
    return `${median.toFixed(1)} | ${p90.toFixed(1)}`;
  };
  const lines = ['| rows of this run | rows | default median % | default p90 % | calibrated median % | calibrated p90 % |', '|---|---|---|---|---|---|'];
  for (const [name, keep] of subsets) {
    const picked = scored.filter(keep);
    if (picked.length === 0) continue;
    // calibrate/fit.ts withoutWorseCurves keeps no curve that does worse than the defaults: those rows are priced by them.
    const kept = profile.families[picked[0]!.row.family] !== undefined;
    lines.push(`| ${name}${kept ? '' : ' (curve not kept: the defaults price these)'} | ${picked.length} | ${stat(picked.map((r) => r.defaultPct))} | ${stat(picked.map((r) => r.calibratedPct))} |`);
  }
  return [`Each row scored by curves fitted on the other 4 of 5 folds (data/profiles/${deviceId}.json's families; default = genz's`,
    'efficiency factors, no calibration).', '', ...lines];
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: npx tsx calibrate/gpu-run-report.ts FILE.jsonl… (kernels-ref sweeps, torch-ops.py and torch-check.py outputs, any order)');
  process.exit(2);
}
const read = (file: string): Measurement[] => {
  const result = parseMeasurements(readFileSync(file, 'utf8'));
  if (result.problems.length > 0) throw new Error(`${file}: ${result.problems.length} bad lines, first at line ${result.problems[0]!.line}`);
  return result.measurements;
};
// Each file by kind: torch-check.py writes plain rows (no measurement schema); the others are measurements.
interface Run { kref: Measurement[]; krefFiles: { file: string; rows: Measurement[] }[]; ops: Measurement[]; opsFile: string; torch: TorchRow[]; graph: Measurement[]; graphFile: string }
const runs = new Map<string, Run>();
const runOf = (id: string): Run => runs.get(id) ?? runs.set(id, { kref: [], krefFiles: [], ops: [], opsFile: '', torch: [], graph: [], graphFile: '' }).get(id)!;
const torchRows: TorchRow[] = [];
for (const file of files) {
  const first = readFileSync(file, 'utf8').trimStart().split('\n', 1)[0] ?? '';
  if (!first.includes('"schema"')) {
    torchRows.push(...readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TorchRow));
    continue;
  }
  const rows = read(file);
  const run = runOf(rows[0]?.device.id ?? file);
  // A graph check (kernels-ref/graph-check.sh) times the same lines both ways: a table of its own, fitted by nothing.
  if (rows.some((r) => r.timing === 'graph-replay')) { run.graph.push(...rows); run.graphFile = run.graphFile ? `${run.graphFile}, ${file}` : file; }
  else if (rows[0]?.source === 'pytorch') { run.ops.push(...rows); run.opsFile = file; } else { run.kref.push(...rows); run.krefFiles.push({ file, rows }); }
}
// torch-check.py rows name the device as PyTorch does, like the kernels-ref rows of the same card.
for (const run of runs.values()) run.torch = torchRows.filter((t) => t.device === run.kref[0]?.device.name);

const out = ['# Lent-GPU runs of kernels-ref', '',
  `Generated by \`npx tsx calibrate/gpu-run-report.ts ${files.join(' ')}\`. How the rows were made: data/manifest.json;`,
  'the profiles fitted on them and their error: docs/calibration.md.'];
for (const [deviceId, run] of runs) {
  if (run.kref.length === 0) continue;
  out.push('', ...deviceSection(run.krefFiles), '### Best rate per kernel and dtype', '', ...ceilingTable(run.kref));
  if (run.ops.length > 0) {
    out.push('', `### PyTorch's production kernels on the same kind of GPU: ${run.opsFile}`, '',
      `${run.ops.length} rows (${run.ops[0]!.device.name}, ${(run.ops[0]!.device.runtime ?? 'PyTorch').replace(/ SDPA .*/, '')}; CUDA-graph replays, kernels-ref/torch-ops.py). Best rate per kernel:`, '', ...ceilingTable(run.ops));
  }
  out.push('', '### Error on these rows: 5-fold cross-validation of the curves (refitted without each fold)', '', ...crossValidationSection([...run.kref, ...run.ops], deviceId));
  const repeats = repeatTable(run.krefFiles);
  if (repeats.length > 0) out.push('', '### The same shapes on two machines', '', ...repeats);
  if (run.graph.length > 0) out.push('', `### Graph replays against back-to-back calls: ${run.graphFile}`, '', ...graphTable(run.graph));
  if (run.torch.length > 0) out.push('', '### Cross-check: cuBLAS through kernels-ref vs torch.nn.functional.linear', '', ...torchTable(run.kref, run.torch));
}
console.log(out.join('\n'));
