// Closest valid names for an unknown id, so an error can say "did you mean …".

export function editDistance(a: string, b: string): number {
  const previous = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/** Up to `limit` candidates ranked by edit distance, substring matches first. */
export function closestNames(query: string, candidates: readonly string[], limit = 3): string[] {
  const q = query.toLowerCase();
  return candidates
    .map((name) => {
      const n = name.toLowerCase();
      const contains = n.includes(q) || q.includes(n) ? 0 : 1;
      return { name, contains, distance: editDistance(q, n) };
    })
    .sort((x, y) => x.contains - y.contains || x.distance - y.distance || x.name.localeCompare(y.name))
    .slice(0, limit)
    .map((c) => c.name);
}

/** The candidate within a small edit distance of `name` (about a third of its length), if any. */
export function closestWithin(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
