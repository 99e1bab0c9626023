// Expected number of distinct experts that `tokens` top-k routings touch, for uniform routing:
// each expert is missed by one token with probability (1 − k/E), so E·(1 − (1 − k/E)^tokens) are hit.
// (With batch 1 in decode this is exactly k; it approaches E as the batch grows.)

export function expectedDistinctExperts(numExperts: number, topK: number, tokens: number): number {
  if (tokens <= 0) return 0;
  const missOne = 1 - topK / numExperts;
  return numExperts * (1 - Math.pow(missOne, tokens));
}

/**
 * Expected distinct experts on the busiest of `ranks` expert-parallel ranks, each holding numExperts / ranks experts,
 * when `touched` of the numExperts are touched in expectation: a step waits for its busiest rank, not the average one.
 * Each expert is taken as touched independently with probability touched / numExperts (a rank's count binomial), and
 * E[max] = Σ_{x ≥ 1} (1 − P(count < x)^ranks). One rank: `touched`. Mixtral (top-2 of 8) at batch 1 over 8 ranks:
 * 0.90 experts on the busiest rank against the average's 0.25 (exactly 1 with the two experts on two ranks).
 */
export function expectedBusiestRankExperts(numExperts: number, touched: number, ranks: number): number {
  if (ranks <= 1) return touched;
  const perRank = Math.round(numExperts / ranks);
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
