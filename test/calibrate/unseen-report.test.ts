// calibrate/unseen-report.ts: the shipped profiles scored on the rows of a source outside its fitted sample
// (docs/unseen-rows.md). Run here on DeepBench, with half its lines standing in for the fitted sample: a check of the
// mechanics only (the shipped profiles saw every DeepBench row, so these "unseen" errors are not a measure of accuracy).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const script = (...args: string[]) => spawnSync('npx', ['tsx', 'calibrate/unseen-report.ts', ...args], { cwd: root, encoding: 'utf8' });

describe('unseen-report', () => {
  it('scores every row outside the fitted file, beside the 5-fold table of the fitted rows', () => {
    const [header, ...lines] = readFileSync(join(root, 'data/deepbench_gemm_results.csv'), 'utf8').trim().split('\n');
    const fitted = join(mkdtempSync(join(tmpdir(), 'genz-unseen-')), 'half.csv');
    writeFileSync(fitted, [header, ...lines.filter((_, i) => i % 2 === 0)].join('\n'));
    const r = script('deepbench', 'data/deepbench_gemm_results.csv', fitted);
    expect(r.status, r.stderr).toBe(0);
    const v100 = /\| v100 \| gemm \| \d+ \| (\d+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|/.exec(r.stdout)!;
    const v100Rows = lines.filter((l) => /V100/i.test(l)).length;
    expect(v100Rows).toBeGreaterThan(0);
    // DeepBench lines are one measurement each: the scored rows are the V100's lines not in the fitted half.
    expect(Number(v100[1])).toBe(lines.filter((l, i) => i % 2 === 1 && /V100/i.test(l)).length);
    expect(Number(v100[4])).toBeLessThan(Number(v100[2])); // calibrated beats the defaults
    expect(Number(v100[6])).toBeGreaterThan(0); // the 5-fold columns are filled
  });

  it('says how to run it when the arguments are wrong', () => {
    const r = script('nosuch', 'a.csv', 'b.csv');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/usage: npx tsx calibrate\/unseen-report.ts vidur\|llmcompass\|neusight\|deepbench\|mlperf FULL_FILE FITTED_FILE/);
  });
});
