// A serving framework's time per pipeline boundary (FrameworkCosts.stageS: llama.cpp's layer split) and where it is paid.
import { describe, expect, it } from 'vitest';
import { estimate } from '../../index.ts';

describe('a framework\'s time per pipeline boundary (FrameworkCosts.stageS)', () => {
  const run = (stageS: number) => estimate({
    model: 'llama-3.1-8b', hardware: 'a100-80gb-sxm', devices: 2, pp: 2, framework: 'llama.cpp',
    frameworkCosts: { stepS: 5.5e-3, sequenceS: 0, allReduce: null, stageS, kvRereadShare: 1 },
    speculative: { draft: 'llama-3.2-1b', acceptance: 0.8, gamma: 4 },
  });
  it('is paid once per boundary by the target\'s passes, and not by a draft pass, which runs on one device', () => {
    const [none, one] = [run(0), run(1e-3)];
    expect(one.speculative!.baselineTpotS - none.speculative!.baselineTpotS).toBeCloseTo(1e-3, 9);
    expect(one.speculative!.verifyPassS - none.speculative!.verifyPassS).toBeCloseTo(1e-3, 9);
    expect(one.speculative!.draftS).toBe(none.speculative!.draftS);
    expect(one.ttftS - none.ttftS).toBeCloseTo(1e-3, 9);
  });
});
