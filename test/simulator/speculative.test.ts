// Speculative decoding cost math (simulator/serving/speculative.ts).
// Chain: Leviathan, Kalman, Matias 2023, "Fast Inference from Transformers via Speculative Decoding", eq. 1 and
// Theorem 3.8 (speedup). Tree: SpecInfer (Miao et al. 2024) / Sequoia (Chen et al. 2024, positional acceptance
// assumption, F(T) = Σ_v f(v)); STree (Wu et al. 2025) applies the same tree verification to SSM/hybrid targets.
import { describe, expect, it } from 'vitest';
import { GenzError } from '../../common/errors.ts';
import {
  chainTree, draftPassWidths, expectedTokensChain, expectedTokensTree, kAryTree, positionalFromAlpha,
  positionalFromConditional, sequoiaTree, speculativeStep, treeDepth, treeFromBranching, treeSize, type SpecTree,
} from '../../simulator/serving/speculative.ts';

const ALPHAS = [0, 0.3, 0.7, 0.9, 1];

/** Leviathan et al. 2023: enumerate all 2^γ accept/reject outcomes of the γ drafts (i.i.d. with α); tokens =
 *  leading accepts + 1 (the target's correction or bonus token). */
function bruteChain(alpha: number, gamma: number): number {
  let expected = 0;
  for (let mask = 0; mask < 1 << gamma; mask++) {
    let prob = 1;
    let leading = 0;
    let stopped = false;
    for (let i = 0; i < gamma; i++) {
      const accepted = (mask >> i) & 1;
      prob *= accepted ? alpha : 1 - alpha;
      if (!accepted) stopped = true;
      else if (!stopped) leading++;
    }
    expected += prob * (leading + 1);
  }
  return expected;
}

function childrenOf(tree: SpecTree): number[][] {
  const ch: number[][] = tree.parents.map(() => []);
  tree.parents.forEach((p, i) => { if (i > 0) ch[p]!.push(i); });
  return ch;
}

/** Enumerate every joint outcome of the tree: each internal node independently picks which child is accepted
 *  (rank i with p_i) or none (1 − Σ p over its children); walk the accepted path from the root. */
function bruteTreePositional(tree: SpecTree, p: readonly number[]): number {
  const ch = childrenOf(tree);
  const internal = ch.map((c, i) => (c.length > 0 ? i : -1)).filter((i) => i >= 0);
  const choice = new Map<number, number>(internal.map((i) => [i, 0]));
  let expected = 0;
  let total = 0;
  for (;;) {
    let prob = 1;
    for (const v of internal) {
      const k = ch[v]!.length;
      const c = choice.get(v)!;
      prob *= c < k ? p[c]! : 1 - p.slice(0, k).reduce((a, b) => a + b, 0);
    }
    let node = 0;
    let tokens = 1;
    while (ch[node]!.length > 0 && choice.get(node)! < ch[node]!.length) {
      node = ch[node]![choice.get(node)!]!;
      tokens++;
    }
    expected += prob * tokens;
    total += prob;
    // Next mixed-radix assignment (radix k + 1 per internal node).
    let j = 0;
    for (; j < internal.length; j++) {
      const v = internal[j]!;
      const next = choice.get(v)! + 1;
      if (next <= ch[v]!.length) { choice.set(v, next); break; }
      choice.set(v, 0);
    }
    if (j === internal.length) break;
  }
  expect(total).toBeCloseTo(1, 12);
  return expected;
}

/** SpecInfer-style rank-ordered trials: at each node try children in rank order, rank i accepted with q_i given
 *  the earlier ones were rejected; enumerate every trial sequence. */
function bruteTreeTrials(tree: SpecTree, q: readonly number[]): number {
  const ch = childrenOf(tree);
  const walk = (node: number): number => {
    // Expected tokens still to come from `node` (the node itself already counted).
    let rejected = 1;
    let e = 0;
    ch[node]!.forEach((child, rank) => {
      e += rejected * q[rank]! * (1 + walk(child));
      rejected *= 1 - q[rank]!;
    });
    return e;
  };
  return 1 + walk(0);
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function randomTree(n: number, rand: () => number): SpecTree {
  const parents = [-1];
  for (let i = 1; i < n; i++) parents.push(Math.floor(rand() * i));
  return { parents };
}

function expectInvalid(fn: () => unknown, path: (string | number)[]): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GenzError);
    expect((e as GenzError).code).toBe('invalid_input');
    expect((e as GenzError).path).toEqual(path);
    return;
  }
  throw new Error('expected a GenzError');
}

