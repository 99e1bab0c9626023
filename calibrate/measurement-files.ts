// The node:fs side of the measurement format: read a file, append to it, write a whole one.
// Appending never loses lines already written: the file is opened for append only, each call writes whole
// lines in one write, and a last line without its newline is closed off first, so the new line starts on a line of
// its own. A resumed `calibrate run` first moves a truncated last line (a killed writer's) to FILE.partial
// (setAsideTruncatedLastLine), so the file it leaves reads clean.
import { appendFileSync, closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, renameSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { GenzError } from '../common/errors.ts';
import type { Measurement } from './measurement-schema.ts';
import { formatMeasurement, formatMeasurements, parseMeasurements, readMeasurementsStrict, type ParsedMeasurements } from './measurements.ts';

function readText(path: string): string {
  if (!existsSync(path)) throw new GenzError('file_not_found', 'measurement file not found', [path]);
  return readFileSync(path, 'utf8');
}

/** Every good measurement of a file and every problem by line number (problems are not fatal). */
export function readMeasurementFile(path: string): ParsedMeasurements {
  return parseMeasurements(readText(path), { fileName: path });
}

/** The measurements of a file, or one GenzError listing every bad line. */
export function readMeasurementFileStrict(path: string): Measurement[] {
  return readMeasurementsStrict(readText(path), { fileName: path });
}

/** Appends one measurement as one line (validated first: an invalid one throws and nothing is written). */
export function appendMeasurement(path: string, m: Measurement): void {
  appendLines(path, `${formatMeasurement(m)}\n`);
}

/** Appends many measurements in one write. */
export function appendMeasurements(path: string, ms: readonly Measurement[]): void {
  if (ms.length > 0) appendLines(path, formatMeasurements(ms));
}

/** Writes a whole file (replacing it) through a temporary file and a rename, so a reader never sees half of it. */
export function writeMeasurementFile(path: string, ms: readonly Measurement[]): void {
  const text = formatMeasurements(ms);
  if (!existsSync(dirname(resolve(path)))) throw new GenzError('file_not_found', `no such directory "${dirname(path)}" for ${path}`, ['out']);
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/**
 * A last line cut short by a killed writer (no newline after it, not a whole JSON value) moved out of `path` into
 * `path`.partial, so a resumed run appends after whole lines and the file reads clean; nothing is lost (the cut-off
 * text is kept there). Returns the bytes moved (0: the file ends with a whole line, or does not exist).
 */
export function setAsideTruncatedLastLine(path: string): number {
  if (!existsSync(path)) return 0;
  const text = readFileSync(path, 'utf8');
  if (text === '' || text.endsWith('\n')) return 0;
  const start = text.lastIndexOf('\n') + 1;
  const tail = text.slice(start);
  try {
    JSON.parse(tail);
    return 0; // a whole line that only lacks its newline: appendLines closes it off
  } catch {
    appendFileSync(`${path}.partial`, `${tail}\n`);
    truncateSync(path, Buffer.byteLength(text.slice(0, start), 'utf8'));
    return Buffer.byteLength(tail, 'utf8');
  }
}

function appendLines(path: string, lines: string): void {
  const fd = openSync(path, 'a+');
  try {
    const size = fstatSync(fd).size;
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    const buffer = Buffer.from(prefix + lines, 'utf8');
    let written = 0;
    while (written < buffer.length) written += writeSync(fd, buffer, written, buffer.length - written);
  } finally {
    closeSync(fd);
  }
}
