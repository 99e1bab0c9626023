// Streaming kernels (elementwise, norms, softmax, RoPE, activations, KV writes, embedding gathers) as the kernels of
// the serving stacks implement them. A template (stream-templates.ts) says how many threads a CTA has, how many
// elements each thread has in flight per round, how the grid covers the data and which passes re-read it from L2.
// The kernel runs as dependent rounds (kernel-spec.ts `rounds`): loads in flight → math → posted stores → next
// round. Achieved bandwidth then follows from latency and occupancy (resident threads × bytes in flight per thread
// per SM, Little's law), up to the DRAM channel's bandwidth; launch and tails come from the event simulation.
import type { GpuParams } from './gpu-params.ts';
import type { KernelSpec, StepRound } from './kernel-spec.ts';
import { NOMINAL_ROW_ELEMENTS, STREAM_TEMPLATES, type StreamTemplateName } from './stream-templates.ts';

export interface StreamShape {
  name: string;
  elements: number;
  readBytesPerElement: number;
  writeBytesPerElement: number;
  vectorFlopsPerElement: number;
  /** The kernel implementation; PyTorch's vectorized elementwise kernel when absent. */
  template?: StreamTemplateName;
  /** Thread-instructions of the math per element (default: one per vector FLOP). */
  mathInstrPerElement?: number;
  /** Row-kernel templates: elements per row (op.rowLength; NOMINAL_ROW_ELEMENTS when absent). */
  rowElements?: number;
}

/** Bytes of the int64 row indices one gather round reads (one 32-byte sector per warp: a warp's threads share a row). */
const INDEX_SECTOR_BYTES = 32;

export function streamSpec(p: GpuParams, s: StreamShape): KernelSpec {
  const t = STREAM_TEMPLATES[s.template ?? 'vectorized'];
  const elements = Math.max(1, s.elements);
  const ctasPerSm = Math.max(1, Math.min(p.maxCtasPerSm, Math.floor(p.maxThreadsPerSm / t.threadsPerCta)));
  const perRound = t.threadsPerCta * t.elementsPerThread;
  let ctas: number;
  let roundsPerPass: number;
  switch (t.layout) {
    case 'grid':
      ctas = Math.ceil(elements / perRound);
      roundsPerPass = 1;
      break;
    case 'row': {
      ctas = Math.ceil(elements / Math.max(1, s.rowElements ?? NOMINAL_ROW_ELEMENTS));
      roundsPerPass = Math.ceil(elements / ctas / perRound);
      break;
    }
    case 'grid-stride':
      ctas = Math.min(Math.ceil(elements / perRound), (t.gridCtasPerSm ?? ctasPerSm) * p.smCount);
      roundsPerPass = Math.ceil(elements / ctas / perRound);
      break;
  }
  // Elements of one CTA round on average (edge rounds are partial; the totals stay exact).
  const roundElements = elements / (ctas * roundsPerPass);
  const passes = 1 + t.l2Passes;
  // A round's math: the slower of its FLOPs on the vector pipe and its instructions through the SM's issue slots.
  const instructions = t.overheadInstrPerElement + (s.mathInstrPerElement ?? s.vectorFlopsPerElement);
  const vectorS = (roundElements / passes) * Math.max(s.vectorFlopsPerElement / p.vectorFlopsPerSPerSm, instructions / p.issueInstrPerSPerSm);
  const read = roundElements * s.readBytesPerElement;
  const write = roundElements * s.writeBytesPerElement;
  const pattern: StepRound[] = [];
  for (let pass = 0; pass < passes; pass++) {
    const last = pass === passes - 1;
    for (let r = 0; r < (t.layout === 'row' ? roundsPerPass : 1); r++) {
      if (t.indexLoad) pattern.push({ loadBytes: INDEX_SECTOR_BYTES * Math.ceil(t.threadsPerCta / 32), dramReadFraction: 0, vectorS: 0, storeBytes: 0 });
      pattern.push({ loadBytes: read, dramReadFraction: pass === 0 ? 1 : 0, vectorS, storeBytes: last ? write : 0 });
    }
  }
  return {
    name: s.name,
    ctas,
    steps: t.layout === 'row' ? pattern.length : roundsPerPass * pattern.length,
    ctasPerSm,
    stages: 1,
    prologueLoadBytes: 0,
    stepLoadBytes: read,
    dramReadFraction: 1,
    stepMmaS: 0,
    stepSmemS: 0,
    stepVectorS: vectorS,
    stepOverheadS: p.kStepOverheadS,
    epilogueVectorS: 0,
    epilogueL2Bytes: 0,
    epilogueDramBytes: 0,
    usefulMmaFlops: 0,
    rounds: pattern,
  };
}
