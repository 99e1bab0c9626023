// The published errors genz is held against (docs/calibration.md): NeuSight's per-operator mean absolute errors of
// Roofline, Habitat, Li et al. and NeuSight on its own kernel data (scripts/asplos/summary/perop.csv), and ASTRA-sim's
// analytical all-reduce errors on an HGX H100 (data/simulator_validation_summary.json), beside genz's on the same kind
// of rows: NeuSight's Linear and bmm rows of its five training GPUs, Vidur's H100 DGX all-reduces. The protocols
// differ (NeuSight's "in distribution" is its test shapes on those GPUs; genz's is a 5-fold split of a 60,000-row
// sample), so the comparison is of orders, not decimals.
import { crossValidatedRows, measurementDeviceId, type CrossValidatedRow } from './fit.ts';
import type { Measurement } from './measurement-schema.ts';
import type { CalibrationProfile } from './profile-schema.ts';

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Geometric mean of absolute % errors (ASTRA-sim's statistic); a zero error counts as 0.01%. */
const geomean = (xs: readonly number[]): number => Math.exp(mean(xs.map((x) => Math.log(Math.max(x, 0.01)))));

/** NeuSight's perop.csv: method → in-distribution [BMM, FC] mean absolute % error (its first columns of each). */
function neusightBars(peropCsv: string): [string, number, number][] {
  // Two header lines (In / Out of Distribution, then the op of each column) with empty names: read it as a grid.
  const grid = peropCsv.trim().split(/\r?\n/).map((line) => line.split(','));
  const ops = grid[1]!;
  const bmm = ops.indexOf('BMM');
  const fc = ops.indexOf('FC');
  // The first BMM and FC columns are the in-distribution ones (the first header line says so above them).
  if (bmm < 0 || fc < 0 || !grid[0]![bmm]!.startsWith('In') || fc > grid[0]!.indexOf('Out of Distribution')) throw new Error('perop.csv: no in-distribution BMM and FC columns');
  return grid.slice(2).map((cells) => [cells[0]!, Number(cells[bmm]), Number(cells[fc])]);
}

export function publishedBarsSection(profiles: readonly CalibrationProfile[], measurements: readonly Measurement[], peropCsv: string, validationJson: string): string {
  const scored = (ids: ReadonlySet<string>): CrossValidatedRow[] => profiles.filter((p) => ids.has(p.deviceId)).flatMap((p) => crossValidatedRows(measurements, p, 5));
  const neusight = new Set(measurements.filter((m) => m.source === 'neusight').map(measurementDeviceId));
  const rows = scored(neusight);
  // By the call NeuSight timed (the key's kernel: torch.nn.Linear 'gemm', torch.bmm 'batched-gemm'), not genz's family:
  // a bmm of batch 1 is priced as a GEMM.
  const of = (kernel: string, pick: (r: CrossValidatedRow) => number): string => mean(rows.filter((r) => r.row.key.split('|')[1] === kernel).map(pick)).toFixed(1);
  const lines = [
    '## Against published errors', '',
    'Mean absolute % error on NeuSight\'s FP32 kernel rows of its five training GPUs (A100-PCIe, V100-PCIe, P100-PCIe, T4,',
    'P4). The first rows are NeuSight\'s own summary (perop.csv, "in distribution": its test shapes on these GPUs); genz\'s',
    'are every row of data/neusight_linear_bmm_fp32_subsample.csv (Linear and bmm by the call NeuSight timed), the',
    'calibrated curves in 5-fold cross-validation. genz\'s defaults run on each profile\'s device spec, whose peak and',
    'bandwidth are the best rates achieved in these same rows (NeuSight\'s boards keep profiles of their own, not presets:',
    'calibrate/importers/neusight.ts says why): not a datasheet',
    'roofline like NeuSight\'s. The protocols differ (NeuSight\'s split is its own test shapes), so compare orders, not',
    'decimals.', '',
    '| predictor | FC (Linear) | BMM |', '|---|---|---|',
    ...neusightBars(peropCsv).map(([method, bmm, fc]) => `| ${method} (NeuSight's table) | ${fc.toFixed(1)} | ${bmm.toFixed(1)} |`),
    `| genz defaults | ${of('gemm', (r) => r.defaultPct)} | ${of('batched-gemm', (r) => r.defaultPct)} |`,
    `| genz calibrated, 5-fold CV | ${of('gemm', (r) => r.calibratedPct)} | ${of('batched-gemm', (r) => r.calibratedPct)} |`,
  ];
  const astra = (JSON.parse(validationJson) as { 'ASTRA-sim_analytical'?: { allreduce_geomean_error_pct?: Record<string, number> } })['ASTRA-sim_analytical']?.allreduce_geomean_error_pct ?? {};
  const h100 = scored(new Set(['h100-sxm'])).filter((r) => r.row.op.kind === 'collective' && r.row.op.collective === 'all-reduce');
  if (h100.length > 0) {
    lines.push('', 'Geometric-mean absolute % error of all-reduces on an HGX H100 by GPUs: ASTRA-sim\'s analytical backend on its',
      'authors\' runs (data/simulator_validation_summary.json), genz on Vidur\'s DGX H100 NCCL rows (defaults; calibrated,',
      '5-fold CV).', '', '| GPUs | ASTRA-sim analytical | genz defaults | genz calibrated, 5-fold CV | rows |', '|---|---|---|---|---|');
    for (const gpus of [2, 4, 8]) {
      const mine = h100.filter((r) => r.row.op.kind === 'collective' && r.row.op.groupSize === gpus);
      const theirs = astra[`HGX_H100_${gpus}gpu`];
      if (mine.length === 0) continue;
      lines.push(`| ${gpus} | ${theirs === undefined ? '–' : theirs.toFixed(1)} | ${geomean(mine.map((r) => r.defaultPct)).toFixed(1)} | ${geomean(mine.map((r) => r.calibratedPct)).toFixed(1)} | ${mine.length} |`);
    }
  }
  return lines.join('\n');
}
