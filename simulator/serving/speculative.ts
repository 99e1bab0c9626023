// Speculative decoding cost math: expected tokens per target verification step for chain and tree
// speculation, the time of one draft + verify step, and the resulting TPOT and speedup over plain decoding.
//
// Chain (Leviathan, Kalman, Matias 2023, "Fast Inference from Transformers via Speculative Decoding", eq. 1):
// each of γ draft tokens is accepted independently with probability α, the step stops at the first rejection,
// and the target always contributes one more token (the correction on a rejection, the bonus token when all γ
// are accepted), so E = Σ_{k=0..γ} α^k = (1 − α^(γ+1)) / (1 − α), and γ + 1 at α = 1.
//
// Tree (SpecInfer, Miao et al. 2024; Sequoia, Chen et al. 2024; STree for SSM/hybrid targets, Wu et al. 2025):
// a tree of candidate tokens is verified in one target pass. Acceptance follows Sequoia's positional acceptance
// assumption: at every node, the child of rank i (the i-th most likely draft token, rank order = index order
// among siblings) is the one accepted with probability p_i, the same at every node and depth; the events are
// disjoint (at most one child per node is accepted), so Σ p_i ≤ 1. The accepted path stops at the first node none
// of whose present children is accepted; the target then adds one token. Hence
//   E = 1 + Σ_{v ≠ root} Π_{u on the path root→v} p_rank(u)     (Sequoia's F(T) = Σ_v f(v) with f(root) = 1),
// computed exactly in one forward pass over the parent array. `positionalFromConditional` converts the other usual
// description (children tried in rank order, the i-th accepted with probability q_i given the earlier ones were
// rejected): p_i = q_i Π_{j<i} (1 − q_j). A chain is the tree with one child per node and p = [α].
//
// Tree layout: `parents[0] = -1` is the root, the last accepted token whose KV is not yet cached (every step feeds
// it to the target); every other node i has a parent parents[i] < i, so the array is topologically ordered. The
// target verifies `treeSize(tree) = parents.length` tokens in one pass (γ + 1 for a chain of γ drafts; 1 for the
// root-only tree, which is plain decoding).
//
// Pure, synchronous, no allocation beyond one or two typed arrays of the tree's size.
import { GenzError } from '../../common/errors.ts';

export interface SpecTree {
  /** parents[0] = -1 (the root); parents[i] ∈ [0, i) for i ≥ 1. Siblings are ranked by index (first = rank 1). */
  readonly parents: readonly number[];
}

const P = 'speculative';
const EPS = 1e-9;

function fail(message: string, ...path: (string | number)[]): never {
  throw new GenzError('invalid_input', message, [P, ...path]);
}

function checkAlpha(alpha: number, ...path: (string | number)[]): void {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha < 0 || alpha > 1) {
    fail(`acceptance must be a number in [0, 1], got ${String(alpha)}`, ...path);
  }
}

function checkGamma(gamma: number): void {
  if (typeof gamma !== 'number' || !Number.isInteger(gamma) || gamma < 1) {
    fail(`gamma (draft tokens per step) must be an integer ≥ 1, got ${String(gamma)}`, 'gamma');
  }
}

function checkTree(tree: SpecTree): void {
  const parents = tree?.parents;
  if (!Array.isArray(parents) || parents.length === 0) fail('tree must have at least the root node', 'tree');
  if (parents[0] !== -1) fail(`the root (node 0) must have parent -1, got ${String(parents[0])}`, 'tree', 0);
  for (let i = 1; i < parents.length; i++) {
    const p = parents[i];
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p >= i) {
      fail(`node ${i} must have a parent index in [0, ${i}), got ${String(p)}`, 'tree', i);
    }
  }
}

function checkAcceptanceByRank(acceptanceByRank: readonly number[]): void {
  if (!Array.isArray(acceptanceByRank) || acceptanceByRank.length === 0) {
    fail('acceptanceByRank must be a non-empty array of probabilities (rank 1 first)', 'acceptance');
  }
  let sum = 0;
  for (let i = 0; i < acceptanceByRank.length; i++) {
    checkAlpha(acceptanceByRank[i]!, 'acceptance', i);
    sum += acceptanceByRank[i]!;
  }
  if (sum > 1 + EPS) {
    fail(`positional acceptance probabilities are disjoint events and must sum to ≤ 1, got ${sum}`, 'acceptance');
  }
}

