// The GPU backends compile where their compiler exists: CUDA for sm_80 and sm_90, HIP for the AMD archs hipcc knows
// (compile only, no GPU needed; CI installs Debian's hipcc), and without nvcc/hipcc the make targets say they are
// skipped and succeed, so CI passes anywhere.
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
const hipcc = which('hipcc', '/opt/rocm/bin/hipcc');

/** Without a GPU the binary still lists its kernels, and `info` fails cleanly with an error line and exit code 3. */
function runsWithoutGpu(binary: string): Array<{ kernel: string; dtypes: string[]; supported: boolean; reason?: string }> {
  const list = execFileSync(binary, ['list'], { encoding: 'utf8' }).trim().split('\n').map((l) => JSON.parse(l) as { kernel: string; dtypes: string[]; supported: boolean; reason?: string });
  const info = spawnSync(binary, ['info'], { encoding: 'utf8' });
  if (info.status !== 0) {
    expect(info.status).toBe(3);
    expect(JSON.parse(info.stdout)).toMatchObject({ error: expect.any(String), line: 0 });
  }
  return list;
}

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
    expect(runsWithoutGpu(binary).find((e) => e.kernel === 'gemm-tensor')!.dtypes).toEqual(['fp16']);
  }, 600_000);

  it.skipIf(!hipcc)(`compiles the HIP backend for AMD (gfx90a, and gfx942 where hipcc knows it) with ${hipcc ?? 'hipcc (not found: skipped)'}`, () => {
    const t0 = Date.now();
    const out = execFileSync('make', ['-C', dir, `-j${availableParallelism()}`, 'hip'], { encoding: 'utf8', timeout: 600_000 });
    console.info(`kernels-ref: make hip took ${((Date.now() - t0) / 1000).toFixed(1)} s${/does not know/.test(out) ? ` (${/building for .*/.exec(out)![0]})` : ''}`);
    const binary = join(dir, 'build/hip/kref');
    expect(existsSync(binary)).toBe(true);
    // The offload bundle names the code object of each arch.
    expect(readFileSync(binary).toString('latin1')).toContain('amdgcn-amd-amdhsa--gfx90a');
    const list = runsWithoutGpu(binary);
    expect(list.find((e) => e.kernel === 'gemm-smem')!.supported).toBe(true);
    expect(list.find((e) => e.kernel === 'attention-flash')!.supported).toBe(true);
    // Tensor cores need rocWMMA headers; where they are missing the kernel says why instead of failing the build.
    const tensor = list.find((e) => e.kernel === 'gemm-tensor')!;
    if (!tensor.supported) expect(tensor.reason).toMatch(/rocWMMA/);
  }, 600_000);
});
