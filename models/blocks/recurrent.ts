// Attention-free token mixers: the MatMul-free LM's MLGRU (Zhu et al. 2024, "Scalable MatMul-free Language
// Modeling", eq. 3–4) and the Hyena operator (Poli et al. 2023, "Hyena Hierarchy"), whose long convolutions run as
// FFTs in prefill (O(L log L), FlashFFTConv style) and as a direct causal convolution over the history in decode.
import type { TransformerConfig } from '../transformer-schema.ts';
import type { GraphEmitter } from '../emitter.ts';
import { effectiveWeightBits } from '../precision.ts';
import type { BlockContext, MixerModule } from './types.ts';

function channelProblem(c: TransformerConfig, tp: number, what: string): string | null {
  return c.hiddenSize % tp === 0 ? null : `tp ${tp} does not divide the ${c.hiddenSize} ${what} channels of ${c.id}`;
}

/**
 * MLGRU: f = σ(xW_f), c = SiLU(xW_c), h_t = f ⊙ h_{t−1} + (1 − f) ⊙ c, g = σ(xW_g), o = (g ⊙ h) W_o.
 * Four d×d (ternary in the paper) matrices and a d-wide recurrent state per sequence; channels split over TP.
 */
export const mlgru: MixerModule = {
  emit(e: GraphEmitter, count: number): void {
    const d = e.config.hiddenSize;
    const local = d / e.tp;
    e.linear('mlgru f/c/g projection', 'attention', e.tokens, 3 * local, d, count);
    // Per channel and token: σ (4), SiLU (4), the lerp (3), σ of g (4), g ⊙ h (1). Reads f, c, g; writes o'.
    // The state h stays on chip within a pass; a decode step also reads and writes it (counted in the cache).
    e.stream('mlgru recurrence', 'attention', 'mul', e.tokens * local, 3, 1, count, { flopsPerElement: 16 });
    if (e.phase === 'decode') e.stream('mlgru state read/write', 'attention', 'mul', e.batch * local, 1, 1, count, { outBits: 32 });
    e.linear('mlgru output projection', 'attention', e.tokens, d, local, count);
  },
  params: (c) => 4 * c.hiddenSize * c.hiddenSize + 3 * c.hiddenSize,
  deviceWeightBytes: (ctx: BlockContext) =>
    ((4 * ctx.config.hiddenSize * ctx.config.hiddenSize) / ctx.tp) * (effectiveWeightBits(ctx.precision) / 8),
  // An fp32 state of d/tp channels per sequence, whatever the context length.
  deviceCacheBytes: (ctx: BlockContext) => (ctx.config.hiddenSize / ctx.tp) * 4,
  activationWidth: (ctx: BlockContext) => (3 * ctx.config.hiddenSize) / ctx.tp,
  parallelismProblem: (c, tp) => channelProblem(c, tp, 'MLGRU'),
};

function hyenaOrder(c: TransformerConfig): number {
  return c.hyena?.order ?? 2;
}

/**
 * Hyena of order N: in-projection to N + 1 streams, a short depthwise conv, then N rounds of long convolution
 * with an implicit filter and an elementwise gate, and an out-projection. Prefill convolves with FFTs of length
 * 2L (forward of input and filter, pointwise product, inverse: 3 transforms × 2.5·n·log₂n FLOPs for real data,
 * plus 6 per complex product); decode convolves the new token with the whole cached history (2·L FLOPs per channel).
 */
export const hyena: MixerModule = {
  emit(e: GraphEmitter, count: number): void {
    const c = e.config;
    const d = c.hiddenSize;
    const local = d / e.tp;
    const order = hyenaOrder(c);
    const kernel = c.hyena?.shortConvKernel ?? 3;
    e.linear('hyena in-projection', 'attention', e.tokens, (order + 1) * local, d, count);
    e.stream('hyena short conv', 'attention', 'mul', e.tokens * (order + 1) * local, 1, 1, count, { flopsPerElement: 2 * kernel });
    for (let i = 1; i <= order; i++) {
      if (e.phase === 'prefill') {
        const n = 2 * e.kvLen; // zero-padded to avoid circular wrap-around
        e.stream(`hyena long conv ${i} (FFT)`, 'attention', 'mul', e.batch * n * local, 2, 1, count,
          { flopsPerElement: 3 * 2.5 * Math.log2(n) + 3 });
      } else {
        // Direct causal convolution of the new token with every cached input of this stream.
        // Reads each sequence's cached inputs and, once for the batch, the materialized filter of length L.
        e.stream(`hyena long conv ${i} (direct)`, 'attention', 'mul', e.batch * e.kvLen * local, 1 + 1 / e.batch, 0, count, { flopsPerElement: 2 });
      }
      e.stream(`hyena gate ${i}`, 'attention', 'mul', e.tokens * local, 2, 1, count);
    }
    e.linear('hyena output projection', 'attention', e.tokens, d, local, count);
  },
  params: (c) => {
    const order = hyenaOrder(c);
    const kernel = c.hyena?.shortConvKernel ?? 3;
    // In/out projections and short conv; the implicit filters' small FFNs (a few thousand weights) are left out.
    return (order + 2) * c.hiddenSize * c.hiddenSize + (order + 1) * c.hiddenSize * kernel;
  },
  deviceWeightBytes: (ctx: BlockContext) =>
    (hyena.params(ctx.config) / ctx.tp) * (effectiveWeightBits(ctx.precision) / 8),
  // Decode needs every past input of each long-convolution stream: N × d/tp values per token.
  deviceCacheBytes: (ctx: BlockContext, contextTokens: number) =>
    (contextTokens * hyenaOrder(ctx.config) * (ctx.config.hiddenSize / ctx.tp) * Math.max(ctx.precision.actBits, 16)) / 8,
  activationWidth: (ctx: BlockContext) => ((hyenaOrder(ctx.config) + 1) * ctx.config.hiddenSize * 2) / ctx.tp,
  parallelismProblem: (c, tp) => channelProblem(c, tp, 'Hyena'),
};
