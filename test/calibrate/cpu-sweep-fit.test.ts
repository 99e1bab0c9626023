// The whole loop on a machine without a GPU: build kernels-ref's CPU backend, run the quick sweep, fit a
// profile for this CPU (no preset: the device spec is built from the measurements) and estimate with it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitProfiles, parseMeasurements, reportProfile, estimateOp } from '../../index.ts';

const root = new URL('../..', import.meta.url).pathname;

describe('CPU calibration loop', () => {
  it('measures, fits and uses a profile of this machine', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'genz-cpu-')), 'cpu.jsonl');
    const run = spawnSync('node', ['cli/bin.js', 'calibrate', 'run', '--backend', 'cpu', '--quick', '--out', out], { cwd: root, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const { measurements, problems } = parseMeasurements(readFileSync(out, 'utf8'));
    expect(problems).toEqual([]);
    expect(measurements.length).toBeGreaterThanOrEqual(40);
    for (const m of measurements) expect(m.maxAbsError ?? 0).toBeLessThan(1e-2); // every kernel passed its check
    const [profile] = fitProfiles(measurements, { createdBy: 'test' });
    expect(profile!.device).toBeDefined(); // no preset for this CPU: built from the measurements
    // Every kernel with a calibration family is priced from kernels-ref's own shape keys (add {n}, gemv {m, k} …).
    const unpriced = new Set(['memcpy', 'empty', 'selective-scan', 'conv1d', 'lut-gemv']);
    expect(profile!.skippedRows).toBe(measurements.filter((m) => unpriced.has(m.kernel)).length);
    expect(profile!.families.gemm).toBeDefined();
    const report = reportProfile([profile!], measurements, { rows: 'all' });
    console.log(report);
    const gemm = estimateOp({ kind: 'gemm', m: 256, n: 256, k: 256, dtype: 'fp32', hardware: profile!.deviceId, calibration: profile as unknown as Record<string, unknown> });
    expect(gemm.latencyS).toBeGreaterThan(0);
  }, 120_000);
});
