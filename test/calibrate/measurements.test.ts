// The measurement format's reader and writer: every bad line is reported by number and field path, good lines
// are kept, and appending never loses what is already in a file.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GenzError } from '../../index.ts';
import { appendMeasurement, appendMeasurements, readMeasurementFile, readMeasurementFileStrict, writeMeasurementFile } from '../../calibrate/measurement-files.ts';
import { MeasurementSchema, type Measurement } from '../../calibrate/measurement-schema.ts';
import { formatMeasurement, formatMeasurements, measurementKey, parseMeasurements, readMeasurementsStrict } from '../../calibrate/measurements.ts';
import { expectGenzError } from '../helpers.ts';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/calibrate/${name}`, import.meta.url), 'utf8');
const tempFile = (name: string): string => join(mkdtempSync(join(tmpdir(), 'genz-measurements-')), name);

const sample: Measurement = MeasurementSchema.parse({
  schema: 'genz.measurement.v1', source: 'kernels-ref', device: { name: 'Test GPU', backend: 'cuda', computeUnits: 108 },
  kernel: 'gemm-tensor', variant: 'wmma', shape: { m: 128, n: 256, k: 64 }, dtype: 'fp16', medianS: 1e-5, flops: 4194304, bytes: 114688,
});

describe('parseMeasurements', () => {
  it('reads a good file', () => {
    const { measurements, lines, problems } = parseMeasurements(fixture('good.jsonl'));
    expect(problems).toEqual([]);
    expect(measurements.map((m) => m.kernel)).toEqual(['gemm-blas', 'memcpy', 'rmsnorm']);
    expect(lines).toEqual([1, 2, 3]);
  });

  it('reports every bad line by number and field, and keeps the good lines', () => {
    const { measurements, lines, problems } = parseMeasurements(fixture('bad.jsonl'));
    expect(lines).toEqual([1, 7]);
    expect(measurements.map((m) => m.shape.m)).toEqual([64, 128]);
    const where = problems.map((p) => [p.line, p.path.join('.')]);
    expect(where).toEqual([
      [2, 'medianS'], [2, 'flops'], // missing fields
      [3, 'medianS'], // negative time
      [4, 'medianS'], // "NaN" as a string
      [5, 'kernel'], // unknown kernel
      [6, ''], // not JSON
      [8, 'medianS'], // bare NaN token
      [10, 'device.name'], [10, 'extra'], // missing nested field, unknown field
      [11, ''], // truncated last line
    ]);
    const message = (line: number, path: string): string => problems.find((p) => p.line === line && p.path.join('.') === path)!.message;
    expect(message(2, 'medianS')).toBe('required: expected number');
    expect(message(3, 'medianS')).toBe('must not be negative, found number -0.001');
    expect(message(4, 'medianS')).toBe('expected number, found string "NaN"');
    expect(message(5, 'kernel')).toMatch(/^unknown kernel "gemmm".*closest: gemm/);
    expect(message(6, '')).toMatch(/^not valid JSON/);
    expect(message(8, 'medianS')).toBe('must be a finite number, found NaN (not valid JSON)');
    expect(message(10, 'extra')).toBe('unknown field "extra"');
    expect(message(11, '')).toMatch(/^truncated last line/);
  });

  it('accepts a complete last line without a newline, CRLF line ends and blank lines', () => {
    expect(parseMeasurements(fixture('no-final-newline.jsonl')).measurements).toHaveLength(2);
    const crlf = fixture('good.jsonl').replace(/\n/g, '\r\n\r\n');
    const { measurements, lines, problems } = parseMeasurements(crlf);
    expect(problems).toEqual([]);
    expect(lines).toEqual([1, 3, 5]);
    expect(measurements).toHaveLength(3);
  });

  it('reports a JSON value that is not an object, and Infinity', () => {
    const text = `[1,2]\n${formatMeasurement(sample).replace('"medianS":0.00001', '"medianS":-Infinity')}\n`;
    const { problems } = parseMeasurements(text);
    expect(problems.map((p) => [p.line, p.path.join('.'), p.message])).toEqual([
      [1, '', 'expected a JSON object (one measurement per line), found an array'],
      [2, 'medianS', 'must be a finite number, found -Infinity (not valid JSON)'],
    ]);
  });

  it('keeps NaN-looking text inside strings as text', () => {
    const m = { ...sample, variant: 'NaN, Infinity' };
    expect(parseMeasurements(`${formatMeasurement(m)}\n`).measurements[0]!.variant).toBe('NaN, Infinity');
  });
});

describe('readMeasurementsStrict', () => {
  it('throws one GenzError listing every problem with the line in the path', () => {
    const e = expectGenzError(() => readMeasurementsStrict(fixture('bad.jsonl'), { fileName: 'bad.jsonl' }), 'invalid_input', ['line 2', 'medianS']);
    expect(e.problems).toHaveLength(10);
    expect(e.problems.map((p) => p.path)).toContainEqual(['line 10', 'device', 'name']);
    expect(e.problems.every((p) => p.message.endsWith('(in bad.jsonl)'))).toBe(true);
    expect(e.message.split('\n')[0]).toBe('line 2.medianS: required: expected number (in bad.jsonl)');
  });

  it('returns the measurements of a good file', () => {
    expect(readMeasurementsStrict(fixture('good.jsonl'))).toHaveLength(3);
  });
});

describe('formatMeasurement and measurementKey', () => {
  it('prints one line in schema key order with sorted shape keys, whatever the input order', () => {
    const shuffled = { bytes: sample.bytes, flops: sample.flops, medianS: sample.medianS, dtype: sample.dtype, shape: { k: 64, n: 256, m: 128 },
      variant: sample.variant, kernel: sample.kernel, device: { computeUnits: 108, backend: 'cuda', name: 'Test GPU' }, source: sample.source, schema: sample.schema } as Measurement;
    const line = formatMeasurement(shuffled);
    expect(line).toBe(formatMeasurement(sample));
    expect(line).not.toContain('\n');
    expect(line).toBe('{"schema":"genz.measurement.v1","source":"kernels-ref","device":{"name":"Test GPU","backend":"cuda","computeUnits":108},'
      + '"kernel":"gemm-tensor","variant":"wmma","shape":{"k":64,"m":128,"n":256},"dtype":"fp16","medianS":0.00001,"flops":4194304,"bytes":114688}');
    expect(parseMeasurements(`${line}\n`).measurements[0]).toEqual(MeasurementSchema.parse(sample));
  });

  it('refuses to write an invalid measurement', () => {
    expectGenzError(() => formatMeasurement({ ...sample, medianS: Number.NaN }), 'invalid_input', ['medianS']);
    expectGenzError(() => formatMeasurement({ ...sample, kernel: 'gemmm' as never }), 'invalid_input', ['kernel']);
  });

  it('keys what was measured, not how long it took', () => {
    const key = measurementKey(sample);
    const retimed: Measurement = { ...sample, medianS: 2e-5, shape: { n: 256, k: 64, m: 128 } };
    expect(measurementKey(retimed)).toBe(key);
    expect(measurementKey({ ...sample, dtype: 'bf16' })).not.toBe(key);
    expect(measurementKey({ ...sample, variant: undefined })).not.toBe(key);
    expect(measurementKey({ ...sample, shape: { ...sample.shape, batch: 2 } })).not.toBe(key);
    expect(measurementKey({ ...sample, device: { ...sample.device, name: 'Other GPU' } })).not.toBe(key);
  });
});

describe('measurement files', () => {
  it('appends whole lines and reads them back', () => {
    const path = tempFile('run.jsonl');
    appendMeasurement(path, sample);
    appendMeasurements(path, [{ ...sample, shape: { m: 1, n: 1, k: 1 } }, { ...sample, dtype: 'bf16' }]);
    const { measurements, problems } = readMeasurementFile(path);
    expect(problems).toEqual([]);
    expect(measurements).toHaveLength(3);
    expect(readFileSync(path, 'utf8').endsWith('\n')).toBe(true);
  });

  it('never loses lines already written: after a truncated write the new line starts on its own line', () => {
    const path = tempFile('killed.jsonl');
    writeFileSync(path, fixture('good.jsonl') + formatMeasurement(sample).slice(0, 40)); // a writer killed mid-line
    expect(parseMeasurements(readFileSync(path, 'utf8')).problems.map((p) => p.line)).toEqual([4]);
    appendMeasurement(path, sample);
    const { measurements, lines, problems } = readMeasurementFile(path);
    expect(lines).toEqual([1, 2, 3, 5]);
    expect(measurements[3]).toEqual(MeasurementSchema.parse(sample));
    expect(problems.map((p) => [p.line, p.message.slice(0, 14)])).toEqual([[4, 'not valid JSON']]);
  });

  it('writes nothing when the measurement is invalid', () => {
    const path = tempFile('guarded.jsonl');
    appendMeasurement(path, sample);
    const before = readFileSync(path, 'utf8');
    expect(() => appendMeasurement(path, { ...sample, medianS: -1 })).toThrow(GenzError);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('writes a whole file, and the strict reader names a missing file', () => {
    const path = tempFile('whole.jsonl');
    writeMeasurementFile(path, [sample, { ...sample, dtype: 'fp32' }]);
    expect(readFileSync(path, 'utf8')).toBe(formatMeasurements([sample, { ...sample, dtype: 'fp32' }]));
    expect(readMeasurementFileStrict(path)).toHaveLength(2);
    expectGenzError(() => readMeasurementFileStrict(`${path}.missing`), 'file_not_found', [`${path}.missing`]);
  });
});
