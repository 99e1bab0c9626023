// Every mixer and FFN kind a layer may name, and the module that models it.
import type { FfnKind, MixerKind } from '../layers.ts';
import type { FfnModule, MixerModule } from './types.ts';
import { fullAttention, sinkAttention, slidingAttention, sparseAttention } from './attention.ts';
import { denseFfn, moeFfn, noFfn } from './ffn.ts';

export const MIXERS: Readonly<Record<MixerKind, MixerModule>> = {
  attention: fullAttention,
  'sliding-attention': slidingAttention,
  'sink-attention': sinkAttention,
  'sparse-attention': sparseAttention,
};

export const FFNS: Readonly<Record<FfnKind, FfnModule>> = {
  dense: denseFfn,
  moe: moeFfn,
  none: noFfn,
};
