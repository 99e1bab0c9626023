// What crosses the worker boundary: plain data only (structured clone), never class instances.
import type {
  Device, EfficiencyProfile, EstimateReport, EstimateRequest, GenzErrorCode, GenzProblem, MemoryReport, OpReport, SystemSpec,
  TransformerConfig, VlmConfig,
} from '../../../index.ts';

export type {
  Device, EfficiencyProfile, EstimateReport, EstimateRequest, GenzProblem, MemoryReport, OpReport, SystemSpec, TransformerConfig, VlmConfig,
};

export interface ModelEntry {
  id: string;
  name: string;
  family: string;
  /** Total parameters (a VLM's: tower, projector and language model). */
  params: number;
  /** The decoder (a VLM's language model, resolved). */
  config: TransformerConfig;
  /** A vision-language model's own spec: it takes images, and its decoder is `config`. */
  vlm?: VlmConfig;
}

export interface Catalog {
  devices: Device[];
  systems: SystemSpec[];
  models: ModelEntry[];
  /** The core's efficiency factors: its defaults, and the ideal roofline (efficiency 1, no overheads). */
  efficiency: { defaults: EfficiencyProfile; ideal: EfficiencyProfile };
}

export interface Failure {
  ok: false;
  code: GenzErrorCode | 'internal';
  problems: GenzProblem[];
}

export type Outcome<T> = { ok: true; value: T } | Failure;

/** The scalar results of one estimate: what a sweep needs, without the per-operator lists. */
export interface Metrics extends Pick<EstimateReport, 'feasible' | 'reason' | 'ttftS' | 'tpotS' | 'e2eS' | 'outputTokensPerS'
  | 'outputTokensPerSPerDevice' | 'energyJPerToken' | 'maxBatchThatFits'> {
  perDeviceBytes: number;
  capacityBytes: number;
  devices: number;
}

export type SpecKind = 'hardware' | 'model';

/** A validated upload: the object to put in the request, and one line saying what it is. */
export interface CheckedSpec {
  kind: SpecKind;
  value: Record<string, unknown>;
  summary: string;
}

/** The functions the worker registers, by name. */
export interface WorkerApi {
  catalog(): Catalog;
  estimateMany(requests: EstimateRequest[]): Outcome<EstimateReport>[];
  metricsMany(requests: EstimateRequest[]): Outcome<Metrics>[];
  checkSpec(kind: SpecKind, text: string): Outcome<CheckedSpec>;
}
