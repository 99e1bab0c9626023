// `genz calibrate e2e`: genz's end-to-end error against a file of measured runs, per group (framework and device),
// with the uncalibrated defaults, with the shipped profiles, and (serving runs) with the framework's costs as well
// (host time, own all-reduce kernels, decode KV re-reads). Rows genz cannot place (no preset for the device or model) or run (does not fit, does not split)
// are counted by reason below the table.
import { readFileSync } from 'node:fs';
import { BENCH_FRAMEWORK, FIT_HARDWARE, benchSamples, queuedBenchSamples, readBench } from './llm-inference-bench.ts';
import { neusightSamples, readNeusightE2e } from './neusight-e2e.ts';
import { TMAC_MAX_RELATIVE_SPREAD, readTmac, tmacSamples } from './tmac.ts';
import { isHeldOut, summarize, type ErrorSummary, type Sample } from './error-stats.ts';

export const E2E_SOURCES = ['llm-inference-bench', 'neusight', 'tmac'] as const;
export type E2eSource = (typeof E2E_SOURCES)[number];

/** One priced variant of every sample: its column title and the samples. */
interface Variant { title: string; samples: Sample[] }

/** The comparison table: one row per group, a median/p90 pair per variant. */
export function variantsTable(variants: readonly Variant[]): string {
  const byVariant = variants.map((v) => new Map(summarize(v.samples).map((s) => [s.group, s] as const)));
  const groups = [...new Set(byVariant.flatMap((m) => [...m.keys()]))].sort((a, b) => a.localeCompare(b));
  const cell = (s: ErrorSummary | undefined): string => (s === undefined ? '– | –' : `${s.medianAbsPctError.toFixed(1)} | ${s.p90AbsPctError.toFixed(1)}`);
  const header = `| group | rows | ${variants.map((v) => `${v.title} median % | ${v.title} p90 %`).join(' | ')} | median predicted/measured (last) |`;
  const lines = [header, `|---|---|${variants.map(() => '---|---|').join('')}---|`];
  for (const group of groups) {
    const last = byVariant[byVariant.length - 1]!.get(group);
    lines.push(`| ${group} | ${byVariant[0]!.get(group)?.rows ?? 0} | ${byVariant.map((m) => cell(m.get(group))).join(' | ')} | ${last ? last.medianRatio.toFixed(2) : '–'} |`);
  }
  return lines.join('\n');
}

/** The file lines of the rows each reason left out. */
function reasonLines(skipped: readonly { line: number; reason: string }[]): Map<string, number[]> {
  const lines = new Map<string, number[]>();
  for (const { line, reason } of skipped) lines.set(reason, [...(lines.get(reason) ?? []), line]);
  return lines;
}

/** File lines a reason names before "…" (the count says how many there are). */
const LINES_SHOWN = 8;

/**
 * Left-out rows by reason, one line each ("" when none): a count, or the rows' file lines (the first LINES_SHOWN),
 * so a user can find them.
 */
export function skippedLines(skipped: ReadonlyMap<string, number | readonly number[]>): string {
  return [...skipped].sort(([a], [b]) => a.localeCompare(b)).map(([reason, rows]) => {
    const n = typeof rows === 'number' ? rows : rows.length;
    const where = typeof rows === 'number' ? '' : ` (line${n === 1 ? '' : 's'} ${rows.slice(0, LINES_SHOWN).join(', ')}${n > LINES_SHOWN ? ', …' : ''})`;
    return `- ${n} row${n === 1 ? '' : 's'}${where}: ${reason}`;
  }).join('\n');
}