describe('chain speculation (Leviathan et al. 2023, eq. 1)', () => {
  it('closed form equals brute-force enumeration over all accept/reject sequences', () => {
    for (const alpha of ALPHAS) {
      for (let gamma = 1; gamma <= 6; gamma++) {
        expect(expectedTokensChain(alpha, gamma)).toBeCloseTo(bruteChain(alpha, gamma), 12);
      }
    }
  });

  it('edge cases: α = 0 → 1 token, α = 1 → γ + 1, and stays accurate as α → 1', () => {
    for (let gamma = 1; gamma <= 6; gamma++) {
      expect(expectedTokensChain(0, gamma)).toBe(1);
      expect(expectedTokensChain(1, gamma)).toBe(gamma + 1);
    }
    // α = 1 − 1e-12: Σ α^k = 5 − 10e-12 to first order; the naive quotient loses ~4 digits here.
    expect(expectedTokensChain(1 - 1e-12, 4)).toBeCloseTo(5 - 10e-12, 10);
    expect(expectedTokensChain(0.8, 4)).toBeCloseTo((1 - 0.8 ** 5) / 0.2, 12);
  });

  it('the chain tree in the tree DP equals the closed form', () => {
    for (const alpha of ALPHAS) {
      for (let gamma = 1; gamma <= 6; gamma++) {
        const tree = chainTree(gamma);
        expect(treeSize(tree)).toBe(gamma + 1);
        expect(treeDepth(tree)).toBe(gamma);
        expect(draftPassWidths(tree)).toEqual(new Array(gamma).fill(1));
        expect(expectedTokensTree(tree, [alpha])).toBeCloseTo(expectedTokensChain(alpha, gamma), 12);
      }
    }
  });
});

