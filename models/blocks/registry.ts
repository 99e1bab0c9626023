// Every mixer and FFN kind a layer may name, and the module that models it.
import type { FfnKind, MixerKind } from '../layers.ts';
import type { FfnModule, MixerModule } from './types.ts';
import { fullAttention, sinkAttention, slidingAttention, sparseAttention } from './attention.ts';
import { denseFfn, moeFfn, noFfn } from './ffn.ts';
import { mlaMixer } from './mla.ts';
import { hyena, mlgru } from './recurrent.ts';
import { hymbaGlobalMixer, hymbaSlidingMixer, mamba1Mixer, mamba2Mixer, zambaSharedMixer } from './mamba.ts';

export const MIXERS: Readonly<Record<MixerKind, MixerModule>> = {
  attention: fullAttention,
  'sliding-attention': slidingAttention,
  'sink-attention': sinkAttention,
  'sparse-attention': sparseAttention,
  mla: mlaMixer,
  mlgru,
  hyena,
  mamba: mamba1Mixer,
  mamba2: mamba2Mixer,
  hymba: hymbaSlidingMixer,
  'hymba-global': hymbaGlobalMixer,
  'zamba-shared': zambaSharedMixer,
};

export const FFNS: Readonly<Record<FfnKind, FfnModule>> = {
  dense: denseFfn,
  moe: moeFfn,
  none: noFfn,
};
