// How the serving stacks' streaming kernels are written, as the cycle engine needs it: threads per CTA, elements a
// thread has in flight per round, how the grid covers the data, and which passes re-read it from L2. Read from the
// kernels' source (Vidur-era PyTorch 2.1 and vLLM/Sarathi-Serve ≈ v0.2 CUDA kernels); docs/cycle.md lists them with
// what is certain and what is not.
import type { ElementwiseFunction } from '../../../models/ops.ts';

export type StreamTemplateName = 'vectorized' | 'row-norm' | 'act-and-mul' | 'rotary' | 'kv-cache-write' | 'index-select';

export interface StreamTemplate {
  /** The kernel it stands for. */
  source: string;
  threadsPerCta: number;
  /** Elements (of the output; every input of each) a thread loads per round, all in flight before their first use. */
  elementsPerThread: number;
  /**
   * 'grid': one round per CTA, grid = elements / (threads × elements per thread);
   * 'row': one CTA per row (op.rowLength, else NOMINAL_ROW_ELEMENTS), looping rounds over it;
   * 'grid-stride': at most gridCtasPerSm × SMs CTAs, each looping over the data.
   */
  layout: 'grid' | 'row' | 'grid-stride';
  gridCtasPerSm?: number;
  /** Passes after the first that re-read the row from L2 (a norm's normalize pass); the last pass stores. */
  l2Passes: number;
  /** Each round first loads its row index (an L2 hit) and only then the data (gathers). */
  indexLoad: boolean;
  /**
   * Thread-instructions per element besides the math (address and loop arithmetic, loads, stores, fp16↔fp32
   * conversions, integer division for index decomposition): estimates read from the source, not from SASS (±50%).
   */
  overheadInstrPerElement: number;
}

/**
 * Row length of the row kernels when an op does not give one (op.rowLength: the graph builders always do): a 7B-class
 * hidden size. It sets only the per-row fixed costs (CTA launch, the split between passes), not the bytes in flight
 * per SM.
 */
export const NOMINAL_ROW_ELEMENTS = 4096;

export const STREAM_TEMPLATES: Readonly<Record<StreamTemplateName, StreamTemplate>> = {
  // aten/src/ATen/native/cuda/Loops.cuh + thread_constants.h (PyTorch 2.1): vectorized_elementwise_kernel,
  // num_threads = 4 warps = 128, thread_work_size = 4, vec_size 4: each thread loads 4 elements of every input
  // (one vector load each), computes, stores; block_work_size = 512 elements, one round per CTA.
  vectorized: { source: 'PyTorch vectorized_elementwise_kernel (Loops.cuh)', threadsPerCta: 128, elementsPerThread: 4, layout: 'grid', l2Passes: 0, indexLoad: false, overheadInstrPerElement: 6 },
  // vLLM csrc/layernorm_kernels.cu rms_norm_kernel (as in Sarathi-Serve, which Vidur profiles): grid = tokens,
  // block = min(hidden, 1024); pass 1 `for (idx = threadIdx.x; idx < hidden; idx += blockDim.x)` loads one element
  // per thread per iteration and sums squares, blockReduceSum, pass 2 re-reads the row (L2) and stores x·rstd·w.
  'row-norm': { source: 'vLLM rms_norm_kernel (layernorm_kernels.cu)', threadsPerCta: 1024, elementsPerThread: 1, layout: 'row', l2Passes: 1, indexLoad: false, overheadInstrPerElement: 17 },
  // vLLM csrc/activation_kernels.cu silu_and_mul_kernel: grid = tokens, block = min(d, 1024); per iteration one
  // thread loads x = in[t][idx] and y = in[t][d + idx] (__ldg) and stores silu(x)·y.
  'act-and-mul': { source: 'vLLM silu_and_mul_kernel (activation_kernels.cu)', threadsPerCta: 1024, elementsPerThread: 1, layout: 'row', l2Passes: 0, indexLoad: false, overheadInstrPerElement: 14 },
  // vLLM csrc/pos_encoding_kernels.cu rotary_embedding_neox_kernel: grid = tokens, block = min(heads·rot_dim/2, 512);
  // per iteration one thread loads the pair (x, y) of a head (plus cos/sin from the small cache) and stores both,
  // in place: 2 elements per thread per round.
  rotary: { source: 'vLLM rotary_embedding_neox_kernel (pos_encoding_kernels.cu)', threadsPerCta: 512, elementsPerThread: 2, layout: 'row', l2Passes: 0, indexLoad: false, overheadInstrPerElement: 19 },
  // vLLM csrc/cache_kernels.cu reshape_and_cache_kernel: grid = tokens, block = min(heads·head_size, 512), one element
  // of K and of V per thread per iteration (estimate: the KV write is not in the accuracy data).
  'kv-cache-write': { source: 'vLLM reshape_and_cache_kernel (cache_kernels.cu)', threadsPerCta: 512, elementsPerThread: 1, layout: 'row', l2Passes: 0, indexLoad: false, overheadInstrPerElement: 25 },
  // aten/src/ATen/native/cuda/Indexing.cu index_select_out_cuda_impl (embedding forward is weight.index_select(0, ids)):
  // indexSelectLargeIndex, grid = min(ceil(n / 128), 8 × SMs), block = 128; a grid-stride loop where each iteration
  // loads the row index, then one element (the load depends on the index), then stores it; without __restrict__ the
  // compiler cannot hoist the next iteration's loads above the store, so rounds do not overlap.
  'index-select': { source: 'PyTorch indexSelectLargeIndex (Indexing.cu)', threadsPerCta: 128, elementsPerThread: 1, layout: 'grid-stride', gridCtasPerSm: 8, l2Passes: 0, indexLoad: true, overheadInstrPerElement: 80 },
};

/**
 * Thread-instructions of the math per element (estimates): one per add/mul/FMA; expf ≈ 4 (ex2.approx with range
 * scaling) and an IEEE fp32 division ≈ 6 in silu; tanh-GELU ≈ 14; a norm's square-accumulate and scale ≈ 3.
 */
export const MATH_INSTRUCTIONS: Readonly<Record<ElementwiseFunction, number>> = {
  add: 1, mul: 1, relu: 1, silu: 12, gelu: 15, 'silu-mul': 13, 'gelu-mul': 16, rmsnorm: 3, layernorm: 5, rope: 3,
  softmax: 8, 'kv-write': 0, topk: 5,
};

/**
 * The template of an elementwise op. Certain (read in the source, the kernels Vidur profiles): add/mul/silu/gelu/relu
 * (PyTorch), rmsnorm, silu-mul, rope. Estimates: layernorm (vLLM-style row kernel assumed), gelu-mul (as silu-mul),
 * softmax (PyTorch's persistent/ILP softmax keeps a row in registers: modeled as the vectorized kernel), kv-write,
 * topk (vectorized).
 */
export function elementwiseTemplate(fn: ElementwiseFunction): StreamTemplateName {
  switch (fn) {
    case 'rmsnorm':
    case 'layernorm':
      return 'row-norm';
    case 'silu-mul':
    case 'gelu-mul':
      return 'act-and-mul';
    case 'rope':
      return 'rotary';
    case 'kv-write':
      return 'kv-cache-write';
    default:
      return 'vectorized';
  }
}
