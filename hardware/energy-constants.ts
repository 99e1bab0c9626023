// Energy constants, transcribed from data/energy_constants.json (a copy of the project's compiled table;
// see data/manifest.json). test/hardware/energy-constants.test.ts checks they still match the file.
import type { MemoryTechnology } from './device-schema.ts';

/** System-level energy per FP16/BF16 tensor FLOP at two nodes ("Trends in Energy Estimates for Computing in AI/ML Accelerators", via energy_constants.json accelerator_flop_energy_modern). */
export const TENSOR_PJ_PER_FLOP_AT_7NM = (1.1 + 1.25) / 2;
export const TENSOR_PJ_PER_FLOP_AT_4NM = 0.8;

/** FP32 : FP16 multiply-add energy ratio at 45 nm (Horowitz ISSCC 2014: fp32 mul 3.7 + add 0.9 vs fp16 1.1 + 0.4 pJ). */
export const FP32_TO_FP16_MAC_ENERGY_RATIO = (3.7 + 0.9) / (1.1 + 0.4);

/** DRAM access energy per bit by technology (energy_constants.json dram_pJ_per_bit_other and FGDRAM breakdown). */
export const DRAM_PJ_PER_BIT: Readonly<Record<MemoryTechnology, number>> = {
  hbm2: 3.97, // dram_pJ_per_bit_other.hbm2
  hbm2e: 3.97, // same generation as hbm2; no separate figure in the table
  hbm3: 3.59, // fgdram host_hbm_access_total
  hbm3e: 3.59, // fgdram host_hbm_access_total; no separate figure in the table
  gddr6: 7.5, // dram_pJ_per_bit_other.gddr6
  gddr6x: 7.25, // dram_pJ_per_bit_other.gddr6x (Micron)
  lpddr5: 13.0, // lpddr4 lower bound (13–14); no LPDDR5 figure in the table
  lpddr5x: 13.0, // as lpddr5
  ddr5: 13.0, // as lpddr5; no DDR5 figure in the table
};

/** GPU L2 read energy per bit (AttAcc config citing FGDRAM, gpu_onchip_pJ_per_bit.l2). */
export const L2_PJ_PER_BIT = 0.3;

/** Inter-GPU link energy per bit (AttAcc config citing ISSCC 2023, inter_gpu_link_pJ_per_bit). */
export const LINK_PJ_PER_BIT = 1.3;

/**
 * FP16 tensor energy per FLOP at a process node: a power law through the 4 nm and 7 nm points
 * (exponent ln(1.175/0.8)/ln(7/4) ≈ 0.69), used to place other nodes.
 */
export function tensorPjPerFlopAtNode(processNm: number): number {
  const exponent = Math.log(TENSOR_PJ_PER_FLOP_AT_7NM / TENSOR_PJ_PER_FLOP_AT_4NM) / Math.log(7 / 4);
  return TENSOR_PJ_PER_FLOP_AT_4NM * Math.pow(processNm / 4, exponent);
}
