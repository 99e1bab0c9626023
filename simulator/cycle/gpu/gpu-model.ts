// One operator on the GPU model: the op becomes one or more kernels (gemm-mapper, attention, stream) or ring steps
// over a link (collective); each kernel pays the launch latency and then runs event by event (kernel-sim.ts).
import type { ComputeDtype } from '../../../common/dtype.ts';
import type { Network } from '../../../hardware/system-schema.ts';
import type { GemmOp, Op } from '../../../models/ops.ts';
import { dtypeBits } from '../../dtype-select.ts';
import { attentionKernels } from './attention.ts';
import { runCollective } from './collective.ts';
import { mapGemm, simulateKernel } from './gemm-mapper.ts';
import type { GemmShape } from './gemm.ts';
import type { GpuParams } from './gpu-params.ts';
import type { KernelRun } from './kernel-sim.ts';
import { streamSpec } from './stream.ts';
import { elementwiseTemplate, MATH_INSTRUCTIONS } from './stream-templates.ts';

export interface KernelRecord {
  name: string;
  /** Tiling or grid, for the trace ("128x256x32 s3 k1", "4096 CTAs"). */
  detail: string;
  launchS: number;
  run: KernelRun;
}

export interface OpSimulation {
  kernels: KernelRecord[];
  /** Ring steps of a collective (empty otherwise). */
  link?: { timeS: number; stepStartS: Float64Array; stepDurS: Float64Array };
  events: number;
}

function gemmShape(op: GemmOp, dtype: ComputeDtype): GemmShape {
  const bits = dtypeBits(dtype);
  const weightBits = op.weightBits ?? op.actBits;
  return {
    name: op.name, m: op.m, n: op.n, k: op.k, batch: op.batch,
    aBytes: op.actBits / 8, bBytes: weightBits / 8, cBytes: op.outBits / 8, dtype,
    dequantA: op.actBits < bits, dequantB: weightBits < bits,
  };
}

export function simulateOp(p: GpuParams, op: Op, dtype: ComputeDtype | null, link: Network): OpSimulation {
  const kernels: KernelRecord[] = [];
  const launch = (name: string, detail: string, run: KernelRun): void => {
    kernels.push({ name, detail, launchS: p.kernelLaunchS, run });
  };
  switch (op.kind) {
    case 'gemm': {
      const mapped = mapGemm(p, gemmShape(op, dtype ?? 'fp32'));
      const t = mapped.tile;
      launch(op.name, `tile ${t.m}x${t.n}x${t.k} stages ${t.stages} split-k ${t.splitK}, ${mapped.spec.ctas} CTAs`, mapped.run);
      break;
    }
    case 'attention':
      for (const k of attentionKernels(p, op, dtype ?? 'fp16')) {
        if (k.kind === 'gemm') {
          const mapped = mapGemm(p, k.shape);
          launch(k.shape.name, `tile ${mapped.tile.m}x${mapped.tile.n}x${mapped.tile.k}, ${mapped.spec.ctas} CTAs`, mapped.run);
        } else {
          const spec = k.kind === 'spec' ? k.spec : streamSpec(p, k.shape);
          launch(spec.name, `${spec.ctas} CTAs`, simulateKernel(p, spec));
        }
      }
      break;
    case 'elementwise': {
      const outBits = op.outBits ?? op.bits;
      const spec = streamSpec(p, {
        name: op.name, elements: op.elements, readBytesPerElement: (op.readsPerElement * op.bits) / 8,
        writeBytesPerElement: (op.writesPerElement * outBits) / 8, vectorFlopsPerElement: op.flopsPerElement,
        template: elementwiseTemplate(op.fn), mathInstrPerElement: MATH_INSTRUCTIONS[op.fn],
        ...(op.rowLength === undefined ? {} : { rowElements: op.rowLength }),
      });
      launch(op.name, `${spec.ctas} CTAs`, simulateKernel(p, spec));
      break;
    }
    case 'gather': {
      const spec = streamSpec(p, {
        name: op.name, elements: op.rows * op.width, readBytesPerElement: op.bits / 8, writeBytesPerElement: op.bits / 8, vectorFlopsPerElement: 0,
        template: 'index-select',
      });
      launch(op.name, `${spec.ctas} CTAs`, simulateKernel(p, spec));
      break;
    }
    case 'collective': {
      const ring = runCollective(op, link);
      const noop = op.groupSize <= 1 && op.collective !== 'p2p';
      const events = ring.events;
      return {
        kernels: noop ? [] : [{ name: op.name, detail: `${op.collective} over ${op.groupSize}`, launchS: p.kernelLaunchS, run: emptyRun(ring.timeS) }],
        link: { timeS: ring.timeS, stepStartS: ring.stepStartS, stepDurS: ring.stepDurS },
        events,
      };
    }
  }
  return { kernels, events: kernels.reduce((s, k) => s + k.run.events, 0) };
}

function emptyRun(makespanS: number): KernelRun {
  return {
    makespanS, mathBusyS: 0, dramBytes: 0, l2Bytes: 0, dramBusyS: 0, l2BusyS: 0, events: 0,
    ctaStartS: new Float64Array(0), ctaEndS: new Float64Array(0), ctaSm: new Int32Array(0),
  };
}
