// Library edge: every user mistake is one GenzError with an exact `code` and `path`; valid requests of every
// shape give results in which no number is NaN or Infinity (checked on the object itself, not its JSON,
// because JSON.stringify turns NaN into null and would hide it).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  estimate, estimateOp, GenzError, listDevices, listModels, listSystems, IDEAL_EFFICIENCY,
  type EstimateRequest, type SingleOpRequest,
} from '../../index.ts';

const fixture = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url)), 'utf8')) as Record<string, unknown>;

/** Runs `fn`, expects a GenzError, returns it. */
function genzError(fn: () => unknown): GenzError {
  try {
    fn();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(GenzError);
    return error as GenzError;
  }
  throw new Error('expected a GenzError, but the call returned');
}

/** Every non-finite number in `value`, as 'a.b.0.c' paths. */
function nonFinite(value: unknown, path = '', found: string[] = [], seen = new Set<unknown>()): string[] {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) found.push(`${path || '(root)'} = ${value}`);
  } else if (typeof value === 'object' && value !== null && !seen.has(value)) {
    seen.add(value);
    for (const [key, child] of Object.entries(value)) nonFinite(child, path ? `${path}.${key}` : key, found, seen);
  }
  return found;
}

/** A valid genz model config (a small Llama-like model) to mutate. */
const smallModel = {
  id: 'tiny-llama', name: 'Tiny Llama (test)', family: 'llama', hiddenSize: 1024, numLayers: 4, numHeads: 16, numKvHeads: 4,
  headDim: 64, intermediateSize: 2816, vocabSize: 32000, maxPositionEmbeddings: 4096, mlp: 'gated', activation: 'silu',
  norm: 'rmsnorm', positional: 'rope', tieWordEmbeddings: false, source: 'test fixture',
};

describe('estimate(): user mistakes are GenzErrors with code and path', () => {
  it('unknown model id → unknown_id at [model], naming the closest ids', () => {
    const e = genzError(() => estimate({ model: 'llama-2-7' }));
    expect(e.code).toBe('unknown_id');
    expect(e.path).toEqual(['model']);
    expect(e.message).toContain('llama-2-7b');
  });

  it('unknown hardware id → unknown_id at [hardware], naming the closest ids', () => {
    const e = genzError(() => estimate({ hardware: 'h100-sxn' }));
    expect(e.code).toBe('unknown_id');
    expect(e.path).toEqual(['hardware']);
    expect(e.message).toContain('h100-sxm');
  });

  it('batch 0 → invalid_input at [batch]', () => {
    const e = genzError(() => estimate({ batch: 0 }));
    expect(e.code).toBe('invalid_input');
    expect(e.path).toEqual(['batch']);
  });

  it.each([
    ['batch', -4], ['batch', 2.5], ['batch', Number.NaN], ['batch', 1e12], ['inputTokens', 0], ['inputTokens', Number.POSITIVE_INFINITY],
    ['inputTokens', 1e12], ['outputTokens', -1], ['tp', 0], ['pp', 0], ['ep', -1], ['devices', 0], ['wbits', 0], ['kvbits', 64],
  ] as const)('%s = %s → invalid_input at that field', (field, value) => {
    const e = genzError(() => estimate({ [field]: value } as EstimateRequest));
    expect(e.code).toBe('invalid_input');
    expect(e.path).toEqual([field]);
    // Echoing a NaN the caller passed is honest; inventing one is not.
    if (Number.isFinite(value)) expect(e.message).not.toMatch(/NaN|Infinity/);
  });

  it('a number given as a string → invalid_input at its field', () => {
    const e = genzError(() => estimate({ batch: '4' } as unknown as EstimateRequest));
    expect(e.code).toBe('invalid_input');
    expect(e.path).toEqual(['batch']);
  });

  it('tp 3 on llama-2-7b (32 heads) → invalid_input at [tp]', () => {
    const e = genzError(() => estimate({ model: 'llama-2-7b', tp: 3 }));
    expect(e.code).toBe('invalid_input');
    expect(e.path).toEqual(['tp']);
    expect(e.message).toContain('32');
  });

  it('tp 4 on qwen2.5-0.5b (14 heads) → invalid_input at [tp]', () => {
    const e = genzError(() => estimate({ model: 'qwen2.5-0.5b', tp: 4 }));
    expect(e.path).toEqual(['tp']);
  });

  it('a device spec object without memory → invalid_input at [hardware, memory]', () => {
    const device = fixture('cli/device-h100-copy.json');
    delete device.memory;
    const e = genzError(() => estimate({ hardware: device }));
    expect(e.code).toBe('invalid_input');
    expect(e.path.slice(0, 2)).toEqual(['hardware', 'memory']);
  });

  it('a device spec object with bandwidth as a string → path [hardware, memory, 0, bandwidthBytesPerS]', () => {
    const e = genzError(() => estimate({ hardware: fixture('cli/device-bandwidth-string.json') }));
    expect(e.code).toBe('invalid_input');
    expect(e.path).toEqual(['hardware', 'memory', 0, 'bandwidthBytesPerS']);
  });

  it('a model config whose numHeads is not a multiple of numKvHeads → invalid_input at [model, numKvHeads]', () => {
    const e = genzError(() => estimate({ model: { ...smallModel, numKvHeads: 5 } }));
    expect(e.code).toBe('invalid_input');
    expect(e.path).toEqual(['model', 'numKvHeads']);
  });

  it('a model config with a negative layer count → invalid_input at [model, numLayers]', () => {
    const e = genzError(() => estimate({ model: { ...smallModel, numLayers: -2 } }));
    expect(e.code).toBe('invalid_input');
    expect(e.path).toEqual(['model', 'numLayers']);
  });

  it('an HF config with bad head counts → invalid_input under [model]', () => {
    const hf = { ...fixture('hf/Llama-2-7b-hf.json'), num_key_value_heads: 5 };
    const e = genzError(() => estimate({ model: hf }));
    expect(e.code).toBe('invalid_input');
    expect(e.path[0]).toBe('model');
  });

  it('a system needing more devices than it has → invalid_input at [devices]', () => {
    const e = genzError(() => estimate({ hardware: '8x-h100-hgx', devices: 16 }));
    expect(e.path).toEqual(['devices']);
  });

  it('ep on a dense model → invalid_input at [ep]', () => {
    const e = genzError(() => estimate({ model: 'llama-2-7b', ep: 2, tp: 2 }));
    expect(e.path).toEqual(['ep']);
  });

  it('every problem message is one line', () => {
    const device = fixture('cli/device-h100-copy.json');
    delete device.memory;
    delete device.power;
    const e = genzError(() => estimate({ hardware: device }));
    expect(e.problems.length).toBeGreaterThanOrEqual(2);
    for (const p of e.problems) expect(p.message).not.toContain('\n');
  });
});

