// `genz calibrate …`: measure kernels (kernels-ref), import public measurements, fit and report profiles.
import { readFileSync, existsSync } from 'node:fs';
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import {
  GenzError, IMPORTERS, IMPORT_SOURCES, closestNames, writeMeasurementFile, readMeasurementFileStrict, fitProfiles, reportProfile,
  parseProfileText, type ImportSource, type Measurement, type CalibrationProfile,
} from '../node.ts';
import { readTextFile } from './inputs.ts';

const out = (text: string): void => { process.stdout.write(`${text}\n`); };

export function registerCalibrate(program: Command): Command {
  const calibrate = program.command('calibrate').description('measure kernels, import public measurements, fit and report calibration profiles');

  calibrate.command('import')
    .description(`convert a public measurement file into genz's JSONL format (${IMPORT_SOURCES.join(', ')})`)
    .argument('<source>', IMPORT_SOURCES.join(' | '))
    .argument('<file>', 'the CSV (or JSON) as published')
    .requiredOption('--out <file>', 'JSON Lines output (overwritten)')
    .action((source: string, file: string, flags: { out: string }) => {
      if (!(IMPORT_SOURCES as readonly string[]).includes(source)) {
        throw new GenzError('unknown_id', `unknown source "${source}"; expected one of ${IMPORT_SOURCES.join(', ')} (closest: ${closestNames(source, IMPORT_SOURCES).join(', ')})`, ['source']);
      }
      const text = readTextFile(file, 'file');
      const measurements = IMPORTERS[source as ImportSource](text, file);
      writeMeasurementFile(flags.out, measurements);
      const devices = new Set(measurements.map((m) => m.device.id ?? m.device.name));
      out(`${measurements.length} measurements from ${file} (${[...devices].join(', ')}) → ${flags.out}`);
    });

  calibrate.command('fit')
    .description('fit per-family calibration curves on measurements (80% of shapes; 20% held out) → one profile per device')
    .argument('<files...>', 'measurement JSON Lines files (genz calibrate run / import)')
    .option('--hardware <id>', 'the genz device preset the measurements are of (when the files do not say)')
    .requiredOption('--out <file>', 'profile JSON (with several devices: one file each, the device id inserted before .json)')
    .action((files: string[], flags: { hardware?: string; out: string }) => {
      const measurements: Measurement[] = files.flatMap((file) => readMeasurementFileStrict(file));
      const createdBy = `genz calibrate fit ${files.join(' ')}${flags.hardware ? ` --hardware ${flags.hardware}` : ''} --out ${flags.out}`;
      const profiles = fitProfiles(measurements, { ...(flags.hardware ? { hardware: flags.hardware } : {}), createdBy, measurementSources: files });
      for (const profile of profiles) {
        const path = profiles.length === 1 ? flags.out : flags.out.replace(/(\.json)?$/, `-${profile.deviceId}.json`);
        writeFileSync(path, `${JSON.stringify(profile, null, 1)}\n`);
        out(`${profile.deviceId}: ${path}`);
      }
      out(reportProfile(profiles, measurements));
    });

  calibrate.command('report')
    .description('error before and after calibration per family and device (median, p90)')
    .argument('<profiles...>', 'profile JSON files')
    .option('--measurements <files...>', 'score on these measurements instead of the held-out table stored in the profile')
    .action((files: string[], flags: { measurements?: string[] }) => {
      const profiles: CalibrationProfile[] = files.map((file) => parseProfileText(readTextFile(file, 'profile'), file));
      const measurements = flags.measurements?.flatMap((file) => readMeasurementFileStrict(file));
      out(reportProfile(profiles, measurements));
    });

  return calibrate;
}

/** True when a file exists and is not empty. */
export function hasContent(path: string): boolean {
  return existsSync(path) && readFileSync(path, 'utf8').trim() !== '';
}
