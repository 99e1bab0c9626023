// The `genz` command through a real subprocess: the contracts of issue 2 that scripts rely on.
// Each spawn costs ~0.5 s, so every command runs once (memoized) and several checks share it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIX = 'test/fixtures/cli';

/** NaN or Infinity as a number (AMD's "Infinity Fabric" in a description is fine). */
const NON_FINITE = /\bNaN\b|\bInfinity\b(?! Fabric)/;

interface Run { code: number | null; stdout: string; stderr: string }

const runs = new Map<string, Run>();

/** Runs `genz …` once per distinct argument list. */
function genz(...args: string[]): Run {
  const key = JSON.stringify(args);
  let run = runs.get(key);
  if (!run) {
    const r = spawnSync('node', ['cli/bin.js', ...args], { cwd: ROOT, encoding: 'utf8' });
    run = { code: r.status, stdout: r.stdout, stderr: r.stderr };
    runs.set(key, run);
  }
  return run;
}

/** A command that must succeed: exit 0, nothing on stderr, no NaN/Infinity/stack anywhere. */
function ok(...args: string[]): string {
  const r = genz(...args);
  expect(r.stderr, `stderr of genz ${args.join(' ')}`).toBe('');
  expect(r.code, `exit code of genz ${args.join(' ')}`).toBe(0);
  expect(r.stdout).not.toMatch(NON_FINITE);
  return r.stdout;
}

type Json = any;
const okJson = (...args: string[]): Json => JSON.parse(ok(...args)) as Json;

const relClose = (actual: number, expected: number, rel = 1e-9): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));
};

const DEFAULT_JSON = ['estimate', '--json'];

