// The energy constants in hardware/energy-constants.ts must match data/energy_constants.json (their source).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DRAM_PJ_PER_BIT, L2_PJ_PER_BIT, LINK_PJ_PER_BIT, TENSOR_PJ_PER_FLOP_AT_4NM, TENSOR_PJ_PER_FLOP_AT_7NM, tensorPjPerFlopAtNode,
} from '../../hardware/energy-constants.ts';
import { estimate, estimateOp } from '../../index.ts';

const table = JSON.parse(readFileSync(new URL('../../data/energy_constants.json', import.meta.url), 'utf8'));

describe('energy constants', () => {
  it('match the compiled table', () => {
    const modern = table.accelerator_flop_energy_modern;
    expect(TENSOR_PJ_PER_FLOP_AT_4NM).toBe(modern.pJ_per_flop_4nm);
    expect(TENSOR_PJ_PER_FLOP_AT_7NM).toBeCloseTo((modern.pJ_per_flop_7nm[0] + modern.pJ_per_flop_7nm[1]) / 2, 9);
    expect(DRAM_PJ_PER_BIT.hbm2).toBe(table.dram_pJ_per_bit_other.hbm2.value);
    expect(DRAM_PJ_PER_BIT.hbm3).toBe(table.fgdram_micro2017_hbm_breakdown_via_attacc.derived_pJ_per_bit.host_hbm_access_total);
    expect(DRAM_PJ_PER_BIT.gddr6).toBe(table.dram_pJ_per_bit_other.gddr6);
    expect(DRAM_PJ_PER_BIT.gddr6x).toBe(table.dram_pJ_per_bit_other.gddr6x.value);
    expect(L2_PJ_PER_BIT).toBe(table.fgdram_micro2017_hbm_breakdown_via_attacc.gpu_onchip_pJ_per_bit.l2);
    expect(LINK_PJ_PER_BIT).toBe(table.fgdram_micro2017_hbm_breakdown_via_attacc.inter_gpu_link_pJ_per_bit.value);
  });

  it('the node power law passes through both published points', () => {
    expect(tensorPjPerFlopAtNode(4)).toBeCloseTo(0.8, 9);
    expect(tensorPjPerFlopAtNode(7)).toBeCloseTo(1.175, 9);
  });

  it('a large H100 GEMM draws a plausible power (between idle and ~1.2× TDP)', () => {
    const r = estimateOp({ kind: 'gemm', m: 8192, n: 8192, k: 8192, dtype: 'bf16', hardware: 'h100-sxm' });
    const powerW = r.energyJ / r.latencyS;
    expect(powerW).toBeGreaterThan(100);
    expect(powerW).toBeLessThan(1.2 * 700);
  });

  it('decode energy per token on A100 is of the order of joules and falls with batch', () => {
    const one = estimate({ model: 'llama-2-7b', hardware: 'a100-80gb-sxm', batch: 1 }).energyJPerToken;
    const many = estimate({ model: 'llama-2-7b', hardware: 'a100-80gb-sxm', batch: 32 }).energyJPerToken;
    expect(one).toBeGreaterThan(0.5);
    expect(one).toBeLessThan(10);
    expect(many).toBeLessThan(one / 5);
  });
});
