// Estimates of a list of requests (full reports or scalar metrics), latest-wins.
import { estimateMetrics, estimateReports } from '../core/client.ts';
import type { EstimateReport, EstimateRequest, Metrics, Outcome } from '../core/protocol.ts';
import { useLatest, type Latest } from './use-latest.ts';

export function useReports(requests: EstimateRequest[] | null): Latest<Outcome<EstimateReport>[]> {
  const key = requests && JSON.stringify(requests);
  return useLatest(key, () => estimateReports(requests ?? []));
}

export function useMetrics(requests: EstimateRequest[] | null): Latest<Outcome<Metrics>[]> {
  const key = requests && JSON.stringify(requests);
  return useLatest(key, () => estimateMetrics(requests ?? []));
}
