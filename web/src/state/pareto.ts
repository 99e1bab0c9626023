// The Pareto frontier of design points: the most tokens/s for the least cost (energy or money per token).
export interface ParetoPoint {
  cost: number;
  value: number;
}

/** Points no other point beats on both axes (lower cost and higher value), ordered by cost. */
export function paretoFrontier<T extends ParetoPoint>(points: readonly T[]): T[] {
  const sorted = [...points].sort((a, b) => a.cost - b.cost || b.value - a.value);
  const frontier: T[] = [];
  let best = -Infinity;
  for (const p of sorted) {
    if (p.value > best) {
      frontier.push(p);
      best = p.value;
    }
  }
  return frontier;
}