describe('tree speculation (SpecInfer / Sequoia positional acceptance)', () => {
  const p = [0.6, 0.2, 0.1];

  it('builds trees: [2,2] has 7 nodes, [3,1,1] has 10, k-ary sizes, draft pass widths', () => {
    expect(treeFromBranching([2, 2]).parents).toEqual([-1, 0, 0, 1, 1, 2, 2]);
    expect(treeSize(treeFromBranching([3, 1, 1]))).toBe(10);
    expect(treeSize(kAryTree(3, 3))).toBe(1 + 3 + 9 + 27);
    expect(draftPassWidths(treeFromBranching([3, 1, 1]))).toEqual([1, 3, 3]);
    expect(draftPassWidths({ parents: [-1, 0, 0, 1] })).toEqual([1, 1]); // only node 1 of level 1 has a child
    expect(treeSize({ parents: [-1] })).toBe(1);
    expect(expectedTokensTree({ parents: [-1] }, [0.9])).toBe(1);
  });

  it('the DP equals brute-force enumeration over all outcomes for small trees', () => {
    const trees = [treeFromBranching([2, 2]), treeFromBranching([3, 1, 1]), treeFromBranching([1, 3]), { parents: [-1, 0, 0, 1, 3, 2, 0] }];
    for (const tree of trees) {
      expect(expectedTokensTree(tree, p)).toBeCloseTo(bruteTreePositional(tree, p), 12);
    }
    const rand = lcg(7);
    for (let t = 0; t < 20; t++) {
      const tree = randomTree(2 + Math.floor(rand() * 7), rand);
      const maxChildren = Math.max(...childrenOf(tree).map((c) => c.length));
      const weights = Array.from({ length: maxChildren }, () => rand());
      const scale = rand() / weights.reduce((a, b) => a + b, 0); // Σ p ≤ 1
      const pr = weights.map((w) => w * scale);
      expect(expectedTokensTree(tree, pr)).toBeCloseTo(bruteTreePositional(tree, pr), 12);
    }
  });

  it('rank-ordered trials with conditional rates q match the DP on positionalFromConditional(q)', () => {
    const q = [0.7, 0.4, 0.25];
    const pos = positionalFromConditional(q);
    expect(pos[0]).toBeCloseTo(0.7, 15);
    expect(pos[1]).toBeCloseTo(0.3 * 0.4, 15);
    expect(pos[2]).toBeCloseTo(0.3 * 0.6 * 0.25, 15);
    for (const tree of [treeFromBranching([2, 2]), treeFromBranching([3, 1, 1]), kAryTree(3, 2)]) {
      expect(expectedTokensTree(tree, pos)).toBeCloseTo(bruteTreeTrials(tree, q), 12);
    }
    // positionalFromAlpha: rank 1 keeps α, later siblings decay.
    const fromAlpha = positionalFromAlpha(0.8, 3, 0.5);
    expect(fromAlpha).toEqual(positionalFromConditional([0.8, 0.4, 0.2]));
  });

  it('expected tokens increase with tree size for fixed per-rank acceptance', () => {
    const pos = positionalFromAlpha(0.7, 4);
    let previous = 0;
    for (let size = 1; size <= 64; size++) {
      const tree = sequoiaTree(size, pos);
      expect(treeSize(tree)).toBe(size);
      const e = expectedTokensTree(tree, pos);
      expect(e).toBeGreaterThan(previous);
      previous = e;
    }
    // Adding any leaf to any tree adds reach(leaf) > 0.
    const rand = lcg(11);
    for (let t = 0; t < 20; t++) {
      const tree = randomTree(1 + Math.floor(rand() * 10), rand);
      const grown = { parents: [...tree.parents, Math.floor(rand() * tree.parents.length)] };
      if (Math.max(...childrenOf(grown).map((c) => c.length)) > pos.length) continue;
      expect(expectedTokensTree(grown, pos)).toBeGreaterThan(expectedTokensTree(tree, pos));
    }
    // Fixed size 15: a deep chain beats a wide tree at high α, a wide tree beats it at low α.
    expect(expectedTokensTree(chainTree(14), [0.9])).toBeGreaterThan(expectedTokensTree(kAryTree(2, 3), positionalFromAlpha(0.9, 2)));
    expect(expectedTokensTree(kAryTree(2, 3), positionalFromAlpha(0.3, 2))).toBeGreaterThan(expectedTokensTree(chainTree(14), [0.3]));
  });

  it('sequoiaTree is the best tree of its size (exhaustive over all trees up to 7 nodes)', () => {
    const pos = [0.5, 0.3, 0.1];
    for (let n = 1; n <= 7; n++) {
      let best = 0;
      const parents = [-1, ...new Array<number>(n - 1).fill(0)];
      for (;;) {
        const tree = { parents: [...parents] };
        if (Math.max(0, ...childrenOf(tree).map((c) => c.length)) <= pos.length) best = Math.max(best, expectedTokensTree(tree, pos));
        let i = 1;
        for (; i < n; i++) {
          if (parents[i]! + 1 < i) { parents[i]! += 1; break; }
          parents[i] = 0;
        }
        if (i >= n) break;
      }
      expect(expectedTokensTree(sequoiaTree(n, pos), pos)).toBeCloseTo(best, 12);
    }
    // A depth cap bounds draft passes.
    expect(treeDepth(sequoiaTree(40, pos, 3))).toBeLessThanOrEqual(3);
  });
});

