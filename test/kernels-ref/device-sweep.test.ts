// kernels-ref/device-sweep.sh, the one prepared call for a lent GPU, tried on the CPU backend: it records the
// device, writes the plan and the measurements (valid genz.measurement.v1 with the given device id), and keeps the
// finished rows when the budget cuts the sweep short.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMeasurements } from '../../index.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function sweep(budgetS: number, quick: boolean) {
  const out = mkdtempSync(join(tmpdir(), 'genz-device-sweep-'));
  const args = ['kernels-ref/device-sweep.sh', 'cpu', 'ci-cpu', String(budgetS), ...(quick ? ['--quick'] : [])];
  const r = spawnSync('bash', args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, OUT: out }, timeout: 240_000 });
  return { ...r, out };
}

describe('kernels-ref/device-sweep.sh', () => {
  it('a quick sweep leaves the device record, the plan and valid measurements of the named device', () => {
    const r = sweep(120, true);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    for (const f of ['device-sweep.log', 'kref-info.json', 'plan.jsonl', 'kernels-ref-ci-cpu.jsonl']) expect(existsSync(join(r.out, f)), f).toBe(true);
    const parsed = parseMeasurements(readFileSync(join(r.out, 'kernels-ref-ci-cpu.jsonl'), 'utf8'));
    expect(parsed.problems).toEqual([]);
    expect(parsed.measurements.length).toBe(readFileSync(join(r.out, 'plan.jsonl'), 'utf8').trim().split('\n').length);
    expect(new Set(parsed.measurements.map((m) => m.device.id))).toEqual(new Set(['ci-cpu']));
    expect(r.stdout).toMatch(/sweep: \d+ measured, 0 errors/);
  }, 240_000);

  it('a budget that cuts the sweep keeps the finished rows and says so', () => {
    const r = sweep(2, false);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/exit 124/);
    const parsed = parseMeasurements(readFileSync(join(r.out, 'kernels-ref-ci-cpu.jsonl'), 'utf8'));
    expect(parsed.measurements.length).toBeGreaterThan(0);
  }, 240_000);
});
