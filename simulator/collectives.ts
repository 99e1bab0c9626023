// Latency-bandwidth (α–β) models of collectives over one link class. `bytes` is the buffer each device
// holds (all-reduce, reduce-scatter: the full buffer; all-gather: its own shard; all-to-all: what it sends
// in total; p2p: the message). Ring and tree all-reduce are both computed and the faster one is used,
// as NCCL does when it picks an algorithm by size.
import type { CollectiveKind } from '../models/ops.ts';

export interface LinkModel {
  /** One-hop latency α in seconds. */
  latencyS: number;
  /** Achieved bandwidth β per device per direction in bytes/s (link bandwidth × efficiency). */
  bandwidthBytesPerS: number;
  /** The switch reduces in the network (NVLS): each device sends its buffer once and receives the result once. */
  inNetworkReduction?: boolean;
}

/** In-switch reduction: one send up and one receive down, each crossing one switch hop. */
export function switchAllReduceS(bytes: number, link: LinkModel): number {
  return 2 * link.latencyS + bytes / link.bandwidthBytesPerS;
}

export function ringAllReduceS(bytes: number, n: number, link: LinkModel): number {
  if (n <= 1) return 0;
  return 2 * (n - 1) * (link.latencyS + bytes / n / link.bandwidthBytesPerS);
}

/** Double binary tree: 2·log2(n) latency steps, and the whole buffer crosses each link about twice. */
export function treeAllReduceS(bytes: number, n: number, link: LinkModel): number {
  if (n <= 1) return 0;
  return 2 * Math.ceil(Math.log2(n)) * link.latencyS + (2 * bytes * (n - 1)) / n / link.bandwidthBytesPerS;
}

export function collectiveS(kind: CollectiveKind, bytes: number, n: number, link: LinkModel): number {
  if (n <= 1 && kind !== 'p2p') return 0;
  switch (kind) {
    case 'all-reduce': {
      const best = Math.min(ringAllReduceS(bytes, n, link), treeAllReduceS(bytes, n, link));
      return link.inNetworkReduction ? Math.min(best, switchAllReduceS(bytes, link)) : best;
    }
    case 'all-gather':
      return (n - 1) * (link.latencyS + bytes / link.bandwidthBytesPerS);
    case 'reduce-scatter':
      return (n - 1) * (link.latencyS + bytes / n / link.bandwidthBytesPerS);
    case 'all-to-all':
      return (n - 1) * (link.latencyS + bytes / n / link.bandwidthBytesPerS);
    case 'p2p':
      return link.latencyS + bytes / link.bandwidthBytesPerS;
  }
}

/** Bytes each device puts on its links for one collective (for link energy). */
export function collectiveLinkBytes(kind: CollectiveKind, bytes: number, n: number): number {
  if (n <= 1 && kind !== 'p2p') return 0;
  switch (kind) {
    case 'all-reduce': return (2 * bytes * (n - 1)) / n;
    case 'all-gather': return bytes * (n - 1);
    case 'reduce-scatter': return (bytes * (n - 1)) / n;
    case 'all-to-all': return (bytes * (n - 1)) / n;
    case 'p2p': return bytes;
  }
}

/**
 * A framework's own all-reduce kernels: vLLM's custom all-reduce (2024 versions,
 * vllm/distributed/device_communicators/custom_all_reduce.py: CUDA only, groups of 2, 4, 6 or 8 GPUs of one node,
 * messages under 8 MiB; it reads the peers' buffers over NVLink, inside CUDA graphs) and TensorRT-LLM's all-reduce
 * plugin. An all-reduce they take is priced by the link's α–β model (the same ring, tree or in-switch choice as
 * NCCL's) plus `callS`, in place of the device's NCCL pricing (its calibration curve or per-call overhead, fitted on
 * NCCL calls timed one at a time: ≈25 µs each); `callS` is fitted end to end, so it absorbs how a one-shot kernel
 * differs from that model on the small messages of a decode step. Other all-reduces keep the device's pricing. vLLM
 * also drops it on more than two GPUs without NVLink between all of them, which genz does not tell; a group that spans
 * the scale-out network never gets it (./serving/estimate.ts). ./serving/frameworks.ts says which frameworks have one.
 * The cycle engine simulates every collective as one kernel launch over the link, without NCCL's per-call cost, so
 * there it changes nothing.
 */
export interface OwnAllReduce {
  /** Fixed time of one call, seconds. */
  callS: number;
  /** Messages it takes are smaller than this, bytes. */
  maxBytes: number;
  /** Group sizes it supports. */
  groupSizes: readonly number[];
  /** Device vendors it runs on (the device spec's vendor, any case). */
  vendors: readonly string[];
}

/** Whether a framework's own all-reduce takes an all-reduce of `bytes` over `groupSize` devices of `vendor`. */
export function ownAllReduceTakes(own: OwnAllReduce | undefined, vendor: string, groupSize: number, bytes: number): own is OwnAllReduce {
  return own !== undefined && own.vendors.some((v) => v.toLowerCase() === vendor.toLowerCase()) && own.groupSizes.includes(groupSize) && bytes < own.maxBytes;
}
