// Expected number of distinct experts that `tokens` top-k routings touch, for uniform routing:
// each expert is missed by one token with probability (1 − k/E), so E·(1 − (1 − k/E)^tokens) are hit.
// (With batch 1 in decode this is exactly k; it approaches E as the batch grows.)
import { GenzError } from '../common/errors.ts';

export function expectedDistinctExperts(numExperts: number, topK: number, tokens: number): number {
  if (tokens <= 0) return 0;
  const missOne = 1 - topK / numExperts;
  return numExperts * (1 - Math.pow(missOne, tokens));
}

/**
 * Expected distinct experts on the busiest of `ranks` expert-parallel ranks, each holding numExperts / ranks experts,
 * when `touched` of the numExperts are touched in expectation: a step waits for its busiest rank, not the average one.
 * Each expert is taken as touched independently with probability touched / numExperts (a rank's count binomial), and
 * E[max] = Σ_{x ≥ 1} (1 − P(count < x)^ranks); one expert per rank: 1 once any is touched. One rank: `touched`.
 * Mixtral (top-2 of 8) at batch 1 over 8 ranks: one expert on the busiest rank against the average's 0.25; DeepSeek-V3
 * (top-8 of 256) over 8: 2.54 against 1 (a Monte Carlo of the routing, 2026-11-27: 2.56).
 */
export function expectedBusiestRankExperts(numExperts: number, touched: number, ranks: number): number {
  if (ranks <= 1) return touched;
  if (numExperts % ranks !== 0) throw new GenzError('invalid_input', `ep ${ranks} does not divide the ${numExperts} experts`, ['ep']);
  const perRank = numExperts / ranks;
  // One expert per rank: the busiest holds one as soon as any expert is touched (the binomial says 1 − (1 − p)^ranks).
  if (perRank === 1) return Math.min(1, touched);
  const p = Math.min(1, Math.max(0, touched / numExperts));
  // Binomial(perRank, p) probabilities, then the expected maximum over the ranks from its CDF.
  let pmf = Math.pow(1 - p, perRank);
  let cdf = 0;
  let expectedMax = 0;
  for (let x = 0; x < perRank; x++) {
    cdf += pmf;
    expectedMax += 1 - Math.pow(Math.min(1, cdf), ranks);
    pmf = p < 1 ? (pmf * (perRank - x) * p) / ((x + 1) * (1 - p)) : 0;
  }
  return expectedMax;
}