describe('genz estimate', () => {
  it('with no flags prints a human table and exits 0', () => {
    const text = ok('estimate');
    expect(text.trimStart().startsWith('{')).toBe(false);
    for (const label of ['TTFT', 'TPOT', 'output tokens/s', 'energy/token', 'memory']) expect(text).toContain(label);
    // The default model and device are named.
    expect(text).toMatch(/Llama|llama/);
    expect(text).toMatch(/H100|h100/);
  });

  it('--json prints one object with the contract fields', () => {
    const stdout = ok(...DEFAULT_JSON);
    const r = JSON.parse(stdout) as Json; // one object, nothing else around it
    for (const key of ['ttftS', 'tpotS', 'e2eS', 'outputTokensPerS', 'energyJPerToken']) {
      expect(typeof r[key], key).toBe('number');
      expect(r[key], key).toBeGreaterThan(0);
    }
    for (const key of ['weightsBytes', 'kvCacheBytes', 'activationBytes', 'perDeviceBytes', 'capacityBytes']) {
      expect(typeof r.memory[key], `memory.${key}`).toBe('number');
      expect(r.memory[key], `memory.${key}`).toBeGreaterThan(0);
    }
    expect(typeof r.memory.fits).toBe('boolean');
    expect(r.memory.fits).toBe(r.memory.perDeviceBytes <= r.memory.capacityBytes);
    expect(r.memory.perDeviceBytes).toBeGreaterThanOrEqual(r.memory.weightsBytes + r.memory.kvCacheBytes + r.memory.activationBytes);
    for (const phase of ['prefill', 'decode']) {
      expect(r[phase].latencyS, phase).toBeGreaterThan(0);
      expect(r[phase].energyJ, phase).toBeGreaterThan(0);
      expect(Array.isArray(r[phase].ops)).toBe(true);
      expect(r[phase].ops.length).toBeGreaterThan(5);
    }
    // Resolved inputs: the defaults are spelled out.
    expect(r.inputs.model.id).toBe('llama-3.1-8b');
    expect(r.inputs.hardware.id).toBe('h100-sxm');
    expect(r.inputs.scenario).toMatchObject({ batch: 1, tp: 1, pp: 1, ep: 1, flash: true });
    const { batch, inputTokens, outputTokens } = r.inputs.scenario;
    expect(inputTokens).toBeGreaterThan(0);
    relClose(r.outputTokensPerS, (batch * outputTokens) / r.e2eS);
    relClose(r.e2eS, r.ttftS + (outputTokens - 1) * r.tpotS);
    // Decode is one step at the mean context.
    expect(r.decode.contextTokens).toBeGreaterThan(inputTokens);
    expect(r.decode.contextTokens).toBeLessThanOrEqual(inputTokens + outputTokens);
  });

  it('--no-flash moves attention scores through DRAM: more prefill attention bytes, slower prefill', () => {
    const flash = okJson(...DEFAULT_JSON);
    const naive = okJson('estimate', '--json', '--no-flash');
    expect(naive.inputs.scenario.flash).toBe(false);
    const attentionBytes = (r: Json): number => r.prefill.ops.filter((o: Json) => o.kind === 'attention').reduce((s: number, o: Json) => s + o.bytes, 0);
    expect(attentionBytes(naive)).toBeGreaterThan(2 * attentionBytes(flash));
    expect(naive.prefill.latencyS).toBeGreaterThan(flash.prefill.latencyS);
    expect(naive.memory.weightsBytes).toBe(flash.memory.weightsBytes);
  });

  it('--kvbits 8 halves kvCacheBytes and leaves the weights alone', () => {
    const base = okJson(...DEFAULT_JSON);
    const kv8 = okJson('estimate', '--json', '--kvbits', '8');
    expect(kv8.memory.kvCacheBytes).toBe(base.memory.kvCacheBytes / 2);
    expect(kv8.memory.weightsBytes).toBe(base.memory.weightsBytes);
    expect(kv8.inputs.scenario.precision.kvBits).toBe(8);
  });

  it('--model --hardware --batch --input --output --wbits --abits --dtype --flash all take effect', () => {
    const r = okJson('estimate', '--json', '--model', 'llama-2-7b', '--hardware', 'a100-80gb-sxm', '--batch', '8', '--input', '512',
      '--output', '64', '--wbits', '4', '--abits', '8', '--dtype', 'fp16', '--flash');
    expect(r.inputs.model.id).toBe('llama-2-7b');
    expect(r.inputs.hardware.id).toBe('a100-80gb-sxm');
    expect(r.inputs.scenario).toMatchObject({ batch: 8, inputTokens: 512, outputTokens: 64, dtype: 'fp16', flash: true });
    expect(r.inputs.scenario.precision).toMatchObject({ weightBits: 4, actBits: 8 });
    // KV defaults to the activation bits: 2 · 32 layers · 32 KV heads · 128 dims · 1 byte per token,
    // for 8 sequences of 512 + 64 tokens.
    expect(r.memory.kvCacheBytes).toBe(8 * (512 + 64) * 2 * 32 * 32 * 128 * 1);
    // 6.74e9 parameters at 4 bits ≈ 3.4 GB, plus group scales and a 16-bit embedding: well under fp16's 13.5 GB.
    expect(r.memory.weightsBytes).toBeGreaterThan(3.3e9);
    expect(r.memory.weightsBytes).toBeLessThan(4.6e9);
    expect(r.memory.capacityBytes).toBe(80e9);
    relClose(r.outputTokensPerS, (8 * 64) / r.e2eS);
  });

  it('llama-2-70b on a100-80gb-sxm: tp 1 does not fit (feasible false, exit 0), tp 2 fits', () => {
    const one = okJson('estimate', '--json', '--model', 'llama-2-70b', '--hardware', 'a100-80gb-sxm', '--tp', '1');
    const two = okJson('estimate', '--json', '--model', 'llama-2-70b', '--hardware', 'a100-80gb-sxm', '--tp', '2');
    expect(one.feasible).toBe(false);
    expect(one.memory.fits).toBe(false);
    expect(typeof one.reason).toBe('string');
    expect(one.memory.weightsBytes).toBeGreaterThan(80e9);
    expect(two.feasible).toBe(true);
    expect(two.memory.fits).toBe(true);
    expect(two.inputs.scenario.tp).toBe(2);
    relClose(two.memory.weightsBytes, one.memory.weightsBytes / 2, 0.02);
    // TP adds all-reduces to the graph.
    expect(two.decode.ops.some((o: Json) => o.kind === 'collective')).toBe(true);
    expect(one.decode.ops.some((o: Json) => o.kind === 'collective')).toBe(false);
  });

  it('--devices --tp --pp --ep take effect (mixtral-8x7b on 8 h100-sxm)', () => {
    const r = okJson('estimate', '--json', '--model', 'mixtral-8x7b', '--hardware', 'h100-sxm', '--devices', '8', '--tp', '4', '--pp', '2', '--ep', '2');
    expect(r.inputs.scenario).toMatchObject({ tp: 4, pp: 2, ep: 2 });
    expect(r.inputs.hardware.deviceCount).toBe(8);
    // 46.7e9 parameters × 2 bytes ≈ 93.4 GB spread over 8 devices ≈ 11.7 GB each.
    expect(r.memory.weightsBytes).toBeGreaterThan((93.4e9 / 8) * 0.9);
    expect(r.memory.weightsBytes).toBeLessThan((93.4e9 / 8) * 1.15);
    expect(r.feasible).toBe(true);
  });

  it('--identical-prompts: a batch of one prompt reads fewer experts of an MoE, and a dense model is unchanged', () => {
    const args = ['estimate', '--json', '--model', 'mixtral-8x7b', '--hardware', 'h100-sxm', '--tp', '2', '--batch', '32', '--input', '256', '--output', '64'];
    const alike = okJson(...args, '--identical-prompts');
    const independent = okJson(...args);
    expect(alike.inputs.scenario.identicalPrompts).toBe(true);
    expect(independent.inputs.scenario.identicalPrompts).toBe(false);
    // 32 independent sequences touch ≈ all 8 experts per layer; identical ones the top 2: decode reads ~1/4 of the expert weights.
    expect(alike.tpotS).toBeLessThan(independent.tpotS * 0.6);
    expect(ok(...args.filter((a) => a !== '--json'), '--identical-prompts')).toContain('identical prompts');
    const dense = ['estimate', '--json', '--model', 'llama-2-7b', '--batch', '8'];
    expect(okJson(...dense, '--identical-prompts').tpotS).toBe(okJson(...dense).tpotS);
  });

  it('a device JSON file works as --hardware and gives the same numbers as the preset it copies', () => {
    const file = okJson('estimate', '--json', '--hardware', `${FIX}/device-h100-copy.json`);
    // A spec of another id does not pick up the preset's shipped profile (profiles are per device id).
    const preset = okJson(...DEFAULT_JSON, '--calibration', 'none');
    expect(file.inputs.hardware.device.id).toBe('my-h100');
    expect(file.ttftS).toBe(preset.ttftS);
    expect(file.tpotS).toBe(preset.tpotS);
    expect(file.memory).toEqual(preset.memory);
  });

  it('`npm run genz -- estimate --json` works from the checkout', () => {
    const r = spawnSync('npm', ['run', 'genz', '--', 'estimate', '--json'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as Json;
    expect(json.ttftS).toBeGreaterThan(0);
    expect(json.inputs.model.id).toBe('llama-3.1-8b');
    expect(r.stdout).not.toMatch(NON_FINITE);
  });
});

describe('genz ops', () => {
  it('prints a per-operator table of both phases with op, count, FLOPs, bytes, FLOP/B, bound, time, share', () => {
    const text = ok('ops');
    const headers = text.split('\n').filter((line) => /^op\s/.test(line));
    expect(headers.length).toBe(2); // prefill and decode
    for (const header of headers) {
      expect(header.trim().split(/\s+/)).toEqual(['op', 'count', 'FLOPs', 'bytes', 'FLOP/B', 'bound', 'time', 'share']);
    }
    expect(text).toMatch(/prefill/);
    expect(text).toMatch(/decode/);
    expect(text).toMatch(/^attention\s/m);
    expect(text).toMatch(/^lm head\s/m);
  });

  it('--phase decode --json gives only the decode phase, with per-op rows', () => {
    const r = okJson('ops', '--phase', 'decode', '--json');
    expect(r.prefill).toBeUndefined();
    expect(r.decode.latencyS).toBeGreaterThan(0);
    expect(r.decode.ops.length).toBeGreaterThan(5);
    let share = 0;
    for (const op of r.decode.ops) {
      for (const key of ['name', 'count', 'flops', 'bytes', 'bound', 'latencyS', 'share']) expect(op, key).toHaveProperty(key);
      expect(op.share).toBeGreaterThanOrEqual(0);
      share += op.share;
    }
    expect(share).toBeGreaterThan(0.5);
    expect(share).toBeLessThanOrEqual(1 + 1e-9);
    // Decode at batch 1 reads every weight once: the big GEMMs are memory-bound.
    const mlp = r.decode.ops.filter((o: Json) => o.kind === 'gemm' && o.block === 'mlp');
    expect(mlp.length).toBeGreaterThan(0);
    for (const op of mlp) expect(op.bound).toBe('memory');
  });
});

describe('genz op', () => {
  const gemm = (...extra: string[]): Json => okJson('op', 'gemm', '--m', '4096', '--n', '4096', '--k', '4096', '--hardware', 'h100-sxm', '--json', ...extra);

  it('gemm --json prints {latencyS, flops = 2·m·n·k, bytes, bound, energyJ}', () => {
    const r = gemm('--dtype', 'fp16');
    expect(r.flops).toBe(2 * 4096 ** 3);
    // A, B and C of fp16 move at least once.
    expect(r.bytes).toBeGreaterThanOrEqual(3 * 4096 * 4096 * 2);
    expect(r.bound).toBe('compute');
    // Never below the roofline floor: 989.5 TFLOP/s dense fp16 on H100 SXM.
    expect(r.latencyS).toBeGreaterThanOrEqual(r.flops / 989.5e12);
    expect(r.latencyS).toBeLessThan(10 * (r.flops / 989.5e12));
    expect(r.energyJ).toBeGreaterThan(0);
  });

  it('--batch 4 multiplies flops by 4', () => {
    const one = gemm('--dtype', 'fp16');
    const four = gemm('--dtype', 'fp16', '--batch', '4');
    expect(four.flops).toBe(4 * one.flops);
    expect(four.latencyS).toBeGreaterThan(3 * one.latencyS);
  });

  it('--dtype fp32 (non-tensor) is slower than fp16 on h100-sxm', () => {
    const fp32 = gemm('--dtype', 'fp32');
    const fp16 = gemm('--dtype', 'fp16');
    expect(fp32.flops).toBe(fp16.flops);
    expect(fp32.latencyS).toBeGreaterThan(fp16.latencyS);
    // 67 TFLOP/s non-tensor FP32 floor.
    expect(fp32.latencyS).toBeGreaterThanOrEqual(fp32.flops / 67e12);
  });

  it('--from-file prints one JSON result per non-blank line, in order; fp32 > tf32 > fp16 in latency', () => {
    const lines = ok('op', '--from-file', `${FIX}/ops.jsonl`, '--json').trim().split('\n');
    expect(lines.length).toBe(5);
    const [fp16, batched, decodeLike, tf32, fp32] = lines.map((line) => JSON.parse(line) as Json);
    expect(fp16.flops).toBe(2 * 4096 ** 3);
    expect(batched.flops).toBe(4 * 2 * 4096 ** 3);
    expect(decodeLike.flops).toBe(2 * 4096 * 4096);
    expect(decodeLike.hardware).toBe('a100-80gb-sxm');
    expect(decodeLike.bound).toBe('memory');
    expect(tf32.computeDtype ?? 'tf32').toBe('tf32');
    expect(fp32.latencyS).toBeGreaterThan(tf32.latencyS);
    expect(tf32.latencyS).toBeGreaterThan(fp16.latencyS);
    // The flag and the file give the same answer.
    expect(fp16.latencyS).toBe(gemm('--dtype', 'fp16').latencyS);
    expect(fp32.latencyS).toBe(gemm('--dtype', 'fp32').latencyS);
  });
});

describe('genz list, show, hardware schema', () => {
  it('list hardware --json gives an array of {id, name} with the issue ids', () => {
    const list = okJson('list', 'hardware', '--json') as { id: string; name: string }[];
    expect(Array.isArray(list)).toBe(true);
    for (const item of list) {
      expect(typeof item.id).toBe('string');
      expect(typeof item.name).toBe('string');
      expect(item.id).toMatch(/^[a-z0-9][a-z0-9.-]*$/);
    }
    const ids = list.map((d) => d.id);
    for (const id of ['h100-sxm', 'a100-80gb-sxm', 'a100-80gb-pcie', 'rtx-4090', 'l4', 'h200', 'mi300x']) expect(ids).toContain(id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('list models --json gives an array of {id, name} with the issue ids', () => {
    const list = okJson('list', 'models', '--json') as { id: string; name: string }[];
    for (const item of list) {
      expect(typeof item.id).toBe('string');
      expect(typeof item.name).toBe('string');
    }
    const ids = list.map((m) => m.id);
    for (const id of ['llama-2-7b', 'llama-3-8b', 'llama-3.1-8b', 'qwen2.5-0.5b', 'mistral-7b', 'mixtral-8x7b']) expect(ids).toContain(id);
  });

  it('show h100-sxm prints the spec with readable numbers and its sources', () => {
    const text = ok('show', 'h100-sxm');
    expect(text).toContain('h100-sxm');
    expect(text).toContain('H100');
    expect(text).toMatch(/sources/);
    // Counts read as counts: 132 SMs, not "1.32e+2".
    expect(text).toMatch(/^computeUnits\s+132\s*$/m);
  });

  it('show llama-2-7b --json prints the model config', () => {
    const m = okJson('show', 'llama-2-7b', '--json');
    expect(m).toMatchObject({ id: 'llama-2-7b', numLayers: 32, numHeads: 32, numKvHeads: 32, hiddenSize: 4096 });
  });

  it('hardware schema prints a JSON Schema', () => {
    const schema = okJson('hardware', 'schema');
    expect(typeof schema).toBe('object');
    expect(schema.$schema).toMatch(/json-schema\.org/);
  });
});

describe('what a new user met (an audit, 2026-11-27)', () => {
  const refused = (...args: string[]): string => {
    const r = genz(...args);
    expect(r.code, `exit code of genz ${args.join(' ')}`).toBe(2);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // one line, no stack
    return r.stderr;
  };

  it('a dtype the part has no datapath for is a warning naming the one it runs on', () => {
    expect(ok('estimate', '--hardware', 'a100-80gb-sxm', '--dtype', 'fp8')).toContain('warning: a100-80gb-sxm has no fp8 datapath: the model\'s GEMMs run on fp16, their operands converted first');
    expect(ok('estimate', '--hardware', 'h100-sxm', '--dtype', 'fp8')).not.toContain('datapath');
    // bf16 on a part with fp16 only is the same width: no warning on every default run of a V100 or T4.
    expect(ok('estimate', '--hardware', 'v100')).not.toContain('datapath');
  });

  it('a length sweep prints the calibration line and each warning with the lengths it holds for', () => {
    const text = ok('estimate', '--model', 'llama-2-7b', '--input', '1k,32k');
    expect(text).toContain('calibration: ');
    expect(text).toMatch(/warning: input 32768: context 33024 exceeds the 4096 positions/);
  });

  it('the calibration line says when 4-bit weights send the GEMMs to the efficiency factors', () => {
    expect(ok('estimate', '--wbits', '4')).toContain('(GEMMs that widen their operands first: efficiency factors)');
    expect(ok('estimate', '--hardware', 'a100-80gb-sxm', '--dtype', 'fp8')).toContain('(GEMMs that widen their operands first: efficiency factors)');
    expect(ok('estimate')).not.toContain('widen');
  });

  it('--max-context warns when the longest prompt that fits is past the trained positions', () => {
    expect(ok('estimate', '--model', 'llama-2-7b', '--max-context')).toMatch(/warning: the longest prompt that fits in memory \(\d+ tokens\) is past the 4096 positions/);
  });

  it('speculative shape flags without --draft are refused', () => {
    expect(refused('estimate', '--gamma', '4')).toContain('--gamma');
  });

  it('a vision encoder refuses LLM flags, honours --ideal, and ops and show know it', () => {
    expect(refused('estimate', '--model', 'vit-b-16', '--pp', '2', '--input', '4k')).toContain('--pp, --input: not for a vision encoder');
    expect(refused('estimate', '--model', 'vit-b-16', '--framework', 'vllm')).toContain('--framework');
    expect(refused('ops', '--model', 'vit-b-16', '--pp', '2', '--threads', '4')).toContain('--threads');
    const real = okJson('estimate', '--json', '--model', 'vit-b-16', '--batch', '64');
    const ideal = okJson('estimate', '--json', '--model', 'vit-b-16', '--batch', '64', '--ideal');
    expect(ideal.latencyS).toBeLessThan(real.latencyS);
    expect(okJson('estimate', '--json', '--model', 'vit-b-16', '--batch', '64', '--calibration', 'none').latencyS).toBe(real.latencyS);
    const ops = okJson('ops', '--json', '--model', 'vit-b-16', '--batch', '64');
    relClose(ops.forward.reduce((s: number, o: Json) => s + o.latencyS, 0), real.latencyS, 0.01);
    expect(ok('show', 'vit-b-16')).toContain('patchSize');
    expect(ok('show', 'smolvlm-256m')).toContain('vlm');
  });

  it('op collectives past one scale-up domain run over the scale-out network, as estimate prices them', () => {
    const latency = (devices: string): number => okJson('op', 'all-reduce', '--json', '--bytes', '16384', '--devices', devices, '--hardware', 'h100-sxm').latencyS;
    expect(latency('16')).toBeGreaterThan(3 * latency('8'));
    expect(latency('1024')).toBeGreaterThan(latency('16'));
    expect(ok('op', 'all-reduce', '--bytes', '16384', '--devices', '16', '--hardware', 'h100-sxm')).toContain('note: 16 × h100-sxm is not a preset system');
    expect(refused('op', 'all-reduce', '--bytes', '16384', '--devices', '16', '--hardware', '8x-h100-hgx')).toContain('has 8 devices');
  });

  it('ops of a vision-language model shows its vision tower and counts the image tokens in the prefill title', () => {
    const text = ok('ops', '--model', 'smolvlm-256m', '--hardware', 'l4', '--phase', 'prefill');
    expect(text).toMatch(/^vision tower of 1 image per sequence × batch 1/m);
    expect(text).toMatch(/^prefill of 1024 tokens \+ 64 image tokens × batch 1/m);
  });
});

describe('output to a reader that stops early', () => {
  it('`genz op --from-file … | head -1` ends quietly with 0, not with an EPIPE stack trace', () => {
    // 2,000 lines of JSON, each written on its own: head closes the pipe after the first, and the next writes fail.
    const file = join(mkdtempSync(join(tmpdir(), 'genz-pipe-')), 'ops.jsonl');
    writeFileSync(file, Array.from({ length: 2000 }, (_, i) => JSON.stringify({ kind: 'gemm', m: 64 + i, n: 4096, k: 4096 })).join('\n'));
    const r = spawnSync('bash', ['-c', `node cli/bin.js op --from-file ${file} --hardware h100-sxm --json | head -1 >/dev/null; echo "status \${PIPESTATUS[0]}"`],
      { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('status 0');
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled/);
  }, 60_000);
});
