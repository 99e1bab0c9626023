// The vision side of a VLM in a serving estimate: the tower and projector run over every image of a
// micro-batch before the language model's prefill, whose prompt grows by the image tokens.
import type { Precision } from '../../models/precision.ts';
import { buildVlmVisionGraph, vlmImageTokens, vlmVisionFootprint, type ResolvedVlm } from '../../models/vision/vlm.ts';
import type { CostBackend, CostContext } from '../cost.ts';
import { costGraph, opReports, type OpReport } from './phase.ts';

export interface VisionStage {
  /** Image tokens one image adds to the prompt. */
  imageTokensPerImage: number;
  /** Tower + projector time of one micro-batch's images on one device. */
  latencyS: number;
  /** Dynamic energy of one micro-batch's images on one TP rank. */
  dynamicEnergyJ: number;
  ops: OpReport[];
  /** Tower and projector weights on one device (held by the first pipeline stage). */
  weightBytes: number;
  /** Peak transient activations of the tower for one micro-batch. */
  activationBytes: number;
}

export function visionStage(vlm: ResolvedVlm, images: number, tp: number, precision: Precision, flash: boolean,
  backend: CostBackend, ctx: CostContext): VisionStage {
  const costed = costGraph(buildVlmVisionGraph({ config: vlm, images, tp, precision, flash }), backend, ctx);
  const footprint = vlmVisionFootprint(vlm, precision, tp, images, flash);
  return {
    imageTokensPerImage: vlmImageTokens(vlm),
    latencyS: costed.preS + costed.layerS * costed.graph.numLayers + costed.postS,
    dynamicEnergyJ: costed.dynamicEnergyJ,
    ops: opReports(costed),
    weightBytes: footprint.weightBytes,
    activationBytes: footprint.activationBytes,
  };
}
