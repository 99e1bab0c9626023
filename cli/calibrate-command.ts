// `genz calibrate …`: measure kernels (kernels-ref), import public measurements, fit and report profiles.
import { readFileSync, existsSync } from 'node:fs';
import type { Command } from 'commander';
import { GenzError, IMPORTERS, IMPORT_SOURCES, closestNames, writeMeasurementFile, type ImportSource } from '../node.ts';
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

  return calibrate;
}

/** True when a file exists and is not empty. */
export function hasContent(path: string): boolean {
  return existsSync(path) && readFileSync(path, 'utf8').trim() !== '';
}
