// kernels-ref/device-sweep.sh, the one prepared call for a lent GPU, tried on the CPU backend: it records the
// device, writes the plan and the measurements (valid genz.measurement.v1 with the given device id), and keeps the
// finished rows when the budget cuts the sweep short.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMeasurements } from '../../index.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function sweep(budgetS: number, quick: boolean, env: Record<string, string> = {}) {
  const out = mkdtempSync(join(tmpdir(), 'genz-device-sweep-'));
  const args = ['kernels-ref/device-sweep.sh', 'cpu', 'ci-cpu', String(budgetS), ...(quick ? ['--quick'] : [])];
  const r = spawnSync('bash', args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, OUT: out, ...env }, timeout: 240_000 });
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

  it('PLAN_ONLY runs the extra plan alone (a second call on a card already swept), and needs one', () => {
    const plan = join(mkdtempSync(join(tmpdir(), 'genz-plan-')), 'extra.jsonl');
    writeFileSync(plan, '{"kernel":"add","shape":{"n":1024}}\n{"kernel":"mul","shape":{"n":4096}}\n');
    const r = sweep(60, false, { PLAN_ONLY: '1', EXTRA_PLAN: plan });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(join(r.out, 'plan.jsonl'), 'utf8').trim().split('\n')).toEqual(['{"kernel":"add","shape":{"n":1024}}', '{"kernel":"mul","shape":{"n":4096}}']);
    expect(r.stdout).toMatch(/plan: 2 lines \(only .*extra\.jsonl\)/);
    expect(parseMeasurements(readFileSync(join(r.out, 'kernels-ref-ci-cpu.jsonl'), 'utf8')).measurements.map((m) => m.kernel)).toEqual(['add', 'mul']);
    const alone = sweep(60, false, { PLAN_ONLY: '1', EXTRA_PLAN: '' });
    expect(alone.status).toBe(1);
    expect(alone.stdout).toMatch(/PLAN_ONLY=1 needs EXTRA_PLAN/);
    expect(alone.stdout).not.toMatch(/build:/);  // checked before the build
    const quick = sweep(60, true, { PLAN_ONLY: '1', EXTRA_PLAN: plan });
    expect(quick.status).toBe(1);
    expect(quick.stdout).toMatch(/use one or the other/);
    // KREF_RUN_ARGS reaches every kref run (on a GPU: --graph); one kref refuses stops the sweep at once, said so.
    const args = sweep(60, false, { PLAN_ONLY: '1', EXTRA_PLAN: plan, KREF_RUN_ARGS: '--repeats 4' });
    expect(args.status, args.stdout + args.stderr).toBe(0);
    expect(args.stdout).toMatch(/plan: 2 lines .*; kref run --repeats 4/);
    expect(parseMeasurements(readFileSync(join(args.out, 'kernels-ref-ci-cpu.jsonl'), 'utf8')).measurements.map((m) => m.repeats)).toEqual([4, 4]);
    const graph = sweep(60, false, { PLAN_ONLY: '1', EXTRA_PLAN: plan, KREF_RUN_ARGS: '--graph' });
    expect(graph.status).toBe(1);
    expect(graph.stdout).toMatch(/kref run stopped with exit 2/);
  }, 240_000);

  it('a budget that cuts the sweep keeps the finished rows and says so', () => {
    const r = sweep(2, false);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/exit 124/);
    const parsed = parseMeasurements(readFileSync(join(r.out, 'kernels-ref-ci-cpu.jsonl'), 'utf8'));
    expect(parsed.measurements.length).toBeGreaterThan(0);
  }, 240_000);

  it('a plan line that crashes kref, hangs it, or leaves the device unusable is recorded and the sweep goes on after it', () => {
    // A stand-in kref (the real one cannot be made to crash on purpose): plan lines marked crash/hang/lost misbehave.
    const root = mkdtempSync(join(tmpdir(), 'genz-device-sweep-fake-'));
    mkdirSync(join(root, 'kernels-ref/build/cpu'), { recursive: true });
    copyFileSync(join(ROOT, 'kernels-ref/device-sweep.sh'), join(root, 'kernels-ref/device-sweep.sh'));
    writeFileSync(join(root, 'kernels-ref/Makefile'), 'cpu:\n\t@true\n');
    const kref = join(root, 'kernels-ref/build/cpu/kref');
    writeFileSync(kref, [
      '#!/usr/bin/env bash',
      'case "$1" in',
      '  info) echo \'{"name":"fake"}\';;',
      '  list) echo \'{"kernel":"gemm-blas","supported":true}\';;',
      '  plan) for k in add crash silu hang gelu lost mul; do echo "{\\"kernel\\":\\"$k\\"}"; done;;',
      '  run) while read -r l; do case "$l" in',
      '    *crash*) exit 139;; *hang*) exec sleep 60;; *lost*) echo \'{"error":"illegal address","line":1}\'; exit 4;;',
      '    *) echo "{\\"schema\\":\\"genz.measurement.v1\\",\\"line\\":$l,\\"dtype\\":\\"fp32\\",\\"medianS\\":1e-6}";; esac; done;;',
      'esac',
    ].join('\n'));
    chmodSync(kref, 0o755);
    const out = join(root, 'out');
    const r = spawnSync('bash', ['kernels-ref/device-sweep.sh', 'cpu', 'fake', '60'], { cwd: root, encoding: 'utf8', env: { ...process.env, OUT: out, STALL_S: '2' }, timeout: 60_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/sweep: 4 measured, 3 errors, 7 of 7 plan lines/);
    // Run order: unknown kernels (group 1, like the BLAS) before the elementwise ones, each group in plan order.
    expect(r.stdout).toMatch(/plan line 1 stopped kref \(exit 139\)/);
    expect(r.stdout).toMatch(/plan line 2 stopped kref \(no output for 2 s\)/);
    expect(r.stdout).toMatch(/plan line 3 left the device unusable/);
    const rows = readFileSync(join(out, 'kernels-ref-fake.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: { kernel: string } });
    expect(rows.map((row) => row.line.kernel)).toEqual(['add', 'silu', 'gelu', 'mul']);
    const errors = readFileSync(join(out, 'errors.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { plan: { kernel: string } });
    expect(errors.map((e) => e.plan.kernel)).toEqual(['crash', 'hang', 'lost']);

    // No device (kref exit 3) is no plan line's fault: the sweep stops at once instead of restarting per line.
    writeFileSync(kref, readFileSync(kref, 'utf8').replace(/ {2}run\).*esac; done;;/s, '  run) echo \'{"error":"no CUDA device available","line":0}\'; exit 3;;'));
    const none = spawnSync('bash', ['kernels-ref/device-sweep.sh', 'cpu', 'fake', '60'], { cwd: root, encoding: 'utf8', env: { ...process.env, OUT: out }, timeout: 60_000 });
    expect(none.status).not.toBe(0);
    expect(none.stdout).toMatch(/kref run stopped with exit 3: .*no CUDA device/);
    expect(none.stdout).toMatch(/sweep: 0 measured, 0 errors, 0 of 7 plan lines/);
  }, 60_000);
});
