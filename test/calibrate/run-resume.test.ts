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

  it('moves a last line cut short by a kill to FILE.partial, so the resumed file reads clean and fit takes it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genz-resume-cut-'));
    const plan = join(dir, 'plan.jsonl');
    const out = join(dir, 'out.jsonl');
    const planLine = (n: number): string => JSON.stringify({ kernel: 'add', shape: { n } });
    writeFileSync(plan, [4096, 8192].map(planLine).join('\n'));
    const args = ['cli/bin.js', 'calibrate', 'run', '--backend', 'cpu', '--plan', plan, '--out', out];
    expect(spawnSync('node', args, { cwd: root, encoding: 'utf8' }).status).toBe(0);
    const whole = lines(out);
    const cut = whole[1]!.slice(0, 60);
    writeFileSync(out, `${whole[0]}\n${cut}`); // the second row's write was interrupted
    const rerun = spawnSync('node', args, { cwd: root, encoding: 'utf8' });
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(/last line was cut short .*moved to .*out\.jsonl\.partial/);
    expect(rerun.stdout).toMatch(/1 measured, 1 already/);
    expect(readFileSync(`${out}.partial`, 'utf8')).toBe(`${cut}\n`); // nothing lost
    expect(lines(out)[0]).toBe(whole[0]);
    expect(parseMeasurements(lines(out).join('\n')).problems).toEqual([]);
    const fit = spawnSync('node', ['cli/bin.js', 'calibrate', 'fit', out, '--out', join(dir, 'p.json')], { cwd: root, encoding: 'utf8' });
    expect(fit.stderr).not.toMatch(/not valid JSON|truncated|line 2/);
  }, 60_000);

  it('a plan line that leaves the variant to kref (its first) is recognized when the sweep is run again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genz-resume-variant-'));
    const plan = join(dir, 'plan.jsonl');
    const out = join(dir, 'out.jsonl');
    writeFileSync(plan, `${JSON.stringify({ kernel: 'gemm-naive', shape: { m: 64, n: 64, k: 64 } })}\n`);
    const args = ['cli/bin.js', 'calibrate', 'run', '--backend', 'cpu', '--plan', plan, '--out', out];
    expect(spawnSync('node', args, { cwd: root, encoding: 'utf8' }).status).toBe(0);
    expect(parseMeasurements(lines(out).join('\n')).measurements.map((m) => m.variant)).toEqual(['tile=16']);
    const again = spawnSync('node', args, { cwd: root, encoding: 'utf8' });
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/0 measured, 1 already/);
    expect(lines(out)).toHaveLength(1);
  }, 60_000);

  it('a line that leaves the device unusable (kref exit 4) is an error, and the run goes on after it in a new process', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genz-resume-lost-'));
    const plan = join(dir, 'plan.jsonl');
    const out = join(dir, 'out.jsonl');
    writeFileSync(plan, ['add', 'mul', 'silu'].map((kernel) => JSON.stringify({ kernel, shape: { n: 4096 } })).join('\n'));
    const run = spawnSync('node', ['cli/bin.js', 'calibrate', 'run', '--backend', 'cpu', '--plan', plan, '--out', out], {
      cwd: root, encoding: 'utf8', env: { ...process.env, KREF_INJECT_LOST: 'mul' },
    });
    expect(run.status, run.stderr).toBe(3); // a line was not measured: the rest are kept, the exit code says so
    expect(parseMeasurements(lines(out).join('\n')).measurements.map((m) => m.kernel)).toEqual(['add', 'silu']);
    expect(run.stdout + run.stderr).toMatch(/plan line 2: injected device loss .*exit 4/);
    expect(run.stdout).toMatch(/2 measured, 0 already .*, 1 not measured \(of 3 planned\)/);
  }, 60_000);
});
