// The neighbour correction of a calibration curve: what the curve's smooth features miss (a library's kernel choice
// for one band of shapes, a fallback kernel for odd sizes) shows as a residual that nearby training shapes share.
// A curve may carry its training rows' residuals, ln(measured / curve's prediction), at their shape coordinates;
// an op is corrected by the kernel-weighted mean residual of its k nearest training rows of the same category:
//   factor = exp(Σ wᵢ rᵢ / (Σ wᵢ + shrink)),  wᵢ = nᵢ exp(−(dᵢ / scaleDecades)²)
// dᵢ is the Euclidean distance in decades over the coordinates (size and shape1…4 of CALIBRATION_FEATURES: log10
// of the floor time and of m, n, k, batch for a GEMM, of rows, keys, batch and GQA ratio for attention, of rows and
// row length for norms and softmax; size, group size and kind terms for collectives; the size alone for other ops).
// The category is the compute dtype (none for norms, softmax and elementwise ops), the GEMM layout (a collective's
// kind) and the misalign flag. The shrink
// term fades the correction to none far from every training row, where the curve alone prices the op; nᵢ is 1, or
// the number of rows a point stands for where the fit merged dense data into grid cells.
// Measured (5-fold cross-validation, the tables chosen again within each fold; k 16, scale 0.5 decades, shrink 0.1;
// 2026-11-26), curves alone → with the correction, median/p90 %: GEMM A100 4.3/11.7 → 2.9/9.1, NeuSight P100 Linear
// 9.0/25.9 → 5.4/19.5, H200 fp16 7.6/30.9 → 5.4/21.2; attention
// A100 4.5/14.0 → 3.5/11.9 (docs/calibration.md has every device); H100 DGX collectives 7.3/27.7 → 2.5/10.8 (their
// coordinates: size, log10 group size, point-to-point and the two products; their category: the collective kind).
// Those tables held at most 1,024 points; since 2026-11-27 up to 8,192 (calibrate/fit.ts MAX_TABLE_POINTS): A100
// attention 2.3/10.8, collectives 0.8/7.3.
// Pure in effect; allocates nothing per call (a table's points are regrouped by category once, and its last query is
// kept: a repeat of it returns the same factor without the search).

/** Indices into CALIBRATION_FEATURES of the neighbour coordinates: size, shape1, shape2, shape3, shape4. */
export const NEIGHBOR_COORDINATES = [4, 5, 6, 7, 8] as const;

/** Most neighbours a table may ask for (the scratch buffers below are this long). */
export const MAX_NEIGHBORS = 64;

/** Most points a table may hold (the fit keeps at most 8,192): a lookup walks its category's points out from the op's size. */
export const MAX_NEIGHBOR_POINTS = 16384;

export interface NeighborTable {
  /** How many nearest training rows of the op's category are averaged. */
  k: number;
  /** Width of the Gaussian distance weight, in decades of the coordinates. */
  scaleDecades: number;
  /** Weight of "no correction" in the mean: with neighbours far away the factor tends to 1. */
  shrink: number;
  /**
   * One point per training row: [category, size, shape1, shape2, shape3, shape4, ln residual], or, for a cell of
   * several rows merged by the fit, the mean point and an 8th entry: how many rows it stands for (its weight).
   * (category: neighborCategory in ./calibration.ts; coordinates as NEIGHBOR_COORDINATES lists them.) Never changed in place: a table's
   * points are regrouped once and the regrouping is kept for that table object.
   */
  points: number[][];
}

const nearestDistance = new Float64Array(MAX_NEIGHBORS);
const nearestOrder = new Float64Array(MAX_NEIGHBORS);
const nearestResidual = new Float64Array(MAX_NEIGHBORS);
const nearestWeight = new Float64Array(MAX_NEIGHBORS);

/**
 * Stride of a prepared point: 5 coordinates, the residual, the weight (rows it stands for) and its place among its
 * category's points in the table (ties in distance go to the earlier point, as a plain scan in table order would).
 */
const STRIDE = 8;

/**
 * A table prepared for lookups: its points by category, flat and sorted by the first coordinate (size), and the last
 * query and its answer (an estimate prices the same op again and again: every decode step's all-reduces, every
 * layer's; a repeat skips the search).
 */
interface Prepared {
  groups: Map<number, Float64Array>;
  /** category, c0…c4, factor of the last query; NaN category: none yet. */
  last: Float64Array;
}

/** Each table prepared once per table object (a profile is read once and kept). */
const prepared = new WeakMap<NeighborTable, Prepared>();

