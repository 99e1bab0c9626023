// The calibration loop as README's usage lines run it, and the mistakes a user can make on the way: a file of two
// devices, a --hardware that contradicts the rows, a file given twice, a profile scored on another device's rows,
// --from-file batches with a profile, same-silicon parts. Each of these misled or failed before 2026-11-27.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const genz = (...args: string[]) => spawnSync('node', ['cli/bin.js', ...args], { cwd: root, encoding: 'utf8' });

describe('calibrate fit, report and --calibration from the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'genz-calflags-'));
  const vidur = join(dir, 'vidur.jsonl');
  const a100 = join(dir, 'a100.json');
  // README's lines: import Vidur's A100 + A40 file, fit the A100's rows, report, estimate with the profile.
  spawnSync('node', ['cli/bin.js', 'calibrate', 'import', 'vidur', 'data/vidur_mlp_llama2-7b_tp1_a100_a40.csv', '--out', vidur], { cwd: root });
  spawnSync('node', ['cli/bin.js', 'calibrate', 'fit', vidur, '--device', 'a100-80gb-sxm', '--out', a100], { cwd: root });

  it("runs README's import → fit --device → report → estimate", () => {
    const fit = genz('calibrate', 'fit', vidur, '--device', 'a100-80gb-sxm', '--out', a100);
    expect(fit.status, fit.stderr).toBe(0);
    expect(fit.stdout).toMatch(/^a100-80gb-sxm: .*a100\.json$/m);
    expect(fit.stdout).not.toMatch(/\| a40 \|/);
    expect(JSON.parse(readFileSync(a100, 'utf8')).createdBy).toMatch(/--device a100-80gb-sxm --out /);
    const report = genz('calibrate', 'report', a100);
    expect(report.status, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/\| a100-80gb-sxm \| gemm \|/);
    const estimate = genz('estimate', '--hardware', 'a100-80gb-sxm', '--calibration', a100);
    expect(estimate.status, estimate.stderr).toBe(0);
    expect(estimate.stdout).toMatch(/calibration: a100-80gb-sxm profile for .*gemm/);
  }, 120_000);

  it('--device names a device the files do not hold: an error that lists theirs', () => {
    const r = genz('calibrate', 'fit', vidur, '--device', 'h100-sxm', '--out', join(dir, 'x.json'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no measurements of device "h100-sxm".*a100-80gb-sxm, a40/);
  });

  it('--hardware that contradicts the device the rows name is refused, not a silent relabel', () => {
    const attention = join(dir, 'attention.jsonl');
    expect(genz('calibrate', 'import', 'vidur', 'data/vidur_attention_a100_llama2-70b_tp2_subsample.csv', '--out', attention).status).toBe(0);
    const r = genz('calibrate', 'fit', attention, '--hardware', 'h100-sxm', '--out', join(dir, 'wrong.json'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/the measurements say they are of a100-80gb-sxm; --hardware h100-sxm is for files that do not name their device/);
  }, 60_000);

  it('CPU rows fitted as a GPU preset are refused', () => {
    const r = genz('calibrate', 'fit', 'data/kernels-ref-cpu-ci.jsonl', '--hardware', 'h100-sxm', '--out', join(dir, 'cpu-as-gpu.json'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--hardware h100-sxm is a gpu, but \d+ of the measurements ran on a CPU backend/);
  });

  it('a file given twice counts each measurement once', () => {
    const once = genz('calibrate', 'fit', vidur, '--device', 'a40', '--out', join(dir, 'a40-once.json'));
    const twice = genz('calibrate', 'fit', vidur, vidur, '--device', 'a40', '--out', join(dir, 'a40-twice.json'));
    expect(once.status, once.stderr).toBe(0);
    expect(twice.status, twice.stderr).toBe(0);
    const gemmRow = (text: string): string => /\| a40 \| gemm \|[^\n]*/.exec(text)![0];
    expect(gemmRow(twice.stdout)).toBe(gemmRow(once.stdout));
    const curves = (file: string): unknown => JSON.parse(readFileSync(join(dir, file), 'utf8')).families;
    expect(curves('a40-twice.json')).toEqual(curves('a40-once.json'));
    expect(twice.stdout).toMatch(/repeated rows .* counted once/);
  }, 60_000);

  it('a profile is not scored on another device\'s rows', () => {
    const r = genz('calibrate', 'report', a100, '--measurements', 'data/kernels-ref-cpu-ci.jsonl');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no measurements of device "a100-80gb-sxm"; found amd-epyc/);
  });

  it('a profile of one part carries to a part of the same silicon, and says so', () => {
    const relabelled = { ...JSON.parse(readFileSync(a100, 'utf8')), deviceId: 'a100-40gb-sxm' };
    writeFileSync(join(dir, 'a100-40.json'), JSON.stringify(relabelled));
    const r = genz('estimate', '--model', 'llama-2-7b', '--hardware', 'a100-40gb-sxm', '--calibration', a100);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/calibration: a100-80gb-sxm \(same silicon as a100-40gb-sxm\) profile/);
    const reverse = genz('estimate', '--model', 'llama-2-7b', '--hardware', 'a100-80gb-sxm', '--calibration', join(dir, 'a100-40.json'));
    expect(reverse.status, reverse.stderr).toBe(0); // either way round
    expect(reverse.stdout).toMatch(/calibration: a100-40gb-sxm \(same silicon as a100-80gb-sxm\) profile/);
    const other = genz('estimate', '--hardware', 'h100-sxm', '--calibration', a100);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/profile is for a100-80gb-sxm, but the hardware is h100-sxm/);
  });

  it('the note says when the shipped profile was turned off, not that there is none', () => {
    for (const flag of [['--calibration', 'none'], ['--ideal']]) {
      const r = genz('estimate', '--hardware', 'h100-sxm', ...flag);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/shipped calibration profile is off/);
    }
    expect(genz('estimate', '--hardware', 'l4', '--model', 'llama-3.2-1b').stdout).toMatch(/no calibration profile for this device/);
  });

  it('op --from-file applies --hardware and --calibration to every line, and a line may name a profile file', () => {
    const ops = join(dir, 'ops.jsonl');
    writeFileSync(ops, [
      JSON.stringify({ kind: 'gemm', m: 4096, n: 4096, k: 4096 }),
      JSON.stringify({ kind: 'gemm', m: 4096, n: 4096, k: 4096, calibration: 'none' }),
      JSON.stringify({ kind: 'gemm', m: 4096, n: 4096, k: 4096, calibration: a100 }),
    ].join('\n'));
    const single = (calibration: string): number => JSON.parse(genz('op', 'gemm', '--m', '4096', '--n', '4096', '--k', '4096', '--hardware', 'a100-80gb-sxm', '--calibration', calibration, '--json').stdout).latencyS;
    const r = genz('op', '--from-file', ops, '--hardware', 'a100-80gb-sxm', '--calibration', a100, '--json');
    expect(r.status, r.stderr).toBe(0);
    const results = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { hardware: string; latencyS: number });
    expect(results.map((x) => x.hardware)).toEqual(['a100-80gb-sxm', 'a100-80gb-sxm', 'a100-80gb-sxm']);
    expect(results[0]!.latencyS).toBe(single(a100));
    expect(results[1]!.latencyS).toBe(single('none'));
    expect(results[2]!.latencyS).toBe(single(a100));
    expect(single(a100)).not.toBe(single('none')); // the profile really moved the price
    const missing = genz('op', '--from-file', ops, '--calibration', join(dir, 'nonexistent.json'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nonexistent\.json/);
    const nullLine = join(dir, 'null.jsonl');
    writeFileSync(nullLine, 'null\n');
    const bad = genz('op', '--from-file', nullLine);
    expect(bad.status).toBe(2); // a user error naming the line, not a crash
    expect(bad.stderr).toMatch(/line 1: .*expected an object/);
    // A profile without --hardware names every line's device, also of a line that turns calibration off.
    const off = join(dir, 'off.jsonl');
    writeFileSync(off, `${JSON.stringify({ kind: 'gemm', m: 64, n: 64, k: 64, calibration: 'none' })}\n`);
    expect(JSON.parse(genz('op', '--from-file', off, '--calibration', a100, '--json').stdout).hardware).toBe('a100-80gb-sxm');
    const shape = genz('op', '--from-file', ops, '--m', '64');
    expect(shape.status).toBe(2);
    expect(shape.stderr).toMatch(/--m: with --from-file give operator shapes on each JSON line/);
  }, 60_000);

  it('run --device-id must name a preset', () => {
    const r = genz('calibrate', 'run', '--backend', 'cpu', '--quick', '--device-id', 'h100-sxn', '--out', join(dir, 'never.jsonl'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown device "h100-sxn" for --device-id; closest presets: .*h100-sxm/);
  });
});
