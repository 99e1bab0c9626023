// Builders shared by the cycle-engine tests: a cost context for a device, ops, and a seeded random generator.
import type { Device } from '../../../hardware/device-schema.ts';
import { findDevice } from '../../../hardware/registry.ts';
import type { AttentionOp, ElementwiseOp, GemmOp } from '../../../models/ops.ts';
import type { CostContext } from '../../../simulator/cost.ts';
import { DEFAULT_EFFICIENCY, IDEAL_EFFICIENCY } from '../../../simulator/efficiency.ts';
import { energyRates } from '../../../simulator/energy.ts';

export function preset(id: string): Device {
  const d = findDevice(id);
  if (!d) throw new Error(`no preset ${id}`);
  return d;
}

export function ctxFor(device: Device, ideal = false): CostContext {
  const link = { name: 'NVLink', bandwidthBytesPerS: 450e9, latencyS: 2e-6 };
  return {
    device, efficiency: ideal ? IDEAL_EFFICIENCY : DEFAULT_EFFICIENCY, links: { tp: link, ep: link, pp: link, dp: link },
    baseDtype: 'fp16', energy: energyRates(device),
  };
}

/** The device with some microarchitecture fields set. */
export function withMicroarch(device: Device, microarch: NonNullable<Device['microarch']>): Device {
  return { ...device, microarch: { ...device.microarch, ...microarch } };
}

const base = { scope: 'layer' as const, block: 'mlp' as const, count: 1 };

export function gemm(m: number, n: number, k: number, batch = 1, bits = 16): GemmOp {
  return { ...base, name: `gemm ${m}x${n}x${k}`, kind: 'gemm', m, n, k, batch, weightBits: bits, actBits: bits, outBits: bits };
}

export function copy(elements: number): ElementwiseOp {
  return { ...base, name: 'copy', kind: 'elementwise', fn: 'add', elements, readsPerElement: 1, writesPerElement: 1, flopsPerElement: 0, bits: 16 };
}

export function attention(batch: number, queryLen: number, kvLen: number, heads = 32, kvHeads = 8, flash = true): AttentionOp {
  return {
    ...base, block: 'attention', name: `attention q${queryLen} kv${kvLen}`, kind: 'attention', batch, queryLen, kvLen,
    numHeads: heads, numKvHeads: kvHeads, headDim: 128, causal: true, flash, actBits: 16, kvBits: 16,
  };
}

/** Park–Miller LCG: deterministic random numbers for property tests. */
export function seeded(seed: number): () => number {
  let s = seed % 2147483647;
  if (s <= 0) s += 2147483646;
  return () => {
    s = (s * 48271) % 2147483647;
    return (s - 1) / 2147483646;
  };
}