function prepare(table: NeighborTable): Prepared {
  let ready = prepared.get(table);
  if (ready === undefined) {
    const lists = new Map<number, number[][]>();
    for (const p of table.points) {
      const list = lists.get(p[0]!) ?? lists.set(p[0]!, []).get(p[0]!)!;
      list.push([p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!, p[7] ?? 1, list.length]);
    }
    const flat = (list: number[][]): Float64Array => Float64Array.from(list.sort((a, b) => a[0]! - b[0]! || a[7]! - b[7]!).flat());
    ready = { groups: new Map([...lists].map(([category, list]) => [category, flat(list)])), last: new Float64Array(7).fill(Number.NaN) };
    prepared.set(table, ready);
  }
  return ready;
}

/**
 * The multiplicative correction of the table for an op of `category` at coordinates c0…c4 (size, shape1…4): 1 when
 * no training row of that category exists.
 */
export function neighborFactor(table: NeighborTable, category: number, c0: number, c1: number, c2: number, c3: number, c4: number): number {
  const ready = prepare(table);
  const last = ready.last;
  if (last[0] === category && last[1] === c0 && last[2] === c1 && last[3] === c2 && last[4] === c3 && last[5] === c4) return last[6]!;
  const factor = scan(table, ready.groups.get(category), c0, c1, c2, c3, c4);
  last[0] = category; last[1] = c0; last[2] = c1; last[3] = c2; last[4] = c3; last[5] = c4; last[6] = factor;
  return factor;
}

/**
 * The kernel-weighted mean residual of the k nearest of `points` (one category's, flat, sorted by c0), as a factor.
 * The search walks out from c0 on both sides and stops a side once its c0 gap alone exceeds the k-th distance found:
 * the same k points (ties to the earlier in table order) as a scan of every point, in far fewer steps on a big table.
 */
function scan(table: NeighborTable, points: Float64Array | undefined, c0: number, c1: number, c2: number, c3: number, c4: number): number {
  if (points === undefined) return 1;
  const k = Math.min(MAX_NEIGHBORS, Math.max(1, Math.floor(table.k)));
  const count = points.length / STRIDE;
  // First point with coordinate 0 at or above c0.
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid * STRIDE]! < c0) lo = mid + 1;
    else hi = mid;
  }
  let down = lo - 1;
  let up = lo;
  let found = 0;
  // Squared distances while searching, rooted once for the weights.
  while (down >= 0 || up < count) {
    const gapDown = down >= 0 ? c0 - points[down * STRIDE]! : Infinity;
    const gapUp = up < count ? points[up * STRIDE]! - c0 : Infinity;
    // A used-up side never wins (also when both gaps are infinite or NaN: every step still moves a side).
    const goUp = up < count && (down < 0 || gapUp <= gapDown);
    const gap = goUp ? gapUp : gapDown;
    if (found === k && gap * gap > nearestDistance[k - 1]!) break;
    const j = (goUp ? up++ : down--) * STRIDE;
    const d0 = points[j]! - c0, d1 = points[j + 1]! - c1, d2 = points[j + 2]! - c2, d3 = points[j + 3]! - c3, d4 = points[j + 4]! - c4;
    const d = d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3 + d4 * d4;
    const order = points[j + 7]!;
    if (found === k && (d > nearestDistance[k - 1]! || (d === nearestDistance[k - 1]! && order > nearestOrder[k - 1]!))) continue;
    // Insertion into the k nearest so far, sorted by distance, then table order.
    let i = found < k ? found++ : k - 1;
    while (i > 0 && (nearestDistance[i - 1]! > d || (nearestDistance[i - 1]! === d && nearestOrder[i - 1]! > order))) {
      nearestDistance[i] = nearestDistance[i - 1]!;
      nearestOrder[i] = nearestOrder[i - 1]!;
      nearestResidual[i] = nearestResidual[i - 1]!;
      nearestWeight[i] = nearestWeight[i - 1]!;
      i--;
    }
    nearestDistance[i] = d;
    nearestOrder[i] = order;
    nearestResidual[i] = points[j + 5]!;
    nearestWeight[i] = points[j + 6]!;
  }
  const scale2 = table.scaleDecades * table.scaleDecades;
  let weights = 0;
  let weighted = 0;
  for (let i = 0; i < found; i++) {
    const w = nearestWeight[i]! * Math.exp(-nearestDistance[i]! / scale2);
    weights += w;
    weighted += w * nearestResidual[i]!;
  }
  // A table the schema admits has shrink > 0; guard anyway: no weight at all means no correction.
  const total = weights + table.shrink;
  return total > 0 ? Math.exp(weighted / total) : 1;
}
