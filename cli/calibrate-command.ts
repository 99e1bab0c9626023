// `genz calibrate …`: measure kernels (kernels-ref), import public measurements, fit and report profiles.
import { readFileSync, existsSync } from 'node:fs';
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import {
  GenzError, formatProblem, findDevice, hardwareIds, IMPORTERS, IMPORT_SOURCES, measuredDeviceIds, measurementDeviceId, withoutWorseCurves, VIDUR_DEVICES, closestNames, writeMeasurementFile, readMeasurementFileStrict, fitProfiles, reportProfile, crossValidationTable, largeGemmThroughputSection,
  parseProfileText, profileText, runKernelsRef, E2E_SOURCES, llmInferenceBenchReport, neusightE2eReport, tmacReport, type ImportSource, type Measurement, type CalibrationProfile, type KrefBackend,
  type GenzProblem,
} from '../node.ts';
import { parseWhole, readTextFile } from './inputs.ts';

const out = (text: string): void => { process.stdout.write(`${text}\n`); };
/** Bad-row problems `calibrate import` prints; --strict lists every one (as the rejection). */
const MAX_SKIPPED_SHOWN = 20;

export function registerCalibrate(program: Command): Command {
  const calibrate = program.command('calibrate').description('measure kernels, import public measurements, fit and report calibration profiles');

  calibrate.command('run')
    .description('build kernels-ref, run its sweep on this machine and append the measurements (resumes an interrupted run; exits 3 when a plan line was not measured)')
    .requiredOption('--backend <backend>', 'cpu | cuda | hip')
    .option('--quick', 'the short sweep (seconds on a CPU)')
    .option('--device-id <id>', 'the genz preset id of the device measured (written into every row; checked against the presets)')
    .option('--plan <file>', "plan lines to run instead of kernels-ref's own sweep (see kernels-ref/README.md)")
    .requiredOption('--out <file>', 'JSON Lines file to append to')
    .action(async (flags: { backend: string; quick?: boolean; deviceId?: string; plan?: string; out: string }) => {
      if (!['cpu', 'cuda', 'hip'].includes(flags.backend)) {
        throw new GenzError('invalid_input', `expected cpu, cuda or hip, found "${flags.backend}"`, ['backend']);
      }
      if (flags.deviceId !== undefined && findDevice(flags.deviceId) === undefined) {
        throw new GenzError('unknown_id', `unknown device "${flags.deviceId}" for --device-id; closest presets: ${closestNames(flags.deviceId, hardwareIds()).join(', ')}`, ['device-id']);
      }
      const tty = process.stderr.isTTY === true;
      const summary = await runKernelsRef({
        backend: flags.backend as KrefBackend, out: flags.out, ...(flags.quick ? { quick: true } : {}),
        ...(flags.deviceId ? { deviceId: flags.deviceId } : {}),
        ...(flags.plan ? { planText: readTextFile(flags.plan, 'plan') } : {}),
        onProgress: (done, total, kernel) => {
          const width = 30;
          const filled = Math.round((done / total) * width);
          const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${kernel}`;
          if (tty) process.stderr.write(`\r${bar.padEnd(70)}`);
          else if (done === total || done % 10 === 0) process.stderr.write(`${bar}\n`);
        },
      });
      if (tty) process.stderr.write('\n');
      for (const problem of summary.fileProblems) process.stderr.write(`genz: ${problem}\n`);
      for (const e of summary.errors) process.stderr.write(`genz: plan line ${e.line}: ${e.error}\n`);
      out(`${summary.measured} measured, ${summary.skipped} already in ${flags.out}, ${summary.errors.length} not measured (of ${summary.planned} planned)`);
      // Scripts can tell a sweep with failed lines from a whole one (the rows measured are kept either way); 1 is a bug.
      if (summary.errors.length > 0) process.exitCode = 3;
    });

  calibrate.command('import')
    .description(`convert a public measurement file into genz's JSONL format (${IMPORT_SOURCES.join(', ')})`)
    .argument('<source>', IMPORT_SOURCES.join(' | '))
    .argument('<file>', 'the CSV (or JSON) as published')
    .requiredOption('--out <file>', 'JSON Lines output (overwritten)')
    .option('--device <name>', `vidur: the device folder of a file without a device column (${Object.keys(VIDUR_DEVICES).join(', ')}; default: the one its path names); mlperf: the genz preset id of the GPU the tuning table was measured on (default mi300x, Dell's v4.1 submission)`)
    .option('--strict', 'reject the whole file when a row has a bad cell (default: leave such rows out, each named by line on stderr, and import the rest)')
    .action((source: string, file: string, flags: { out: string; device?: string; strict?: boolean }) => {
      if (!(IMPORT_SOURCES as readonly string[]).includes(source)) {
        throw new GenzError('unknown_id', `unknown source "${source}"; expected one of ${IMPORT_SOURCES.join(', ')} (closest: ${closestNames(source, IMPORT_SOURCES).join(', ')})`, ['source']);
      }
      if (flags.device !== undefined && source !== 'vidur' && source !== 'mlperf') {
        throw new GenzError('invalid_input', `--device applies to vidur and mlperf files only (${source} files name their device)`, ['device']);
      }
      const text = readTextFile(file, 'file');
      const skipped: GenzProblem[] = [];
      const leftOut = new Map<string, number>();
      const measurements = IMPORTERS[source as ImportSource](text, file, { ...(flags.device === undefined ? {} : { device: flags.device }), ...(flags.strict ? {} : { skipped }), leftOut });
      // A file of which no row reads is a wrong file, not a file with a few bad rows: reject it as --strict would.
      if (measurements.length === 0 && skipped.length > 0) throw new GenzError('invalid_input', skipped);
      for (const problem of skipped.slice(0, MAX_SKIPPED_SHOWN)) process.stderr.write(`genz: skipped ${formatProblem(problem)}\n`);
      if (skipped.length > MAX_SKIPPED_SHOWN) process.stderr.write(`genz: … and ${skipped.length - MAX_SKIPPED_SHOWN} more problems (--strict lists them all)\n`);
      for (const [reason, n] of leftOut) process.stderr.write(`genz: left out ${n === 1 ? '' : `${n} `}${reason}\n`);
      // Nothing to write (every row left out by design): say so rather than leave an empty file for fit to refuse.
      if (measurements.length === 0) throw new GenzError('invalid_input', `no measurement of ${file} is of a kernel genz models${leftOut.size > 0 ? ' (see what was left out above)' : ''}; nothing written to ${flags.out}`, ['file']);
      writeMeasurementFile(flags.out, measurements);
      const devices = new Set(measurements.map((m) => m.device.id ?? m.device.name));
      const rows = new Set(skipped.map((p) => p.path[0])).size;
      out(`${measurements.length} measurements from ${file} (${[...devices].join(', ')}) → ${flags.out}${rows > 0 ? `; ${rows} rows with bad cells left out (stderr)` : ''}`);
    });

  calibrate.command('fit')
    .description('fit per-family calibration curves on measurements (80% of shapes; 20% held out) → one profile per device')
    .argument('<files...>', 'measurement JSON Lines files (genz calibrate run / import)')
    .option('--hardware <id>', 'the genz device preset the measurements are of (when the files do not say)')
    .option('--device <id>', 'fit only the measurements of this device (a file of several devices makes one profile each)')
    .requiredOption('--out <file>', 'profile JSON (with several devices: one file each, the device id inserted before .json)')
    .option('--no-neighbors', 'curves alone: no neighbour correction (by default kept per curve where cross-validation finds it helps)')
    .option('--keep-worse', 'keep curves that do worse than the default efficiencies in 5-fold cross-validation (dropped by default, with a note)')
    .action((files: string[], flags: { hardware?: string; device?: string; out: string; neighbors: boolean; keepWorse?: boolean }) => {
      let measurements: Measurement[] = files.flatMap((file) => {
        const rows = readMeasurementFileStrict(file);
        if (rows.length === 0) throw new GenzError('invalid_input', `${file} holds no measurements`, ['measurements']);
        return rows;
      });
      if (flags.device !== undefined) {
        const ids = measuredDeviceIds(measurements);
        measurements = measurements.filter((m) => measurementDeviceId(m) === flags.device);
        if (measurements.length === 0) {
          throw new GenzError('invalid_input', `no measurements of device "${flags.device}" in ${files.join(', ')}; they are of ${ids.join(', ')}`, ['device']);
        }
      }
      const createdBy = `genz calibrate fit ${files.join(' ')}${flags.hardware ? ` --hardware ${flags.hardware}` : ''}${flags.device ? ` --device ${flags.device}` : ''}`
        + `${flags.neighbors ? '' : ' --no-neighbors'}${flags.keepWorse ? ' --keep-worse' : ''} --out ${flags.out}`;
      const fitted = fitProfiles(measurements, { ...(flags.hardware ? { hardware: flags.hardware } : {}), createdBy, measurementSources: files, neighbors: flags.neighbors });
      // As the shipped profiles are made: a curve that cross-validates worse than the defaults is not kept. (The fit,
      // this check and the report each count a measurement read twice once.)
      const profiles = flags.keepWorse ? fitted : fitted.map((p) => withoutWorseCurves(p, measurements));
      for (const profile of profiles) {
        const path = profiles.length === 1 ? flags.out : flags.out.replace(/(\.json)?$/, `-${profile.deviceId}.json`);
        writeFileSync(path, profileText(profile));
        out(`${profile.deviceId}: ${path}`);
      }
      out(reportProfile(profiles, measurements));
    });

  calibrate.command('report')
    .description('error before and after calibration per family and device (median, p90)')
    .argument('<profiles...>', 'profile JSON files')
    .option('--measurements <files...>', 'score on these measurements instead of the held-out table stored in the profile, and check them (spread of large-GEMM throughput)')
    .option('--folds <k>', 'also k-fold cross-validate the fit on --measurements, or on the --except rows when given (every row scored by a fit without it)', parseWhole('folds'))
    .option('--except <files...>', 'the measurements the profiles were fitted on: score every row of --measurements not among them (the error on shapes never fitted)')
    .option('--all-rows', 'score every row of --measurements, not only the 20% held-out split by the profile\'s hash (for rows the profile was not fitted on)')
    .action((files: string[], flags: { measurements?: string[]; folds?: number; except?: string[]; allRows?: boolean }) => {
      const profiles: CalibrationProfile[] = files.map((file) => parseProfileText(readTextFile(file, 'profile'), file));
      const measurements = flags.measurements?.flatMap((file) => readMeasurementFileStrict(file));
      if (flags.folds !== undefined && (measurements === undefined || flags.folds < 2)) {
        throw new GenzError('invalid_input', measurements === undefined ? '--folds needs --measurements (the rows to refit on)' : `--folds must be at least 2, found ${flags.folds}`, ['folds']);
      }
      if (flags.except !== undefined && measurements === undefined) {
        throw new GenzError('invalid_input', '--except needs --measurements (the rows to score)', ['except']);
      }
      if (flags.allRows && (measurements === undefined || flags.except !== undefined)) {
        throw new GenzError('invalid_input', measurements === undefined ? '--all-rows needs --measurements (the rows to score)' : '--all-rows and --except both choose the rows: give one', ['all-rows']);
      }
      const except = flags.except?.flatMap((file) => readMeasurementFileStrict(file));
      out(reportProfile(profiles, measurements, except === undefined ? (flags.allRows ? { rows: 'all' } : {}) : { except }));
      // With --except the cross-validation refits on the fitted rows, as the profile was made, and compares with the unseen table.
      if (flags.folds !== undefined) out(`\n${crossValidationTable(profiles, except ?? measurements!, flags.folds)}`);
      // A check of the data itself: a wide spread of large-GEMM throughput is noise no curve can take out.
      const throughput = measurements === undefined ? '' : largeGemmThroughputSection(profiles, measurements);
      if (throughput !== '') out(`\n${throughput}`);
    });

  calibrate.command('e2e')
    .description(`genz's end-to-end error against measured runs (${E2E_SOURCES.join(', ')}), per framework and device: defaults, shipped profiles, profiles + the framework's costs`)
    .argument('<source>', E2E_SOURCES.join(' | '))
    .argument('<file>', 'the CSV as published (LLM-Inference-Bench: the project\'s extract or the repository\'s Plots/All_results.csv; NeuSight: its end-to-end labels, one row per label JSON; T-MAC: device,model,framework,num_threads,mean,std rows of assets/e2e_threads.zip)')
    .option('--held-out', 'score only the rows the shipped constants were not fitted on: for data/llm_inference_bench_a100_mi250.csv one run in five by a hash of its configuration, and every run of hardware other than the A100 (framework costs, efficiencies); for data/tmac_lut_cpu_tokens_per_s_jetson_surface7.csv every 5th row (CPU low-bit kernels)')
    .action((source: string, file: string, flags: { heldOut?: boolean }) => {
      if (!(E2E_SOURCES as readonly string[]).includes(source)) {
        throw new GenzError('unknown_id', `unknown source "${source}"; expected one of ${E2E_SOURCES.join(', ')} (closest: ${closestNames(source, E2E_SOURCES).join(', ')})`, ['source']);
      }
      const text = readTextFile(file, 'file');
      if (source === 'neusight') {
        if (flags.heldOut) throw new GenzError('invalid_input', '--held-out applies to llm-inference-bench and tmac files (no fit uses NeuSight\'s end-to-end labels: every row is out of sample)', ['held-out']);
        out(neusightE2eReport(text));
      } else if (source === 'tmac') {
        out(tmacReport(text, { heldOutOnly: flags.heldOut === true }));
      } else {
        out(llmInferenceBenchReport(text, { heldOutOnly: flags.heldOut === true }));
      }
    });

  return calibrate;
}

/** True when a file exists and is not empty. */
export function hasContent(path: string): boolean {
  return existsSync(path) && readFileSync(path, 'utf8').trim() !== '';
}