/**
 * Leviathan et al. 2023 eq. 1: expected tokens per target step with γ i.i.d. drafts accepted with probability α,
 * (1 − α^(γ+1)) / (1 − α), γ + 1 at α = 1. Evaluated as −expm1((γ+1)·log1p(−ε)) / ε with ε = 1 − α, which stays
 * accurate as α → 1.
 */
export function expectedTokensChain(alpha: number, gamma: number): number {
  checkAlpha(alpha, 'acceptance');
  checkGamma(gamma);
  if (alpha === 1) return gamma + 1;
  const eps = 1 - alpha;
  return -Math.expm1((gamma + 1) * Math.log1p(-eps)) / eps;
}

/** Tokens the target verifies in one pass: every node including the root (γ + 1 for a chain of γ drafts). */
export function treeSize(tree: SpecTree): number {
  checkTree(tree);
  return tree.parents.length;
}

/** Number of levels below the root = draft passes needed to build the tree (γ for a chain). */
export function treeDepth(tree: SpecTree): number {
  checkTree(tree);
  return depthsOf(tree.parents).max;
}

function depthsOf(parents: readonly number[]): { depth: Int32Array; max: number } {
  const depth = new Int32Array(parents.length);
  let max = 0;
  for (let i = 1; i < parents.length; i++) {
    const d = depth[parents[i]!]! + 1;
    depth[i] = d;
    if (d > max) max = d;
  }
  return { depth, max };
}

/**
 * Draft pass widths: entry ℓ − 1 is the number of tokens the draft model reads in the pass that proposes level ℓ,
 * i.e. the level-(ℓ − 1) nodes that have children (each yields all its children, its top-k, from one forward).
 * A chain of γ gives γ ones.
 */
export function draftPassWidths(tree: SpecTree): number[] {
  checkTree(tree);
  const parents = tree.parents;
  const { depth, max } = depthsOf(parents);
  const widths: number[] = new Array<number>(max).fill(0);
  const counted = new Uint8Array(parents.length);
  for (let i = 1; i < parents.length; i++) {
    const p = parents[i]!;
    if (counted[p] === 0) {
      counted[p] = 1;
      widths[depth[p]!]! += 1;
    }
  }
  return widths;
}

/**
 * Expected tokens per verification step for a tree under Sequoia's positional acceptance: the expected accepted
 * path length (root excluded) + 1 (the target's bonus/correction token). `acceptanceByRank[i]` is the probability
 * that the rank-(i + 1) child of a node is the accepted one; Σ ≤ 1. Every node's child count must be covered.
 */
export function expectedTokensTree(tree: SpecTree, acceptanceByRank: readonly number[]): number {
  checkTree(tree);
  checkAcceptanceByRank(acceptanceByRank);
  const parents = tree.parents;
  const n = parents.length;
  // reach[i] = P(node i is on the accepted path) = Π of positional probabilities from the root to i.
  const reach = new Float64Array(n);
  const children = new Int32Array(n);
  reach[0] = 1;
  let expected = 1;
  for (let i = 1; i < n; i++) {
    const parent = parents[i]!;
    const rank = children[parent]!;
    children[parent] = rank + 1;
    if (rank >= acceptanceByRank.length) {
      fail(`node ${parent} has ${rank + 1}+ children but acceptanceByRank gives only ${acceptanceByRank.length} ranks`, 'acceptance');
    }
    const r = reach[parent]! * acceptanceByRank[rank]!;
    reach[i] = r;
    expected += r;
  }
  return expected;
}

/**
 * Sequoia's positional vector from rank-ordered trials: q_i = P(rank-i child accepted | ranks < i rejected),
 * p_i = q_i Π_{j<i} (1 − q_j).
 */
export function positionalFromConditional(conditional: readonly number[]): number[] {
  if (!Array.isArray(conditional) || conditional.length === 0) fail('conditional acceptance must be a non-empty array', 'acceptance');
  const out: number[] = new Array<number>(conditional.length);
  let rejectedSoFar = 1;
  for (let i = 0; i < conditional.length; i++) {
    const q = conditional[i]!;
    checkAlpha(q, 'acceptance', i);
    out[i] = rejectedSoFar * q;
    rejectedSoFar *= 1 - q;
  }
  return out;
}

/**
 * A heuristic positional vector from a single measured acceptance rate α (the top-1 draft token's acceptance):
 * rank 1 is accepted with α; after the ranks before it are rejected, rank i is accepted with α · siblingRatio^(i−1)
 * (later siblings are less likely, the residual distribution being flatter). Returns Sequoia's p (see above).
 * Prefer a measured vector when one exists (Sequoia estimates it offline per draft/target pair).
 */
