// `genz calibrate import → fit → report --folds`: the public DeepBench rows through the CLI, with the layout kept
// and a k-fold cross-validation table printed beside the held-out one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const genz = (...args: string[]) => spawnSync('node', ['cli/bin.js', ...args], { cwd: root, encoding: 'utf8' });

describe('calibrate report --folds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'genz-report-'));
  const rows = join(dir, 'deepbench.jsonl');
  // The import is every test's input (one run for the file, so each test also runs alone with -t).
  spawnSync('node', ['cli/bin.js', 'calibrate', 'import', 'deepbench', 'data/deepbench_gemm_results.csv', '--out', rows], { cwd: root });

  it('imports with layouts, fits, and cross-validates every row once', () => {
    expect(genz('calibrate', 'import', 'deepbench', 'data/deepbench_gemm_results.csv', '--out', rows).status).toBe(0);
    const v100 = readFileSync(rows, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { device: { id?: string }; layout?: string }).filter((m) => m.device.id === 'v100');
    expect(new Set(v100.map((m) => m.layout))).toEqual(new Set(['NN', 'NT', 'TN']));
    const fit = genz('calibrate', 'fit', rows, '--out', join(dir, 'p.json'));
    expect(fit.status, fit.stderr).toBe(0);
    const report = genz('calibrate', 'report', join(dir, 'p-v100.json'), '--measurements', rows, '--folds', '5');
    expect(report.status, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/## 5-fold cross-validation/);
    const cvRow = /\| v100 \| gemm \| (\d+) \| ([\d.]+) \| ([\d.]+) \|/.exec(report.stdout.slice(report.stdout.indexOf('## 5-fold')))!;
    expect(Number(cvRow[1])).toBe(v100.length);
    expect(Number(cvRow[2])).toBeLessThan(10); // the GEMM median target holds on V100 in cross-validation
    // The data check: DeepBench's V100 runs its large GEMMs in a narrow band.
    const spread = /\| v100 \| gemm \| fp32 \| (\d+) \| [\d.]+ \| [\d.]+ \| [\d.]+ \| ([\d.]+) \|/.exec(report.stdout.slice(report.stdout.indexOf('## Throughput of large GEMMs')))!;
    expect(Number(spread[1])).toBeGreaterThan(10);
    expect(Number(spread[2])).toBeLessThan(1.5);
  });

  it('says what became of the given rows; --all-rows scores every row of the device, not the held-out split', () => {
    const held = genz('calibrate', 'report', 'data/profiles/v100.json', '--measurements', rows);
    expect(held.status, held.stderr).toBe(0);
    const all = readFileSync(rows, 'utf8').trim().split('\n').length;
    const v100 = readFileSync(rows, 'utf8').split('\n').filter((l) => l.includes('"id":"v100"')).length;
    expect(held.stdout).toContain(`v100: ${v100} of ${all} given rows are of this device (${all - v100} of `);
    const every = genz('calibrate', 'report', 'data/profiles/v100.json', '--measurements', rows, '--all-rows');
    expect(every.status, every.stderr).toBe(0);
    expect(every.stdout).toMatch(/\(all given measurements\)/);
    const scored = /\| v100 \| gemm \| — \| (\d+) \|/.exec(every.stdout)!;
    expect(Number(scored[1])).toBe(v100);
    const split = /\| v100 \| gemm \| (\d+) \| (\d+) \|/.exec(held.stdout)!;
    expect(Number(split[1]) + Number(split[2])).toBe(v100);
    expect(genz('calibrate', 'report', 'data/profiles/v100.json', '--all-rows').status).toBe(2);
  });

  it('--no-neighbors fits the curves alone (no neighbour tables, and says so in createdBy)', () => {
    const v100 = join(dir, 'v100.jsonl');
    writeFileSync(v100, readFileSync(rows, 'utf8').split('\n').filter((l) => l.includes('"id":"v100"')).join('\n'));
    expect(genz('calibrate', 'fit', v100, '--out', join(dir, 'tables-v100.json')).status).toBe(0);
    const fit = genz('calibrate', 'fit', v100, '--no-neighbors', '--out', join(dir, 'plain-v100.json'));
    expect(fit.status, fit.stderr).toBe(0);
    const withTables = readFileSync(join(dir, 'tables-v100.json'), 'utf8');
    const plain = readFileSync(join(dir, 'plain-v100.json'), 'utf8');
    expect(withTables).toMatch(/"neighbors"/); // cross-validation keeps the V100's GEMM table
    expect(plain).not.toMatch(/"neighbors"/);
    expect(JSON.parse(plain).createdBy).toMatch(/--no-neighbors/);
    // The profile says whether its fit could keep tables, so cross-validation repeats that procedure.
    expect(JSON.parse(plain).neighborTables).toBe(false);
    expect(JSON.parse(withTables).neighborTables).toBe(true);
  });

  it('--except scores only the rows the profile was not fitted on', () => {
    const v100 = readFileSync(rows, 'utf8').split('\n').filter((l) => l.includes('"id":"v100"'));
    const fitted = join(dir, 'v100-half.jsonl');
    writeFileSync(fitted, v100.filter((_, i) => i % 2 === 0).join('\n'));
    expect(genz('calibrate', 'fit', fitted, '--out', join(dir, 'half-v100.json')).status).toBe(0);
    const report = genz('calibrate', 'report', join(dir, 'half-v100.json'), '--measurements', rows, '--except', fitted);
    expect(report.status, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/given measurements not among the fitted ones/);
    expect(report.stdout).toMatch(/\| device \| family \| fitted rows \| unseen rows \|/);
    const row = /\| v100 \| gemm \| (\d+) \| (\d+) \| [\d.]+ \| [\d.]+ \| ([\d.]+) \| ([\d.]+) \|/.exec(report.stdout)!;
    expect(Number(row[1])).toBe(Math.ceil(v100.length / 2));
    expect(Number(row[2])).toBe(v100.length - Math.ceil(v100.length / 2)); // every unseen row, none of the fitted
    expect(Number(row[3])).toBeLessThan(10); // half the V100's shapes predict the other half
    // Nothing unseen: a clear error, not an empty table.
    const none = genz('calibrate', 'report', join(dir, 'half-v100.json'), '--measurements', fitted, '--except', fitted);
    expect(none.status).not.toBe(0);
    expect(none.stderr).toMatch(/nothing unseen to score/);
    const alone = genz('calibrate', 'report', join(dir, 'half-v100.json'), '--except', fitted);
    expect(alone.status).not.toBe(0);
    expect(alone.stderr).toMatch(/--except needs --measurements/);
  });

  it('--except: slower kernels of a fitted problem are not unseen; a device without fitted rows given is named, not scored', () => {
    // kernels-ref's CPU run without its hand-written GEMMs: the fit would use none of them (the vendor BLAS row of each
    // problem, or no row), so nothing is left to score.
    const cpu = readFileSync(join(root, 'data/kernels-ref-cpu-ci.jsonl'), 'utf8').trim().split('\n');
    const ownGemms = /"kernel":"(gemm-naive|gemm-smem|batched-gemm|flat-gemm|gemv)"/;
    const fitted = join(dir, 'cpu-fitted.jsonl');
    writeFileSync(fitted, cpu.filter((l) => !ownGemms.test(l)).join('\n'));
    const none = genz('calibrate', 'report', 'data/profiles/amd-epyc.json', '--measurements', 'data/kernels-ref-cpu-ci.jsonl', '--except', fitted);
    expect(none.status).not.toBe(0);
    expect(none.stderr).toMatch(/nothing unseen to score/);
    // Two thirds of those fitted: the CPU's other third is scored; the H200, whose fitted rows were not given, is named.
    const twoThirds = join(dir, 'cpu-two-thirds.jsonl');
    writeFileSync(twoThirds, cpu.filter((l) => !ownGemms.test(l)).filter((_, i) => i % 3 !== 2).join('\n'));
    const r = genz('calibrate', 'report', 'data/profiles/amd-epyc.json', 'data/profiles/h200.json', '--measurements', 'data/kernels-ref-cpu-ci.jsonl', 'data/kernels-ref-h200.jsonl', '--except', twoThirds);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\| amd-epyc \| gemm \| \d+ \| \d+ \|/);
    expect(r.stdout.slice(0, r.stdout.indexOf('Not scored'))).not.toMatch(/\| h200 \|/); // (the data check below the report lists it)
    expect(r.stdout).toMatch(/Not scored: none of the fitted measurements \(except\) is of device "h200"/);
  });

  it('--folds needs the measurements to refit on', () => {
    const r = genz('calibrate', 'report', 'data/profiles/v100.json', '--folds', '5');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--folds needs --measurements/);
  });
});

