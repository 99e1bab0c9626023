// Streaming kernels (elementwise, norms, softmax, RoPE, selective-scan steps as the models emit them, embedding
// gathers): a grid of CTAs, each loading its chunk, doing its vector math and writing the result. Nothing is reused
// through L2 (every read misses); the output is written back to DRAM. Memory latency, launch and tail effects come
// from the event simulation; the bandwidth limit from the DRAM channel.
import type { GpuParams } from './gpu-params.ts';
import type { KernelSpec } from './kernel-spec.ts';

/** Elements one CTA handles (256 threads × 16): PyTorch-style vectorized elementwise kernels. */
export const STREAM_ELEMENTS_PER_CTA = 4096;
/** Most CTAs simulated one by one; bigger grids give each CTA a larger chunk (same bytes and math in all). */
export const STREAM_CTA_BUDGET = 16_384;
const STREAM_THREADS = 256;

export interface StreamShape {
  name: string;
  elements: number;
  readBytesPerElement: number;
  writeBytesPerElement: number;
  vectorFlopsPerElement: number;
}

export function streamSpec(p: GpuParams, s: StreamShape): KernelSpec {
  const elements = Math.max(1, s.elements);
  const perCtaCap = Math.max(STREAM_ELEMENTS_PER_CTA, Math.ceil(elements / STREAM_CTA_BUDGET));
  const ctas = Math.max(1, Math.ceil(elements / perCtaCap));
  const perCta = elements / ctas;
  const write = perCta * s.writeBytesPerElement;
  return {
    name: s.name,
    ctas,
    steps: 1,
    ctasPerSm: Math.max(1, Math.min(p.maxCtasPerSm, Math.floor(p.maxThreadsPerSm / STREAM_THREADS))),
    stages: 1,
    prologueLoadBytes: 0,
    stepLoadBytes: perCta * s.readBytesPerElement,
    dramReadFraction: 1,
    stepMmaS: 0,
    stepSmemS: 0,
    stepVectorS: (perCta * s.vectorFlopsPerElement) / p.vectorFlopsPerSPerSm,
    stepOverheadS: 0,
    epilogueVectorS: 0,
    epilogueL2Bytes: write,
    epilogueDramBytes: write,
    usefulMmaFlops: 0,
  };
}
