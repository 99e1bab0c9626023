// What crosses the worker boundary: plain data only (structured clone), never class instances.
import type {
  Device, EstimateReport, EstimateRequest, GenzErrorCode, GenzProblem, MemoryReport, OpReport, SystemSpec, TransformerConfig,
} from '../../../index.ts';

export type { Device, EstimateReport, EstimateRequest, GenzProblem, MemoryReport, OpReport, SystemSpec, TransformerConfig };

export interface ModelEntry {
  id: string;
  name: string;
  family: string;
  /** Total parameters. */
  params: number;
  config: TransformerConfig;
}

export interface Catalog {
  devices: Device[];
  systems: SystemSpec[];
  models: ModelEntry[];
}

export interface Failure {
  ok: false;
  code: GenzErrorCode | 'internal';
  problems: GenzProblem[];
}

export type Outcome<T> = { ok: true; value: T } | Failure;

/** The scalar results of one estimate: what a sweep needs, without the per-operator lists. */
export interface Metrics {
  feasible: boolean;
  reason?: string;
  ttftS: number;
  tpotS: number;
  e2eS: number;
  outputTokensPerS: number;
  outputTokensPerSPerDevice: number;
  energyJPerToken: number;
  maxBatchThatFits: number;
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
