// Expected number of distinct experts that `tokens` top-k routings touch, for uniform routing:
// each expert is missed by one token with probability (1 − k/E), so E·(1 − (1 − k/E)^tokens) are hit.
// (With batch 1 in decode this is exactly k; it approaches E as the batch grows.)

export function expectedDistinctExperts(numExperts: number, topK: number, tokens: number): number {
  if (tokens <= 0) return 0;
  const missOne = 1 - topK / numExperts;
  return numExperts * (1 - Math.pow(missOne, tokens));
}