describe('speculative step cost', () => {
  const T = 0.02; // target decode step, s

  it('reproduces Leviathan et al. Theorem 3.8: speedup = (1 − α^(γ+1)) / ((1 − α)(γc + 1))', () => {
    for (const alpha of [0.3, 0.7, 0.9]) {
      for (const c of [0, 0.05, 0.2]) {
        for (let gamma = 1; gamma <= 6; gamma++) {
          const step = speculativeStep({ gamma, acceptance: alpha, draftLevelS: c * T, verifyS: T, baselineTpotS: T });
          expect(step.speedup).toBeCloseTo((1 - alpha ** (gamma + 1)) / ((1 - alpha) * (gamma * c + 1)), 12);
          // Same via the tree path.
          const viaTree = speculativeStep({ tree: chainTree(gamma), acceptance: [alpha], draftLevelS: c * T, verifyS: T, baselineTpotS: T });
          expect(viaTree.tpotS).toBeCloseTo(step.tpotS, 15);
          expect(viaTree.verifyTokens).toBe(gamma + 1);
          expect(viaTree.draftPasses).toBe(gamma);
        }
      }
    }
  });

  it('verification cost grows with tree size; speedup has an interior optimum', () => {
    // verifyS linear in tokens: a decode step plus 3% per extra verified token (the pass turns compute-bound).
    const verifyS = (v: number): number => T * (1 + 0.03 * (v - 1));
    const draftLevelS = (width: number): number => 0.05 * T * (1 + 0.01 * (width - 1));
    const pos = positionalFromAlpha(0.7, 4);
    const sizes = Array.from({ length: 128 }, (_, i) => i + 1);
    const steps = sizes.map((n) => speculativeStep({ tree: sequoiaTree(n, pos), acceptance: pos, draftLevelS, verifyS, baselineTpotS: T }));
    for (let i = 1; i < steps.length; i++) {
      expect(steps[i]!.verifyPassS).toBeGreaterThan(steps[i - 1]!.verifyPassS);
      expect(steps[i]!.expectedTokensPerStep).toBeGreaterThan(steps[i - 1]!.expectedTokensPerStep);
    }
    const speedups = steps.map((s) => s.speedup);
    const bestAt = speedups.indexOf(Math.max(...speedups));
    expect(speedups[0]).toBeCloseTo(1 / 1, 12); // root-only tree is plain decoding (no draft pass)
    expect(bestAt).toBeGreaterThan(0);
    expect(bestAt).toBeLessThan(sizes.length - 1);
    expect(speedups[bestAt]!).toBeGreaterThan(1.5);
    expect(speedups[bestAt]!).toBeGreaterThan(speedups[sizes.length - 1]! * 1.2);

    // Chain: Leviathan's α = 0.8, c = 0.05 has its best γ strictly inside 1..20.
    const chain = Array.from({ length: 20 }, (_, i) => speculativeStep({ gamma: i + 1, acceptance: 0.8, draftLevelS: 0.05 * T, verifyS: T, baselineTpotS: T }).speedup);
    const bestGamma = chain.indexOf(Math.max(...chain)) + 1;
    expect(bestGamma).toBeGreaterThan(1);
    expect(bestGamma).toBeLessThan(20);
  });

  it('guards inputs with GenzError invalid_input and a field path', () => {
    expectInvalid(() => expectedTokensChain(1.2, 3), ['speculative', 'acceptance']);
    expectInvalid(() => expectedTokensChain(Number.NaN, 3), ['speculative', 'acceptance']);
    expectInvalid(() => expectedTokensChain(0.5, 0), ['speculative', 'gamma']);
    expectInvalid(() => expectedTokensChain(0.5, 2.5), ['speculative', 'gamma']);
    expectInvalid(() => expectedTokensTree({ parents: [] }, [0.5]), ['speculative', 'tree']);
    expectInvalid(() => expectedTokensTree({ parents: [0] }, [0.5]), ['speculative', 'tree', 0]);
    expectInvalid(() => expectedTokensTree({ parents: [-1, 0, 2] }, [0.5]), ['speculative', 'tree', 2]);
    expectInvalid(() => expectedTokensTree(treeFromBranching([2]), [0.5, -0.1]), ['speculative', 'acceptance', 1]);
    expectInvalid(() => expectedTokensTree(treeFromBranching([2]), [0.7, 0.6]), ['speculative', 'acceptance']);
    expectInvalid(() => expectedTokensTree(treeFromBranching([3]), [0.5, 0.2]), ['speculative', 'acceptance']);
    expectInvalid(() => speculativeStep({ acceptance: 0.5, draftLevelS: 0, verifyS: T, baselineTpotS: T }), ['speculative', 'gamma']);
    expectInvalid(() => speculativeStep({ gamma: 2, acceptance: [0.5], draftLevelS: 0, verifyS: T, baselineTpotS: T }), ['speculative', 'acceptance']);
    expectInvalid(() => speculativeStep({ gamma: 2, acceptance: 0.5, draftLevelS: 0, verifyS: () => Number.NaN, baselineTpotS: T }), ['speculative', 'verifyS']);
    expectInvalid(() => speculativeStep({ gamma: 2, acceptance: 0.5, draftLevelS: -1, verifyS: T, baselineTpotS: T }), ['speculative', 'draftLevelS']);
    expectInvalid(() => speculativeStep({ gamma: 2, acceptance: 0.5, draftLevelS: 0, verifyS: T, baselineTpotS: 0 }), ['speculative', 'baselineTpotS']);
    expectInvalid(() => sequoiaTree(5, [0.2, 0.5]), ['speculative', 'acceptance', 1]);
  });
});
