// Energy of one op: compute by datapath + bytes per memory level + link bytes + static power over its time.
import type { ComputeDtype } from '../common/dtype.ts';
import type { Device } from '../hardware/device-schema.ts';
import {
  DRAM_PJ_PER_BIT, FP32_TO_FP16_MAC_ENERGY_RATIO, L2_PJ_PER_BIT, LINK_PJ_PER_BIT, tensorPjPerFlopAtNode,
} from '../hardware/energy-constants.ts';

const PJ = 1e-12;

export interface EnergyRates {
  /** Joules per tensor FLOP by dtype. */
  tensorJPerFlop: Partial<Record<ComputeDtype, number>>;
  vectorJPerFlop: number;
  dramJPerByte: number;
  onChipJPerByte: number;
  linkJPerByte: number;
  idleW: number;
}

/**
 * Per-device energy rates. A tensor dtype's energy per FLOP scales with 1/(its peak ÷ the FP16 peak): at one
 * power limit, a datapath that does twice the FLOPs spends half the energy on each.
 */
export function energyRates(device: Device): EnergyRates {
  const fp16PjPerFlop = tensorPjPerFlopAtNode(device.processNm);
  const peaks = device.peakFlopsPerS;
  const reference = peaks.fp16 ?? peaks.bf16 ?? peaks.fp32;
  const vectorPj = fp16PjPerFlop * FP32_TO_FP16_MAC_ENERGY_RATIO;
  const tensorJPerFlop: Partial<Record<ComputeDtype, number>> = {};
  for (const [dtype, peak] of Object.entries(peaks) as [ComputeDtype, number | undefined][]) {
    if (peak === undefined) continue;
    tensorJPerFlop[dtype] = dtype === 'fp32' ? vectorPj * PJ : fp16PjPerFlop * (reference / peak) * PJ;
  }
  const main = device.memory[0]!;
  return {
    tensorJPerFlop,
    vectorJPerFlop: vectorPj * PJ,
    dramJPerByte: DRAM_PJ_PER_BIT[main.technology] * 8 * PJ,
    onChipJPerByte: L2_PJ_PER_BIT * 8 * PJ,
    linkJPerByte: LINK_PJ_PER_BIT * 8 * PJ,
    idleW: device.power.idleW,
  };
}
