// Shipped calibration profiles and quantized weights: no curve was fitted on a dequantizing GEMM, so fewer weight
// bits never make a decode step slower (the A100 profile priced Llama-2-7B's W8A16 decode at 19.5 ms per token,
// against 10.2 ms at 16 bits, before such GEMMs went to the default efficiencies).
import { describe, expect, it } from 'vitest';
import { estimate } from '../../index.ts';

const GPUS_WITH_PROFILES = ['a100-80gb-sxm', 'a40', 'h100-sxm', 'h200', 'mi210', 'mi300x', 't4', 'v100'];

describe('quantized weights under the shipped profiles', () => {
  it.each(GPUS_WITH_PROFILES)('%s: Llama-2-7B decode gets no slower as weights narrow (16 → 8 → 4 bits)', (hardware) => {
    const tpot = (wbits: number): number => estimate({ model: 'llama-2-7b', hardware, wbits, batch: 1, inputTokens: 512, outputTokens: 64 }).tpotS;
    const [w16, w8, w4] = [tpot(16), tpot(8), tpot(4)];
    expect(w8).toBeLessThan(w16);
    expect(w4).toBeLessThanOrEqual(w8);
  });

  it('a GEMM whose weights are narrower than its datapath is priced by the defaults, a 16-bit one by the curve', () => {
    const run = (wbits: number, calibration: 'default' | 'none') => estimate({ model: 'llama-2-7b', hardware: 'a100-80gb-sxm', wbits, calibration, inputTokens: 512, outputTokens: 64 });
    const gemm = (r: ReturnType<typeof estimate>) => r.decode.ops.find((o) => o.kind === 'gemm' && o.name.startsWith('mlp down'))!.latencyS;
    expect(gemm(run(4, 'default'))).toBe(gemm(run(4, 'none')));
    expect(gemm(run(16, 'default'))).not.toBe(gemm(run(16, 'none')));
  });
});
