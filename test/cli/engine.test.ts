// `--engine roofline|cycle` and `--trace FILE` on estimate, ops and op, through a real subprocess; and the same
// choice in the library (the request's `engine`, or a backend argument that records a trace).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CycleTrace, FRAMEWORK_COSTS, createCycleBackend, estimate, estimateOp } from '../../index.ts';
import { expectGenzError } from '../helpers.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'genz-trace-'));

function genz(...args: string[]) {
  const r = spawnSync('node', ['cli/bin.js', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

type TraceEvent = { name: string; ph: string; pid: number; tid: number; ts?: number; dur?: number };

describe('genz --engine and --trace', () => {
  it('op gemm --engine cycle prices on the cycle engine; --trace writes a Chrome trace, byte-identical on a rerun', () => {
    const args = ['op', 'gemm', '--m', '2048', '--n', '2048', '--k', '2048', '--hardware', 'a100-80gb-sxm', '--json'];
    const roofline = JSON.parse(genz(...args).stdout) as { latencyS: number };
    const [a, b] = [join(dir, 'a.json'), join(dir, 'b.json')];
    const runA = genz(...args, '--engine', 'cycle', '--trace', a);
    const runB = genz(...args, '--trace', b);
    expect(runA.code).toBe(0);
    expect(runA.stderr).toMatch(/wrote \d+ trace events to/);
    const cycle = JSON.parse(runA.stdout) as { latencyS: number };
    expect(cycle.latencyS).not.toBe(roofline.latencyS);
    expect(cycle.latencyS).toBeGreaterThan(0);
    expect(JSON.parse(runB.stdout)).toEqual(cycle);
    const text = readFileSync(a, 'utf8');
    expect(readFileSync(b, 'utf8')).toBe(text);
    const events = (JSON.parse(text) as { traceEvents: TraceEvent[] }).traceEvents;
    const complete = events.filter((e) => e.ph === 'X');
    expect(complete.length).toBeGreaterThan(10);
    for (const e of complete) {
      expect(Number.isFinite(e.ts) && Number.isFinite(e.dur)).toBe(true);
      expect(e.dur!).toBeGreaterThanOrEqual(0);
    }
  });

  it('estimate --engine cycle reports the engine, applies no calibration, and says so', () => {
    const json = JSON.parse(genz('estimate', '--model', 'llama-2-7b', '--engine', 'cycle', '--output', '16', '--json').stdout) as {
      inputs: { backend: string; calibration: unknown }; tpotS: number;
    };
    expect(json.inputs.backend).toBe('cycle');
    expect(json.inputs.calibration).toBeNull();
    expect(json.tpotS).toBeGreaterThan(0);
    expect(genz('estimate', '--model', 'llama-2-7b', '--engine', 'cycle', '--output', '16').stdout).toMatch(/engine: cycle-level simulator/);
  });

  it('ops --trace covers every op of both phases on one timeline', () => {
    const path = join(dir, 'ops.json');
    const r = genz('ops', '--model', 'qwen2.5-0.5b', '--input', '128', '--trace', path, '--json');
    expect(r.code).toBe(0);
    const events = (JSON.parse(readFileSync(path, 'utf8')) as { traceEvents: TraceEvent[] }).traceEvents.filter((e) => e.ph === 'X');
    const end = Math.max(...events.map((e) => e.ts! + e.dur!));
    expect(end).toBeGreaterThan(0);
  });

  it('user mistakes exit 2 with one line: --trace with the roofline engine, an unknown engine, an unwritable path', () => {
    const roofline = genz('op', 'gemm', '--m', '64', '--n', '64', '--k', '64', '--engine', 'roofline', '--trace', join(dir, 'x.json'));
    expect([roofline.code, roofline.stderr]).toEqual([2, expect.stringMatching(/trace: .*roofline engine has none/)]);
    const unknown = genz('estimate', '--engine', 'warp');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Allowed choices are roofline, cycle/);
    const unwritable = genz('op', 'gemm', '--m', '64', '--n', '64', '--k', '64', '--trace', join(dir, 'missing', 'x.json'));
    expect([unwritable.code, unwritable.stderr]).toEqual([2, expect.stringMatching(/cannot write the trace/)]);
  });
});

describe('genz estimate --framework', () => {
  it("adds the framework's host time to TTFT and every decode step, and names it; an unknown one is refused", () => {
    // Llama-2-7B has a KV head per query head: the framework's GQA KV re-reads add nothing, its host time all.
    const args = ['estimate', '--model', 'llama-2-7b', '--output', '16', '--json'];
    const none = JSON.parse(genz(...args).stdout) as { ttftS: number; tpotS: number };
    const vllm = JSON.parse(genz(...args, '--framework', 'vllm').stdout) as { ttftS: number; tpotS: number; inputs: { scenario: { framework: string } } };
    const hostS = FRAMEWORK_COSTS.vllm.stepS + FRAMEWORK_COSTS.vllm.sequenceS;
    expect(vllm.tpotS - none.tpotS).toBeCloseTo(hostS, 9);
    expect(vllm.ttftS - none.ttftS).toBeCloseTo(hostS, 9);
    expect(vllm.inputs.scenario.framework).toBe('vllm');
    expect(genz('estimate', '--model', 'qwen2.5-0.5b', '--framework', 'vllm').stdout).toMatch(/vllm host time [\d.]+ (ms|µs)\/step \+ [\d.]+ µs\/sequence, all-reduce [\d.]+ µs, GQA KV re-reads [\d.]+%/);
    expect(genz('estimate', '--model', 'qwen2.5-0.5b', '--framework', 'deepspeed-mii').stdout).toMatch(/deepspeed-mii host time [\d.]+ (ms|µs)\/step \+ [\d.]+ µs\/sequence(?!, all-reduce)/);
    // llama.cpp runs one sequence: no time per sequence, but one per pipeline boundary (its layer split).
    expect(genz('estimate', '--model', 'qwen2.5-0.5b', '--framework', 'llama.cpp').stdout).toMatch(/llama\.cpp host time [\d.]+ (ms|µs)\/step \+ [\d.]+ ms\/pipeline boundary,/);
    const bad = genz('estimate', '--framework', 'sglang');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Allowed choices are none, vllm, tensorrt-llm, deepspeed-mii, llama\.cpp/);
  });
});

describe('the engine in the library', () => {
  it("a request's engine picks the backend; a backend argument records a trace", () => {
    const request = { model: 'qwen2.5-0.5b', inputTokens: 256, outputTokens: 8, engine: 'cycle' as const };
    const report = estimate(request);
    expect(report.inputs.backend).toBe('cycle');
    expect(estimate({ ...request, engine: 'roofline' }).inputs.backend).toBe('roofline');
    const trace = new CycleTrace();
    const traced = estimate(request, createCycleBackend({ trace }));
    expect(traced.tpotS).toBe(report.tpotS);
    expect(trace.eventCount).toBeGreaterThan(0);
    const op = { kind: 'gemm' as const, m: 1024, n: 1024, k: 1024, hardware: 'h100-sxm' };
    expect(estimateOp({ ...op, engine: 'cycle' }).latencyS).not.toBe(estimateOp(op).latencyS);
  });

  it('an unknown engine is a user error at its path', () => {
    expectGenzError(() => estimate({ engine: 'warp' as never }), 'invalid_input', ['engine']);
    expectGenzError(() => estimateOp({ kind: 'gemm', m: 8, n: 8, k: 8, engine: 'warp' as never }), 'invalid_input', ['engine']);
  });
});