/** The report of an LLM-Inference-Bench CSV (the extract in data/ or the repository's Plots/All_results.csv). */
export function llmInferenceBenchReport(csv: string, options: { heldOutOnly?: boolean } = {}): string {
  const read = readBench(csv);
  // Held out: the runs no fit read, the held-out split of the fitted hardware and every run of the others (MI250), placed
  // or skipped alike.
  const kept = (r: { heldOut: boolean }, fitHardware: boolean): boolean => !options.heldOutOnly || r.heldOut || !fitHardware;
  const rows = read.rows.filter((r) => kept(r, r.hardware === FIT_HARDWARE));
  const skipped = read.skipped.filter((r) => kept(r, r.fitHardware));
  const defaults = benchSamples(rows);
  const profiles = benchSamples(rows, undefined, 'default');
  const withHost = benchSamples(rows, undefined, 'default', true);
  const left: Map<string, number | number[]> = reasonLines(skipped);
  if (withHost.infeasible > 0) left.set('genz finds the model does not fit in the devices\' memory', withHost.infeasible);
  if (withHost.unsplit > 0) left.set('genz refuses the split (a TP degree that does not divide the heads)', withHost.unsplit);
  const table = variantsTable([
    { title: 'defaults', samples: defaults.samples }, { title: 'profiles', samples: profiles.samples }, { title: 'profiles + host', samples: withHost.samples },
  ]);
  const notes = skippedLines(left);
  const total = rows.length + skipped.length;
  const unfitted = [...new Set(rows.filter((r) => BENCH_FRAMEWORK[r.framework] === undefined).map((r) => r.framework))].sort();
  // The frameworks ran the rows over genz's memory: priced in waves of the largest batch that fits (a fixed rule).
  const queued = withHost.infeasible > 0 ? queuedBenchSamples(rows, undefined, 'default', true).samples : [];
  return [
    `End-to-end latency, LLM-Inference-Bench: ${withHost.samples.length} of ${total} rows scored${options.heldOutOnly ? ` (the held-out split, one run in five by a hash of its configuration, and every run of hardware no fit reads, of ${read.rows.length + read.skipped.length})` : ''}; absolute % error, median and p90, per framework and device.`,
    '"defaults": genz\'s efficiency factors; "profiles": the shipped calibration profiles where the device has one; "+ host": each framework\'s fitted costs: host time per step and per sequence, its own all-reduce kernels and decode KV re-reads (simulator/serving/frameworks.ts; none for frameworks without them).'
      + (unfitted.length > 0 ? ` No costs were fitted for ${unfitted.join(', ')}: their "+ host" column is the profiles' alone.` : ''),
    '',
    table,
    ...(notes === '' ? [] : ['', 'Rows left out:', notes]),
    ...(queued.length === 0 ? [] : ['', `Of the rows over memory, ${queued.length} priced as run in waves of the largest batch that fits, one wave after another (calibrate/accuracy/llm-inference-bench.ts queuedBenchLatency; profiles + host):`, '',
      variantsTable([{ title: 'waves', samples: queued }])]),
  ].join('\n');
}

/** A shipped profile's JSON text by device id (data/profiles/<id>.json). */
export function shippedProfileText(id: string): string {
  return readFileSync(new URL(`../../data/profiles/${id}.json`, import.meta.url), 'utf8');
}

/** The report of NeuSight's end-to-end labels (data/neusight_model_e2e_labels_train_devices.csv or the same columns). */
export function neusightE2eReport(csv: string): string {
  const { rows, skipped } = readNeusightE2e(csv);
  const defaults = neusightSamples(rows, 'none', shippedProfileText);
  const profiles = neusightSamples(rows, 'default', shippedProfileText);
  const left: Map<string, number | number[]> = reasonLines(skipped);
  if (profiles.infeasible > 0) left.set('genz finds the model does not fit in the device\'s memory', profiles.infeasible);
  const notes = skippedLines(left);
  return [
    `End-to-end latency of one FP32 forward pass (NeuSight's labels: Hugging Face models, eager attention, batch × sequence tokens): ${profiles.samples.length} of ${rows.length + skipped.length} rows scored; absolute % error, median and p90, per device.`,
    '"defaults": genz\'s efficiency factors; "profiles": the shipped calibration profile of the device (for NeuSight\'s five training GPUs, the one fitted on NeuSight\'s own Linear and bmm rows, whose device spec takes the best achieved GEMM rate as its peak; "defaults" run on that spec too).',
    '',
    variantsTable([{ title: 'defaults', samples: defaults.samples }, { title: 'profiles', samples: profiles.samples }]),
    ...(notes === '' ? [] : ['', 'Rows left out:', notes]),
  ].join('\n');
}

/**
 * The report of a T-MAC tokens/s CSV (data/tmac_lut_cpu_tokens_per_s_jetson_surface7.csv, or another device's runs
 * of assets/e2e_threads.zip): time per generated token, per CPU and framework.
 */
export function tmacReport(csv: string, options: { heldOutOnly?: boolean } = {}): string {
  const read = readTmac(csv);
  const kept = (index: number): boolean => !options.heldOutOnly || isHeldOut(index);
  const rows = read.rows.filter((r) => kept(r.index));
  const skipped = read.skipped.filter((r) => kept(r.index));
  const notes = skippedLines(reasonLines(skipped));
  return [
    `Time per generated token on CPUs (T-MAC's decode runs: T-MAC's LUT kernels and llama.cpp's, 1 to all threads): ${rows.length} of ${rows.length + skipped.length} rows scored${options.heldOutOnly ? ' (every 5th row: of the shipped file, the split the kernel constants and the two fitted CPUs\' bandwidths and kernel speeds were not fitted on)' : ''}; absolute % error, median and p90, per CPU and framework.`,
    `genz prices one decode step with --threads and --lowbit-kernel (lut for T-MAC, dequant for llama.cpp) on the CPU preset; runs whose standard deviation exceeds ${TMAC_MAX_RELATIVE_SPREAD * 100} % of their mean are left out.`,
    '',
    variantsTable([{ title: 'genz', samples: tmacSamples(rows) }]),
    ...(notes === '' ? [] : ['', 'Rows left out:', notes]),
  ].join('\n');
}