describe('estimateOp(): user mistakes', () => {
  it('missing m for a gemm → invalid_input at [m]', () => {
    const e = genzError(() => estimateOp({ kind: 'gemm', n: 64, k: 64 } as unknown as SingleOpRequest));
    expect(e.code).toBe('invalid_input');
    expect(e.path).toEqual(['m']);
  });

  it('unknown kind → GenzError at [kind]', () => {
    const e = genzError(() => estimateOp({ kind: 'conv', m: 1 } as unknown as SingleOpRequest));
    expect(e.path).toEqual(['kind']);
  });

  it('unknown hardware → unknown_id at [hardware]', () => {
    const e = genzError(() => estimateOp({ kind: 'gemm', m: 8, n: 8, k: 8, hardware: 'h1000' }));
    expect(e.code).toBe('unknown_id');
    expect(e.path).toEqual(['hardware']);
  });
});

describe('estimate(): spec objects work', () => {
  it('a Hugging Face config.json object as `model` gives the same shape as the preset', () => {
    const hf = estimate({ model: fixture('hf/Llama-2-7b-hf.json'), hardware: 'a100-80gb-sxm' });
    const preset = estimate({ model: 'llama-2-7b', hardware: 'a100-80gb-sxm' });
    expect(hf.feasible).toBe(true);
    expect(hf.inputs.model.numLayers).toBe(32);
    expect(hf.inputs.model.numHeads).toBe(32);
    // Same architecture → same weights and KV cache.
    expect(hf.memory.weightsBytes).toBe(preset.memory.weightsBytes);
    expect(hf.memory.kvCacheBytes).toBe(preset.memory.kvCacheBytes);
    expect(hf.ttftS).toBeCloseTo(preset.ttftS, 12);
  });

  it('a device spec object works, and halving its bandwidth slows memory-bound decode', () => {
    const copy = estimate({ hardware: fixture('cli/device-h100-copy.json') });
    // A spec of another id does not pick up the preset's shipped profile (profiles are per device id).
    const preset = estimate({ hardware: 'h100-sxm', calibration: 'none' });
    const slow = estimate({ hardware: fixture('cli/device-h100-half-bandwidth.json') });
    expect(copy.inputs.hardware.device.id).toBe('my-h100');
    expect(copy.tpotS).toBe(preset.tpotS);
    expect(slow.tpotS).toBeGreaterThan(1.5 * preset.tpotS);
  });
});