export function positionalFromAlpha(alpha: number, ranks: number, siblingRatio = 0.5): number[] {
  checkAlpha(alpha, 'acceptance');
  checkAlpha(siblingRatio, 'siblingRatio');
  if (!Number.isInteger(ranks) || ranks < 1) fail(`ranks must be an integer ≥ 1, got ${String(ranks)}`, 'ranks');
  const q: number[] = new Array<number>(ranks);
  for (let i = 0; i < ranks; i++) q[i] = alpha * siblingRatio ** i;
  return positionalFromConditional(q);
}

/** A chain of γ draft tokens (γ + 1 verified tokens with the root). */
export function chainTree(gamma: number): SpecTree {
  checkGamma(gamma);
  const parents: number[] = new Array<number>(gamma + 1);
  for (let i = 0; i <= gamma; i++) parents[i] = i - 1;
  return { parents };
}

/**
 * A tree where every node at depth d has branching[d] children (breadth-first numbering, so siblings are
 * contiguous and ranked by index). [k, k, …, k] (D entries) is the full k-ary tree of depth D; [3, 1, 1] is a
 * top-3 root with a chain of 2 under each.
 */
export function treeFromBranching(branching: readonly number[]): SpecTree {
  if (!Array.isArray(branching)) fail('branching must be an array of positive integers', 'tree');
  const parents: number[] = [-1];
  let levelStart = 0;
  let levelEnd = 1;
  for (let d = 0; d < branching.length; d++) {
    const b = branching[d]!;
    if (!Number.isInteger(b) || b < 1) fail(`branching at depth ${d} must be an integer ≥ 1, got ${String(b)}`, 'tree', d);
    for (let node = levelStart; node < levelEnd; node++) for (let c = 0; c < b; c++) parents.push(node);
    levelStart = levelEnd;
    levelEnd = parents.length;
  }
  return { parents };
}

/** The full k-ary tree of depth D: Σ_{d=0..D} k^d nodes. */
export function kAryTree(k: number, depth: number): SpecTree {
  if (!Number.isInteger(depth) || depth < 0) fail(`depth must be an integer ≥ 0, got ${String(depth)}`, 'tree');
  return treeFromBranching(new Array<number>(depth).fill(k));
}

/**
 * Sequoia's optimal tree for a size budget (tokens verified, root included) under positional acceptance, with an
 * optional depth cap (Sequoia's hardware-aware bound on draft passes). With p non-increasing in rank, a node's
 * f(v) = Π p along its path never exceeds its parent's or its earlier sibling's, so taking the `size` largest f(v)
 * greedily (frontier: first child and next sibling of each taken node) is optimal (equal to Sequoia's DP).
 */
export function sequoiaTree(size: number, acceptanceByRank: readonly number[], maxDepth = Infinity): SpecTree {
  if (!Number.isInteger(size) || size < 1) fail(`tree size must be an integer ≥ 1, got ${String(size)}`, 'treeSize');
  checkAcceptanceByRank(acceptanceByRank);
  for (let i = 1; i < acceptanceByRank.length; i++) {
    if (acceptanceByRank[i]! > acceptanceByRank[i - 1]! + EPS) {
      fail('sequoiaTree needs acceptance probabilities non-increasing in rank', 'acceptance', i);
    }
  }
  if (!(maxDepth >= 0)) fail(`maxDepth must be ≥ 0, got ${String(maxDepth)}`, 'maxDepth');
  const parents: number[] = [-1];
  const reach: number[] = [1];
  const depth: number[] = [0];
  // Frontier candidates: (parent, rank, value). Small budgets: a linear scan for the maximum is enough.
  const candParent: number[] = [];
  const candRank: number[] = [];
  const candValue: number[] = [];
  const push = (parent: number, rank: number): void => {
    if (rank >= acceptanceByRank.length || depth[parent]! + 1 > maxDepth) return;
    const v = reach[parent]! * acceptanceByRank[rank]!;
    if (v <= 0) return;
    candParent.push(parent);
    candRank.push(rank);
    candValue.push(v);
  };
  push(0, 0);
  while (parents.length < size && candValue.length > 0) {
    let best = 0;
    for (let i = 1; i < candValue.length; i++) if (candValue[i]! > candValue[best]!) best = i;
    const parent = candParent[best]!;
    const rank = candRank[best]!;
    const value = candValue[best]!;
    const last = candValue.length - 1;
    candParent[best] = candParent[last]!;
    candRank[best] = candRank[last]!;
    candValue[best] = candValue[last]!;
    candParent.pop();
    candRank.pop();
    candValue.pop();
    const id = parents.length;
    parents.push(parent);
    reach.push(value);
    depth.push(depth[parent]! + 1);
    push(parent, rank + 1);
    push(id, 0);
  }
  // Insertion order is already a valid layout: a node enters the frontier only after its parent (and, for rank
  // > 1, its previous sibling) was taken, so parents precede children and siblings appear in rank order.
  return { parents };
}

