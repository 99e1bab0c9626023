// Costs one phase's graph on one device and folds op costs into pipeline-stage times.
import type { Op, OpGraph } from '../../models/ops.ts';
import type { CostBackend, CostContext, OpCost, Bound } from '../cost.ts';
import { stageLayers } from './pipeline.ts';

export interface OpReport {
  name: string;
  kind: Op['kind'];
  block: Op['block'];
  /** Instances per step along one device path: for layer ops, every layer of every pipeline stage. */
  count: number;
  /** Shape in words, e.g. "m=1024 n=12288 k=4096". */
  shape: string;
  /** FLOPs of all instances (tensor + vector). */
  flops: number;
  /** DRAM bytes of all instances. */
  bytes: number;
  /** Bytes all instances send over links (collectives; 0 for other ops). */
  linkBytes: number;
  /** FLOPs per DRAM byte. */
  intensity: number;
  bound: Bound;
  /** Time of all `count` instances on one TP rank (pipeline stages summed, as if one device ran them all). */
  latencyS: number;
  /** Fraction of the summed op time of this phase. */
  share: number;
  /** Energy of all `count` instances on one device, that device's idle power over the op's time included. */
  energyJ: number;
  computeDtype: OpCost['computeDtype'];
}

export interface CostedGraph {
  graph: OpGraph;
  costs: OpCost[];
  /** Per-instance time of the ops before, inside one layer, and after the stack. */
  preS: number;
  layerS: number;
  postS: number;
  /** Dynamic energy (without idle power) of one pass over all layers on one device. */
  dynamicEnergyJ: number;
}

export function costGraph(graph: OpGraph, backend: CostBackend, ctx: CostContext): CostedGraph {
  const costs: OpCost[] = new Array(graph.ops.length);
  let preS = 0;
  let layerTotalS = 0;
  let postS = 0;
  let dynamicEnergyJ = 0;
  for (let i = 0; i < graph.ops.length; i++) {
    const op = graph.ops[i]!;
    const cost = backend.cost(op, ctx);
    costs[i] = cost;
    const t = cost.latencyS * op.count;
    if (op.scope === 'pre') preS += t;
    else if (op.scope === 'post') postS += t;
    else layerTotalS += t;
    // An op sized for the busiest device of its group: the devices together do the average's work (energyShare).
    dynamicEnergyJ += (cost.energyJ - ctx.energy.idleW * cost.latencyS) * op.count * (op.energyShare ?? 1);
  }
  return { graph, costs, preS, layerS: layerTotalS / graph.numLayers, postS, dynamicEnergyJ };
}

/** Busy time of each pipeline stage for one micro-batch, given the time of one layer. */
export function stageTimes(costed: Pick<CostedGraph, 'preS' | 'postS'>, layerS: number, numLayers: number, pp: number): number[] {
  const times = new Array<number>(pp);
  for (let s = 0; s < pp; s++) {
    times[s] = stageLayers(numLayers, pp, s) * layerS + (s === 0 ? costed.preS : 0) + (s === pp - 1 ? costed.postS : 0);
  }
  return times;
}

function describeShape(op: Op): string {
  switch (op.kind) {
    case 'gemm':
      return `${op.batch === 1 ? '' : `batch=${fmt(op.batch)} `}m=${fmt(op.m)} n=${fmt(op.n)} k=${fmt(op.k)}`;
    case 'attention':
      return `b=${op.batch} q=${op.queryLen} kv=${fmt(op.kvLen)} heads=${fmt(op.numHeads)}/${fmt(op.numKvHeads)} d=${op.headDim}${op.flash ? ' flash' : ''}`;
    case 'gather':
      return `rows=${fmt(op.rows)} width=${op.width}`;
    case 'elementwise':
      return `${op.fn} elements=${fmt(op.elements)}`;
    case 'collective':
      return `${op.collective} ${op.group}=${op.groupSize} bytes=${fmt(op.bytes)}`;
  }
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4);
}

export function opReports(costed: CostedGraph): OpReport[] {
  let total = 0;
  for (let i = 0; i < costed.costs.length; i++) total += costed.costs[i]!.latencyS * costed.graph.ops[i]!.count;
  return costed.graph.ops.map((op, i) => {
    const c = costed.costs[i]!;
    const flops = (c.flops + c.vectorFlops) * op.count;
    const bytes = c.dramBytes * op.count;
    const latencyS = c.latencyS * op.count;
    return {
      name: op.name, kind: op.kind, block: op.block, count: op.count, shape: describeShape(op), flops, bytes, linkBytes: c.linkBytes * op.count,
      intensity: bytes > 0 ? flops / bytes : 0, bound: c.bound, latencyS, share: total > 0 ? latencyS / total : 0,
      energyJ: c.energyJ * op.count, computeDtype: c.computeDtype,
    };
  });
}
