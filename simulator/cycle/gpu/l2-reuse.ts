// Reuse-driven L2 hit rates. The CTAs of one wave touch a block of r × c output tiles; each A row panel is read
// from DRAM once per group of columns that visits it, each B column panel once per group of rows, unless the
// operand fits in the share of L2 that holds reused data, in which case it is read from DRAM once in all.
// The rest of the L2 traffic hits. (Rasterization as CUTLASS's swizzled block order: a square-ish wave footprint.)

/** Fraction of L2 capacity that keeps reused operands (the rest streams outputs and suffers set conflicts): estimate. */
export const L2_REUSE_FRACTION = 0.5;

export interface TiledOperands {
  tilesM: number;
  tilesN: number;
  /** Concurrent CTAs (one wave), counted in output tiles. */
  waveTiles: number;
  /** Bytes of A and B of one batch entry. */
  aBytes: number;
  bBytes: number;
  /** Bytes the CTAs read through L2 for one batch entry (every tile's A and B panels). */
  l2ReadBytes: number;
  l2Bytes: number;
}

/** DRAM bytes read for one batch entry. */
export function tiledDramReadBytes(t: TiledOperands): number {
  const reuse = L2_REUSE_FRACTION * t.l2Bytes;
  if (t.aBytes + t.bBytes <= reuse) return t.aBytes + t.bBytes;
  const wave = Math.max(1, Math.min(t.waveTiles, t.tilesM * t.tilesN));
  const r = Math.min(t.tilesM, Math.max(1, Math.round(Math.sqrt(wave))));
  const c = Math.min(t.tilesN, Math.ceil(wave / r));
  const rows = Math.min(t.tilesM, Math.ceil(wave / c));
  const aReads = t.aBytes <= reuse / 2 ? t.aBytes : t.aBytes * Math.ceil(t.tilesN / c);
  const bReads = t.bBytes <= reuse / 2 ? t.bBytes : t.bBytes * Math.ceil(t.tilesM / rows);
  return Math.min(t.l2ReadBytes, aReads + bReads);
}

/** Fraction of L2 reads that miss. */
export function tiledMissFraction(t: TiledOperands): number {
  if (t.l2ReadBytes <= 0) return 0;
  return Math.min(1, tiledDramReadBytes(t) / t.l2ReadBytes);
}