describe('calibrate import --device', () => {
  const dir = mkdtempSync(join(tmpdir(), 'genz-import-'));

  it('leaves rows with a bad cell out, naming each by line, and imports the rest; --strict rejects the file', () => {
    const [head, ...rows] = readFileSync(join(root, 'data/deepbench_gemm_results.csv'), 'utf8').split('\n').slice(0, 6);
    const file = join(dir, 'gaps.csv');
    // A kept-back DeepBench sheet may lack a time where a kernel was not run.
    writeFileSync(file, [head, ...rows, 'NVIDIA V100,train,Results FP32,Float,DeepSpeech,1760,128,1760,N,N,,', ''].join('\n'));
    const lenient = genz('calibrate', 'import', 'deepbench', file, '--out', join(dir, 'gaps.jsonl'));
    expect(lenient.status, lenient.stderr).toBe(0);
    expect(lenient.stdout).toMatch(/^5 measurements .*; 1 rows with bad cells left out/m);
    expect(lenient.stderr).toMatch(/genz: skipped line 7\.time_ms: expected a positive number, found an empty cell/);
    expect(readFileSync(join(dir, 'gaps.jsonl'), 'utf8').trim().split('\n')).toHaveLength(5);
    const strict = genz('calibrate', 'import', 'deepbench', file, '--strict', '--out', join(dir, 'strict.jsonl'));
    expect(strict.status).toBe(2);
    expect(strict.stderr).toMatch(/line 7\.time_ms/);
    // Every row left out by design (Vidur attention of another backend): an error, not an empty file.
    const vidur = readFileSync(join(root, 'data/vidur_attention_a100_llama2-70b_tp2_subsample.csv'), 'utf8').trim().split('\n').slice(0, 4);
    const flashinfer = join(dir, 'flashinfer.csv');
    writeFileSync(flashinfer, [`${vidur[0]},attention_backend`, ...vidur.slice(1).map((l) => `${l},FLASHINFER`), ''].join('\n'));
    const none = genz('calibrate', 'import', 'vidur', flashinfer, '--device', 'a100', '--out', join(dir, 'fi.jsonl'));
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/left out 3 rows of attention backend FLASHINFER[\s\S]*no measurement of .* is of a kernel genz models/);
    // No row reads: a wrong file, rejected either way.
    writeFileSync(file, [head, 'NVIDIA V100,train,Results FP32,Float,DeepSpeech,1760,128,1760,N,N,,', ''].join('\n'));
    expect(genz('calibrate', 'import', 'deepbench', file, '--out', join(dir, 'none.jsonl')).status).toBe(2);
  });

  it("names the device of a Vidur file that has no device column; other sources refuse it", () => {
    const attention = join(dir, 'attention.csv'); // a name without a Vidur device folder in it
    writeFileSync(attention, readFileSync(join(root, 'data/vidur_attention_a100_llama2-70b_tp2_subsample.csv')));
    const none = genz('calibrate', 'import', 'vidur', attention, '--out', join(dir, 'a.jsonl'));
    expect(none.status).not.toBe(0);
    expect(none.stderr).toMatch(/no device column.*--device NAME/);
    const h100 = genz('calibrate', 'import', 'vidur', attention, '--device', 'h100', '--out', join(dir, 'a.jsonl'));
    expect(h100.status, h100.stderr).toBe(0);
    expect(h100.stdout).toMatch(/2721 measurements .*\(h100-sxm\)/);
    const other = genz('calibrate', 'import', 'deepbench', 'data/deepbench_gemm_results.csv', '--device', 'h100', '--out', join(dir, 'd.jsonl'));
    expect(other.status).not.toBe(0);
    expect(other.stderr).toMatch(/--device applies to vidur and mlperf files only/);
  });

  it('names the GPU of an MLPerf tuning table (default: the MI300X of Dell\'s submission)', () => {
    const table = 'data/mlperf_v41_dell_mi300x_fp8_gemm_sample.csv';
    const dell = genz('calibrate', 'import', 'mlperf', table, '--out', join(dir, 'm.jsonl'));
    expect(dell.stdout).toMatch(/27 measurements .*\(mi300x\)/);
    const h200 = genz('calibrate', 'import', 'mlperf', table, '--device', 'H200', '--out', join(dir, 'h.jsonl'));
    expect(h200.status, h200.stderr).toBe(0);
    const first = JSON.parse(readFileSync(join(dir, 'h.jsonl'), 'utf8').split('\n')[0]!) as { device: { id: string; name: string; backend: string } };
    expect(first.device).toMatchObject({ id: 'h200', backend: 'cuda' });
    const unknown = genz('calibrate', 'import', 'mlperf', table, '--device', 'mi325x', '--out', join(dir, 'x.jsonl'));
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/--device "mi325x" is not a genz GPU preset \(closest: .*mi300x/);
  });
});
