// The page's handle on the worker pool. Results are cached by request, so a view that comes back (or a
// shared link, or back/forward) answers at once; uncached requests go to the worker in one batched call.
import { pool as createPool, type Pool } from 'workerpool';
import workerUrl from './worker.ts?worker&url';
import type { Catalog, Failure, CheckedSpec, EstimateReport, EstimateRequest, Metrics, Outcome, SpecKind, WorkerApi } from './protocol.ts';

const cores = typeof navigator === 'undefined' ? 2 : navigator.hardwareConcurrency || 2;
/** One worker per spare core (at least one, at most three): the page thread keeps a core to itself. */
const maxWorkers = Math.max(1, Math.min(3, cores - 1));

let pool: Pool | null = null;

function getPool(): Pool {
  pool ??= createPool(workerUrl, { workerType: 'web', workerOpts: { type: 'module', name: 'genz-core' }, maxWorkers });
  return pool;
}

async function call<K extends keyof WorkerApi>(method: K, ...args: Parameters<WorkerApi[K]>): Promise<ReturnType<WorkerApi[K]>> {
  return (await getPool().exec(method, args)) as ReturnType<WorkerApi[K]>;
}

class Cache<T> {
  private readonly entries = new Map<string, Promise<T>>();
  constructor(private readonly limit: number) {}

  get(key: string): Promise<T> | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, value: Promise<T>): void {
    this.entries.set(key, value);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

/** A worker that died (not a user mistake: those come back as outcomes) answers every request it held. */
function lost(error: unknown): Failure {
  return { ok: false, code: 'internal', problems: [{ path: [], message: `the worker failed: ${error instanceof Error ? error.message : String(error)}` }] };
}

/**
 * Runs `requests` through `method`, answering cached ones from `cache` and sending the rest in chunks (one per
 * worker for a big sweep). The answer is assembled from this call's own promises, so a batch larger than the
 * cache still comes back whole; a worker failure is answered but not cached, so the next ask tries again.
 */
function batched<T>(cache: Cache<Outcome<T>>, method: 'estimateMany' | 'metricsMany', requests: EstimateRequest[]): Promise<Outcome<T>[]> {
  const keys = requests.map((r) => JSON.stringify(r));
  const answers = new Map<string, Promise<Outcome<T>>>();
  const missing: number[] = [];
  const seen = new Set<string>();
  keys.forEach((key, i) => {
    if (seen.has(key)) return;
    seen.add(key);
    const hit = cache.get(key);
    if (hit) answers.set(key, hit);
    else missing.push(i);
  });
  const chunk = Math.max(16, Math.ceil(missing.length / maxWorkers));
  for (let start = 0; start < missing.length; start += chunk) {
    const part = missing.slice(start, start + chunk);
    const answer = call(method, part.map((i) => requests[i]!)) as Promise<Outcome<T>[]>;
    part.forEach((i, n) => {
      const key = keys[i]!;
      const one = answer.then((all) => all[n]!, (error: unknown) => {
        cache.delete(key);
        return lost(error);
      });
      answers.set(key, one);
      cache.set(key, one);
    });
  }
  return Promise.all(keys.map((key) => answers.get(key)!));
}

const reports = new Cache<Outcome<EstimateReport>>(120);
const metrics = new Cache<Outcome<Metrics>>(4000);
let catalog: Promise<Catalog> | null = null;

export const estimateReports = (requests: EstimateRequest[]): Promise<Outcome<EstimateReport>[]> => batched(reports, 'estimateMany', requests);
export const estimateMetrics = (requests: EstimateRequest[]): Promise<Outcome<Metrics>[]> => batched(metrics, 'metricsMany', requests);
export const loadCatalog = (): Promise<Catalog> => (catalog ??= call('catalog'));
export const checkSpec = (kind: SpecKind, text: string): Promise<Outcome<CheckedSpec>> => call('checkSpec', kind, text);
