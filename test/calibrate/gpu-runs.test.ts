// The lent-GPU runs committed to data/: every row validates; docs/gpu-runs.md is what calibrate/gpu-run-report.ts
// prints from them (so the numbers quoted there are the data's); kernels-ref's PyTorch scripts at least parse.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMeasurements } from '../../index.ts';

const root = new URL('../..', import.meta.url).pathname;
const data = (file: string): string => readFileSync(new URL(`../../data/${file}`, import.meta.url), 'utf8');

describe('H100 runs of 2026-11-26', () => {
  it('every kernels-ref and PyTorch row validates and names the h100-sxm preset', () => {
    for (const file of ['kernels-ref-h100-sxm.jsonl', 'torch-ops-h100-sxm.jsonl']) {
      const parsed = parseMeasurements(data(file));
      expect(parsed.problems, file).toEqual([]);
      expect(new Set(parsed.measurements.map((m) => m.device.id)), file).toEqual(new Set(['h100-sxm']));
    }
    expect(parseMeasurements(data('kernels-ref-h100-sxm.jsonl')).measurements).toHaveLength(597);
  });

  it('docs/gpu-runs.md is the report of the committed data', () => {
    const args = ['tsx', 'calibrate/gpu-run-report.ts', 'data/kernels-ref-h100-sxm.jsonl', 'data/torch-linear-h100-sxm.jsonl', 'data/torch-ops-h100-sxm.jsonl'];
    const r = spawnSync('npx', args, { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(readFileSync(new URL('../../docs/gpu-runs.md', import.meta.url), 'utf8'));
    expect(r.stdout).toMatch(/\| gemm-blas \| fp16 \| 181 \| 785\.0 \|/);
  }, 120_000);

  const hasPython = spawnSync('python3', ['--version']).status === 0;
  it.skipIf(!hasPython)('the PyTorch scripts for a lent GPU parse (python3, where installed)', () => {
    for (const script of ['kernels-ref/torch-check.py', 'kernels-ref/torch-ops.py', 'kernels-ref/plans/gpu-calibration.py']) {
      const r = spawnSync('python3', ['-c', `import ast, sys; ast.parse(open(sys.argv[1]).read())`, script], { cwd: root, encoding: 'utf8' });
      expect(r.status, `${script}: ${r.stderr}`).toBe(0);
    }
  });
});