describe('no NaN or Infinity in any result', () => {
  const models = listModels();
  const devices = listDevices();
  const dtypes = ['bf16', 'fp16', 'fp8', 'int8', 'int4', 'fp32', 'tf32', 'fp64'] as const;
  const batches = [1, 3, 16, 64, 256, 1000];
  const inputs = [1, 17, 512, 4096, 32768];
  const outputs = [1, 2, 33, 256, 2048];

  /** The largest of 8, 4, 2, 1 that suits the model's heads and KV heads. */
  const tpFor = (i: number, heads: number, kvHeads: number): number => {
    for (const tp of [8, 4, 2, 1].slice(i % 4)) {
      if (heads % tp === 0 && (kvHeads % tp === 0 || tp % kvHeads === 0)) return tp;
    }
    return 1;
  };

  const requests: { label: string; request: EstimateRequest }[] = [];
  for (let i = 0; i < 40; i++) {
    const model = models[i % models.length]!;
    const device = devices[(i * 7) % devices.length]!;
    const tp = tpFor(i, model.numHeads ?? 1, model.numKvHeads ?? 1);
    const request: EstimateRequest = {
      model: model.id, hardware: device.id, tp, batch: batches[i % batches.length]!, inputTokens: inputs[(i * 3) % inputs.length]!,
      outputTokens: outputs[(i * 2) % outputs.length]!, dtype: dtypes[i % dtypes.length]!, flash: i % 3 !== 0,
    };
    if (i % 5 === 1) request.wbits = 4;
    if (i % 7 === 2) request.kvbits = 8;
    if (i % 11 === 3) request.abits = 8;
    requests.push({ label: `${model.id} on ${device.id} tp ${tp} #${i}`, request });
  }
  const extra: EstimateRequest[] = [
    { model: 'mixtral-8x7b', hardware: '8x-h100-hgx', tp: 8, ep: 8, batch: 64 },
    { model: 'mixtral-8x22b', hardware: '8x-mi300x', tp: 4, pp: 2, ep: 2, batch: 1, outputTokens: 1 },
    { model: 'llama-3.1-405b', hardware: '8x-h200-hgx', tp: 8, dtype: 'fp8', batch: 32, inputTokens: 8192 },
    { model: 'llama-3.1-405b', hardware: 'jetson-orin-nano', batch: 1000000, inputTokens: 100_000_000, outputTokens: 100_000_000 },
    { model: 'llama-2-70b', hardware: 'a100-80gb-sxm', devices: 8, tp: 2, pp: 2, batch: 7 },
    { model: 'qwen2.5-0.5b', hardware: 'tpu-v5e-256', tp: 2, batch: 1 },
    { model: 'gpt-3-175b', hardware: 'b200', tp: 8, wbits: 1, abits: 1, kvbits: 1 },
    { model: 'llama-3.2-1b', hardware: 'rtx-4090', efficiency: { ...IDEAL_EFFICIENCY }, workspaceBytes: 0 },
    { model: { ...smallModel }, hardware: fixture('cli/device-h100-half-bandwidth.json'), batch: 2 },
    { model: fixture('hf/Mixtral-8x7B-v0.1.json'), hardware: 'h100-sxm', tp: 1, batch: 3 },
    { model: fixture('hf/gpt2.json'), hardware: 'l4', inputTokens: 1024, outputTokens: 1 },
    { model: 'opt-30b', hardware: 'gaudi3', dtype: 'int4', devices: 4, tp: 4 },
  ];
  extra.forEach((request, j) => requests.push({ label: `extra #${j}`, request }));
  for (const system of listSystems().slice(0, 2)) requests.push({ label: `system ${system.id}`, request: { hardware: system.id, tp: 8 } });

  it('has a sweep of about 50 diverse requests', () => {
    expect(requests.length).toBeGreaterThanOrEqual(50);
  });

  it.each(requests)('$label', ({ request }) => {
    const report = estimate(request);
    expect(nonFinite(report)).toEqual([]);
    expect(report.e2eS).toBeGreaterThan(0);
    // One output token means no decode step, so TPOT is 0; otherwise it is a positive time.
    if (report.inputs.scenario.outputTokens > 1) expect(report.tpotS).toBeGreaterThan(0);
    else expect(report.tpotS).toBe(0);
    expect(report.decode.latencyS).toBeGreaterThan(0);
    expect(report.outputTokensPerS).toBeGreaterThan(0);
    expect(report.feasible).toBe(report.memory.fits);
    if (!report.feasible) expect(typeof report.reason).toBe('string');
  });

  it.each([
    { kind: 'gemm', m: 1, n: 1, k: 1 },
    { kind: 'gemm', m: 1e9, n: 1e9, k: 1e9, batch: 1e9, dtype: 'fp64', hardware: 'l4' },
    { kind: 'gemm', m: 4096, n: 4096, k: 4096, dtype: 'int4', hardware: 'h100-sxm' },
    { kind: 'attention', queryLen: 1, kvLen: 1e9, heads: 1e9, kvHeads: 1 },
    { kind: 'elementwise', elements: 1 },
    { kind: 'all-reduce', bytes: 1e15, devices: 1 },
    { kind: 'all-to-all', bytes: 1, devices: 1e9 },
  ] as SingleOpRequest[])('estimateOp %o is finite', (request) => {
    expect(nonFinite(estimateOp(request))).toEqual([]);
  });
});