export type TimeOf = number | ((tokens: number) => number);

export interface SpeculativeStepInput {
  /** Chain speculation with γ drafts (give exactly one of gamma and tree). */
  gamma?: number;
  /** Tree speculation (give exactly one of gamma and tree). */
  tree?: SpecTree;
  /**
   * α (a number: chain acceptance; for a tree, the positional vector [α], valid when no node has > 1 child) or
   * Sequoia's positional acceptance vector (rank 1 first).
   */
  acceptance: number | readonly number[];
  /** Draft time of one pass, or a function of the pass width in tokens (1 for each pass of a chain). 0 for self-drafting heads. */
  draftLevelS: TimeOf;
  /** Target verification time of one pass over V tokens at the current context (prefill-like); t_v(1) ≈ a decode step. */
  verifyS: TimeOf;
  /** Plain decoding time per token of the target (TPOT without speculation). */
  baselineTpotS: number;
}

export interface SpeculativeStep {
  /** Expected tokens produced per draft + verify step (accepted drafts + 1). */
  expectedTokensPerStep: number;
  /** Tokens the target verifies per step (tree size, root included). */
  verifyTokens: number;
  /** Draft passes per step (tree depth; γ for a chain). */
  draftPasses: number;
  /** Draft time per step, Σ over passes. */
  draftS: number;
  /** Target verification time per step, t_v(verifyTokens). */
  verifyPassS: number;
  /** draftS + verifyPassS. */
  stepS: number;
  /** stepS / expectedTokensPerStep. */
  tpotS: number;
  /** baselineTpotS / tpotS. */
  speedup: number;
}

function timeOf(time: TimeOf, tokens: number, field: string): number {
  const t = typeof time === 'function' ? time(tokens) : time;
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) {
    fail(`must be a finite time ≥ 0 in seconds, got ${String(t)}${typeof time === 'function' ? ` for ${tokens} tokens` : ''}`, field);
  }
  return t;
}

/**
 * One speculative step: time per generated token = (Σ draft passes + t_v(tree size)) / E and speedup vs plain
 * decoding. For a chain with draftLevelS = c·T and verifyS = T = baselineTpotS this is Leviathan et al.'s
 * speedup (1 − α^(γ+1)) / ((1 − α)(γc + 1)).
 */
export function speculativeStep(input: SpeculativeStepInput): SpeculativeStep {
  if (input === null || typeof input !== 'object') fail('input must be an object');
  const { gamma, tree, acceptance } = input;
  if ((gamma === undefined) === (tree === undefined)) fail('give exactly one of gamma (chain) and tree', 'gamma');
  const baseline = input.baselineTpotS;
  if (typeof baseline !== 'number' || !Number.isFinite(baseline) || baseline <= 0) {
    fail(`must be a finite time > 0 in seconds, got ${String(baseline)}`, 'baselineTpotS');
  }
  let expected: number;
  let verifyTokens: number;
  let draftS = 0;
  let draftPasses: number;
  if (gamma !== undefined) {
    if (typeof acceptance !== 'number') fail('chain speculation takes a single acceptance rate α in [0, 1]', 'acceptance');
    expected = expectedTokensChain(acceptance, gamma);
    verifyTokens = gamma + 1;
    draftPasses = gamma;
    const perPass = timeOf(input.draftLevelS, 1, 'draftLevelS');
    draftS = perPass * gamma;
  } else {
    const byRank = typeof acceptance === 'number' ? [acceptance] : acceptance;
    expected = expectedTokensTree(tree!, byRank);
    verifyTokens = tree!.parents.length;
    const widths = draftPassWidths(tree!);
    draftPasses = widths.length;
    for (const w of widths) draftS += timeOf(input.draftLevelS, w, 'draftLevelS');
  }
  const verifyPassS = timeOf(input.verifyS, verifyTokens, 'verifyS');
  const stepS = draftS + verifyPassS;
  if (!(stepS > 0)) fail('draft + verification time per step must be > 0', 'verifyS');
  const tpotS = stepS / expected;
  return { expectedTokensPerStep: expected, verifyTokens, draftPasses, draftS, verifyPassS, stepS, tpotS, speedup: baseline / tpotS };
}
