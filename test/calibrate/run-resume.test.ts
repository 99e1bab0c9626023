// `genz calibrate run` appends as it goes and resumes: a killed run loses no finished row, and the rerun
// measures only what is missing (issue 4, "a test that kills it").
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMeasurements, measurementKey } from '../../index.ts';

const root = new URL('../..', import.meta.url).pathname;
const lines = (path: string): string[] => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '') : []);

describe('calibrate run', () => {
  it('resumes a killed sweep without redoing or losing rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'genz-resume-'));
    const plan = join(dir, 'plan.jsonl');
    const out = join(dir, 'out.jsonl');
    // 24 distinct GEMMs, each some tens of milliseconds on the CPU backend.
    writeFileSync(plan, Array.from({ length: 24 }, (_, i) => JSON.stringify({ kernel: 'gemm-naive', shape: { m: 192 + 8 * i, n: 192, k: 192 }, dtype: 'fp32', variant: 'tile=16' })).join('\n'));
    const args = ['cli/bin.js', 'calibrate', 'run', '--backend', 'cpu', '--plan', plan, '--out', out];
    const child = spawn('node', args, { cwd: root, stdio: 'ignore' });
    const started = Date.now();
    while (lines(out).length < 4 && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const before = lines(out);
    expect(before.length).toBeGreaterThanOrEqual(4);
    expect(before.length).toBeLessThan(24); // it was really interrupted

    const rerun = spawnSync('node', args, { cwd: root, encoding: 'utf8' });
    expect(rerun.status).toBe(0);
    const after = lines(out);
    expect(after.slice(0, before.length)).toEqual(before); // nothing already recorded was lost or rewritten
    const parsed = parseMeasurements(after.join('\n'));
    expect(parsed.problems).toEqual([]);
    expect(parsed.measurements.length).toBe(24);
    expect(new Set(parsed.measurements.map(measurementKey)).size).toBe(24); // nothing measured twice
    expect(rerun.stdout).toMatch(new RegExp(`${24 - before.length} measured, ${before.length} already`));
  }, 120_000);
});
