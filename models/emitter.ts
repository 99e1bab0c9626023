// Collects the ops of one graph. Holds what every block needs to size its ops for one device:
// tokens, context, parallelism and precision.
import type { TransformerConfig } from './transformer-schema.ts';
import { ROW_WISE_FUNCTIONS, type AttentionOp, type CollectiveKind, type ElementwiseFunction, type Op, type OpBlock, type OpScope, type ParallelGroup, type Phase } from './ops.ts';
import type { Precision } from './precision.ts';
import { effectiveWeightBits } from './precision.ts';

/** Vector FLOPs per element of each streaming function (counted as on a GPU's FP32 units). */
export const FLOPS_PER_ELEMENT: Readonly<Record<ElementwiseFunction, number>> = {
  add: 1,
  mul: 1,
  relu: 1,
  silu: 4, // x / (1 + exp(-x))
  gelu: 8, // tanh approximation
  'silu-mul': 5,
  'gelu-mul': 9,
  rmsnorm: 4, // square, sum, scale by rsqrt, multiply by weight
  layernorm: 7, // mean, centre, square, sum, rsqrt, scale, shift
  rope: 3, // rotate pairs: two multiplies and an add per element
  softmax: 5,
  'kv-write': 0,
  topk: 2,
};

export interface EmitterInput {
  config: TransformerConfig;
  phase: Phase;
  /** Sequences processed together on this device group. */
  batch: number;
  /** Tokens already in the cache before this pass (0 for a fresh prefill). */
  pastTokens: number;
  /** New tokens per sequence in this pass (prompt length in prefill, 1 in decode, the tree in verification). */
  newTokens: number;
  tp: number;
  ep: number;
  precision: Precision;
  flash: boolean;
  /** A prefill's LM head runs at every prompt token (a framework's forward pass), not only the last (serving). */
  promptLogits?: boolean;
  /**
   * Every sequence of the batch is the same prompt (a benchmark that repeats one prompt): an MoE routes them alike, so
   * a pass reads the experts of one sequence's tokens, not of the whole batch's.
   */
  identicalPrompts?: boolean;
  /**
   * Sequences of this pass across an expert-parallel group that spans replicas (ep > tp): the experts its tokens route
   * to. Default: batch on each of the group's ep / tp replicas; fewer where the whole batch does not fill them (batch 1
   * over 8 replicas: one sequence routes, the other replicas idle).
   */
  expertGroupBatch?: number;
}

/** Data-parallel replicas one expert-parallel group spans: ep / tp where EP reaches past the TP group, else 1. */
export function expertReplicas(tp: number, ep: number): number {
  return ep > tp ? ep / tp : 1;
}

export class GraphEmitter {
  readonly ops: Op[] = [];
  readonly config: TransformerConfig;
  readonly phase: Phase;
  readonly batch: number;
  readonly newTokens: number;
  readonly pastTokens: number;
  /** Tokens processed in this pass on one device: batch × new tokens. */
  readonly tokens: number;
  /** Tokens each sequence attends over after this pass. */
  readonly kvLen: number;
  readonly tp: number;
  readonly ep: number;
  readonly precision: Precision;
  readonly flash: boolean;
  /** Bits of GEMM inputs. */
  readonly actBits: number;
  /** Bits of the residual stream, elementwise ops, GEMM outputs and collectives (≥ 16 even under W8A8/FP8). */
  readonly residualBits: number;
  /** Bits per quantized weight, scales included. */
  readonly weightBits: number;
  /** Every sequence is the same prompt (EmitterInput.identicalPrompts). */
  readonly identicalPrompts: boolean;
  /** Sequences of this pass across the expert-parallel group (EmitterInput.expertGroupBatch). */
  readonly expertGroupBatch: number;

  constructor(input: EmitterInput) {
    this.config = input.config;
    this.phase = input.phase;
    this.batch = input.batch;
    this.newTokens = input.newTokens;
    this.pastTokens = input.pastTokens;
    this.tokens = input.batch * input.newTokens;
    this.kvLen = input.pastTokens + input.newTokens;
    this.tp = input.tp;
    this.ep = input.ep;
    this.precision = input.precision;
    this.flash = input.flash;
    this.actBits = input.precision.actBits;
    this.residualBits = Math.max(input.precision.actBits, 16);
    this.weightBits = effectiveWeightBits(input.precision);
    this.identicalPrompts = input.identicalPrompts === true;
    // At least this device's own sequences route.
    this.expertGroupBatch = Math.max(input.batch, input.expertGroupBatch ?? input.batch * expertReplicas(input.tp, input.ep));
  }

  stream(name: string, block: OpBlock, fn: ElementwiseFunction, elements: number, reads: number, writes: number,
    count: number, options: { scope?: OpScope; outBits?: number; flopsPerElement?: number; rowLength?: number; energyShare?: number } = {}): void {
    // Calibration prices row-wise ops by their rows and row length (simulator/calibration.ts): no norm without one.
    if (ROW_WISE_FUNCTIONS.has(fn) && options.rowLength === undefined) {
      throw new Error(`internal: the ${fn} op "${name}" has no rowLength`);
    }
    this.ops.push({
      kind: 'elementwise', name, scope: options.scope ?? 'layer', block, count, fn, elements, readsPerElement: reads,
      writesPerElement: writes, flopsPerElement: options.flopsPerElement ?? FLOPS_PER_ELEMENT[fn], bits: this.residualBits,
      ...(options.outBits === undefined ? {} : { outBits: options.outBits }),
      ...(options.rowLength === undefined ? {} : { rowLength: options.rowLength }),
      ...(options.energyShare === undefined ? {} : { energyShare: options.energyShare }),
    });
  }

  /** (m×k)·(k×n) with a k×n weight, `gemmBatch` times with distinct weights. */
  linear(name: string, block: OpBlock, m: number, n: number, k: number, count: number,
    options: { scope?: OpScope; weightBits?: number; gemmBatch?: number; energyShare?: number } = {}): void {
    this.ops.push({
      kind: 'gemm', name, scope: options.scope ?? 'layer', block, count, m, n, k, batch: options.gemmBatch ?? 1,
      weightBits: options.weightBits ?? this.weightBits, actBits: this.actBits, outBits: this.residualBits,
      ...(options.energyShare === undefined ? {} : { energyShare: options.energyShare }),
    });
  }

  attention(name: string, count: number, shape: Pick<AttentionOp, 'queryLen' | 'kvLen' | 'numHeads' | 'numKvHeads' | 'headDim' | 'causal'>): void {
    this.ops.push({
      kind: 'attention', name, scope: 'layer', block: 'attention', count, batch: this.batch, flash: this.flash,
      actBits: this.actBits, kvBits: this.precision.kvBits, ...shape,
    });
  }

  collective(name: string, collective: CollectiveKind, group: ParallelGroup, groupSize: number, bytes: number, count: number,
    scope: OpScope = 'layer'): void {
    if (groupSize > 1) this.ops.push({ kind: 'collective', name, scope, block: 'comm', count, collective, group, groupSize, bytes });
  }

  /** The TP all-reduce of `elements` residual-stream values (nothing without TP). */
  allReduce(name: string, elements: number, count: number, scope: OpScope = 'layer'): void {
    this.collective(name, 'all-reduce', 'tp', this.tp, (elements * this.residualBits) / 8, count, scope);
  }
}
