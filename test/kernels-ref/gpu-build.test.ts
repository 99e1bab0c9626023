// The GPU backends compile where their compiler exists: CUDA for sm_80 and sm_90 (compile only, no GPU needed),
// and without nvcc/hipcc the make targets say they are skipped and succeed, so CI passes anywhere.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = new URL('../../kernels-ref', import.meta.url).pathname;

function which(tool: string, fallback: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  return existsSync(fallback) ? fallback : undefined;
}

const nvcc = which('nvcc', '/usr/local/cuda/bin/nvcc');

describe('kernels-ref GPU builds', () => {
  it('without a compiler, `make cuda` and `make hip` print one line and exit 0', () => {
    for (const [target, variable] of [['cuda', 'NVCC'], ['hip', 'HIPCC']] as const) {
      const r = spawnSync('make', ['-s', '-C', dir, target, `${variable}=`], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toMatch(new RegExp(`^kernels-ref: ${target === 'cuda' ? 'nvcc' : 'hipcc'} not found, skipping`));
    }
  });

  it.skipIf(!nvcc)(`compiles the CUDA backend for sm_80 and sm_90 with ${nvcc ?? 'nvcc (not found: skipped)'}`, () => {
    const t0 = Date.now();
    execFileSync('make', ['-C', dir, `-j${availableParallelism()}`, 'cuda'], { stdio: 'pipe', timeout: 600_000 });
    console.info(`kernels-ref: make cuda took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const binary = join(dir, 'build/cuda/kref');
    expect(existsSync(binary)).toBe(true);
    // The fat binary carries one cubin per arch; each records the ptxas arch it was built for.
    const text = readFileSync(binary).toString('latin1');
    expect(text).toContain('-arch sm_80');
    expect(text).toContain('-arch sm_90');
    // With no GPU it still lists kernels, and `info` fails cleanly with an error line and exit code 3.
    const list = execFileSync(binary, ['list'], { encoding: 'utf8' }).trim().split('\n').map((l) => JSON.parse(l) as { kernel: string; dtypes: string[] });
    expect(list.find((e) => e.kernel === 'gemm-tensor')!.dtypes).toEqual(['fp16']);
    const info = spawnSync(binary, ['info'], { encoding: 'utf8' });
    if (info.status !== 0) {
      expect(info.status).toBe(3);
      expect(JSON.parse(info.stdout)).toMatchObject({ error: expect.any(String), line: 0 });
    }
  }, 600_000);
});
