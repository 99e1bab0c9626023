// The operator graph: plain data that the simulator costs. Shapes are per device (after sharding);
// `count` is how many identical instances run in one step on one device (usually the layer count).

/** Where an op sits: before the layer stack, inside every layer, or after it (pipeline stages split 'layer'). */
export type OpScope = 'pre' | 'layer' | 'post';
export type OpBlock = 'embedding' | 'attention' | 'mlp' | 'moe' | 'norm' | 'head' | 'comm';
export const COLLECTIVE_KINDS = ['all-reduce', 'all-gather', 'reduce-scatter', 'all-to-all', 'p2p'] as const;
export type CollectiveKind = (typeof COLLECTIVE_KINDS)[number];
export type ParallelGroup = 'tp' | 'ep' | 'pp' | 'dp';

interface OpBase {
  name: string;
  scope: OpScope;
  block: OpBlock;
  /** Identical instances per step on one device (layers of this scope). May be fractional for expectations. */
  count: number;
  /**
   * Where the op is sized for the busiest device of its group (expert parallelism: the rank holding the most touched
   * experts), the share of that work the average device does (absent: 1). Time follows the busiest device; dynamic
   * energy, summed over the devices, the average. Above 1 where devices that the estimate charges carry idle
   * devices' work (expert parallelism over replicas the batch does not fill).
   */
  energyShare?: number;
}

/** batch × (m×k)·(k×n). When `weightBits` is set, the k×n operand is a weight read once per batch entry. */
export interface GemmOp extends OpBase {
  kind: 'gemm';
  m: number;
  n: number;
  k: number;
  batch: number;
  /** Bits of the weight operand, or null when both operands are activations. */
  weightBits: number | null;
  actBits: number;
  outBits: number;
  /**
   * Transposes of the column-major BLAS call that runs it, C (n × m) = op(W) · op(X), W the weight (the k×n operand
   * here), as cuBLAS/rocBLAS and DeepBench name them: 'TN' (the default when absent) is what torch.nn.Linear issues
   * (its weight is stored out × in, n × k, and read transposed), 'NN' a torch.matmul/bmm of contiguous row-major
   * tensors (the k×n operand stored as is). Only calibration curves fitted on several layouts read it.
   */
  blasLayout?: BlasLayout;
}

export const BLAS_LAYOUTS = ['NN', 'NT', 'TN', 'TT'] as const;
export type BlasLayout = (typeof BLAS_LAYOUTS)[number];

/** Scaled-dot-product attention of `queryLen` new tokens against `kvLen` cached ones, per sequence. */
export interface AttentionOp extends OpBase {
  kind: 'attention';
  batch: number;
  queryLen: number;
  kvLen: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  causal: boolean;
  /** Most keys one query attends to (sliding window, sink + window, or top-k blocks); absent = all before it. */
  windowTokens?: number;
  /** Block-sparse selection (MoBA/NSA): keys per block whose mean key each query scores to pick its blocks. */
  selectionBlockSize?: number;
  /** Fused flash-style kernel: scores stay on chip. Otherwise QK, softmax and PV are separate passes through DRAM. */
  flash: boolean;
  actBits: number;
  kvBits: number;
}

/** Reads `rows` rows of width `width` from a table (embedding lookup): no FLOPs. */
export interface GatherOp extends OpBase {
  kind: 'gather';
  rows: number;
  width: number;
  bits: number;
}

export type ElementwiseFunction = 'add' | 'mul' | 'silu' | 'gelu' | 'relu' | 'silu-mul' | 'gelu-mul' | 'rmsnorm' | 'layernorm' | 'rope' | 'softmax' | 'kv-write' | 'topk';

/** Functions that reduce over rows: their ops carry `rowLength` (ElementwiseOp). */
export const ROW_WISE_FUNCTIONS: ReadonlySet<string> = new Set<ElementwiseFunction>(['rmsnorm', 'layernorm', 'softmax']);

/** Streaming op over `elements`: reads `readsPerElement` and writes `writesPerElement` values of `bits` each. */
export interface ElementwiseOp extends OpBase {
  kind: 'elementwise';
  fn: ElementwiseFunction;
  elements: number;
  readsPerElement: number;
  writesPerElement: number;
  /** Vector (non-tensor) FLOPs per element. */
  flopsPerElement: number;
  bits: number;
  /** Bits of the written values when they differ from `bits` (e.g. KV stored quantized). */
  outBits?: number;
  /**
   * Row-wise ops (norms, softmax): the length of the row each reduction runs over (the hidden size for a norm);
   * rows = elements / rowLength. Kernels give a row to a block or a warp, so time depends on the split, not only on
   * elements. Calibration reads it (simulator/calibration.ts); a norm or softmax without it is priced by the default
   * efficiencies wherever the curve was fitted with row lengths. The graph builders always set it (models/emitter.ts).
   */
  rowLength?: number;
}

/** A collective over a parallel group; `bytes` is the payload each device contributes. */
export interface CollectiveOp extends OpBase {
  kind: 'collective';
  collective: CollectiveKind;
  group: ParallelGroup;
  groupSize: number;
  bytes: number;
}

export type Op = GemmOp | AttentionOp | GatherOp | ElementwiseOp | CollectiveOp;
export type OpKind = Op['kind'];

export type Phase = 'prefill' | 'decode';

export interface OpGraph {
  phase: Phase;
  ops: Op[];
  /** Layers of the whole model; the 'layer' scope ops have count = layers per device before pipeline split. */
  numLayers: number;
}
