// What each kind of token mixer and FFN provides: its ops, its parameters, and its per-device weights,
// cache and activations. New model families add a module here instead of branching in shared code.
import type { TransformerConfig } from '../transformer-schema.ts';
import type { Precision } from '../precision.ts';
import type { GraphEmitter } from '../emitter.ts';

export interface BlockContext {
  config: TransformerConfig;
  tp: number;
  ep: number;
  precision: Precision;
}

export interface MixerModule {
  /** Emits the mixer's ops for `count` layers (between the input norm and the residual add). */
  emit(e: GraphEmitter, count: number): void;
  /** Parameters of one layer's mixer, all ranks together. */
  params(c: TransformerConfig): number;
  /** Weight bytes of one layer's mixer on one device. */
  deviceWeightBytes(ctx: BlockContext): number;
  /** Cache bytes (KV, recurrent state) of one layer on one device for one sequence of `contextTokens` tokens. */
  deviceCacheBytes(ctx: BlockContext, contextTokens: number): number;
  /** Widest transient activation of the mixer per token on one device, in elements. */
  activationWidth(ctx: BlockContext): number;
  /** Why this mixer cannot run at this TP degree, or null. */
  parallelismProblem(c: TransformerConfig, tp: number): string | null;
}

export interface FfnModule {
  emit(e: GraphEmitter, count: number): void;
  /** Parameters of one layer's FFN: all of them, and those one token uses. */
  params(c: TransformerConfig): { total: number; active: number };
  deviceWeightBytes(ctx: BlockContext): number;
  activationWidth(ctx: BlockContext): number;
}
