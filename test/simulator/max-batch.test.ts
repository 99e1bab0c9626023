// "max batch": the largest batch that fits is the largest batch estimate says fits, with and without pipeline stages.
import { describe, expect, it } from 'vitest';
import { estimate } from '../../index.ts';

describe('largest batch that fits', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['Llama-2-70B, 8 H100s, pp 8', { model: 'llama-2-70b', hardware: '8x-h100-hgx', pp: 8 }],
    ['Llama-2-70B, 8 H100s, tp 8', { model: 'llama-2-70b', hardware: '8x-h100-hgx', tp: 8 }],
    ['Llama-3.1-8B, 4 L4s, tp 2 pp 2', { model: 'llama-3.1-8b', hardware: 'l4', devices: 4, tp: 2, pp: 2 }],
    ['Llama-2-7B, one A100', { model: 'llama-2-7b', hardware: 'a100-80gb-sxm' }],
  ];
  it.each(cases)('%s: max batch fits and one sequence more per replica does not', (_, request) => {
    const base = estimate({ ...request, inputTokens: 2048, outputTokens: 256 });
    const max = base.maxBatchThatFits;
    const dp = base.parallel.dp;
    expect(max).toBeGreaterThan(0);
    expect(estimate({ ...request, inputTokens: 2048, outputTokens: 256, batch: max }).feasible).toBe(true);
    expect(estimate({ ...request, inputTokens: 2048, outputTokens: 256, batch: max + dp }).feasible).toBe(false);
  });
});
