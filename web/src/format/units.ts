// Display units for the page (SI values in, readable text out). The core never formats; only cli/ and web/ do.

function scaled(value: number, steps: readonly (readonly [number, string])[], digits = 3): string {
  if (!Number.isFinite(value)) return '—';
  if (value === 0) return `0 ${(steps.find(([factor]) => factor === 1) ?? steps[0]!)[1]}`;
  const abs = Math.abs(value);
  for (const [factor, unit] of steps) {
    if (abs >= factor) return `${trim(value / factor, digits)} ${unit}`;
  }
  const last = steps[steps.length - 1]!;
  return `${trim(value / last[0], digits)} ${last[1]}`;
}

/** Three significant digits, without a trailing ".0" or exponent for ordinary values. */
export function trim(x: number, digits = 3): string {
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 10 ** digits) return Math.round(x).toLocaleString('en-US');
  return String(Number(x.toPrecision(digits)));
}

const SECONDS = [[1, 's'], [1e-3, 'ms'], [1e-6, 'µs'], [1e-9, 'ns']] as const;
const BYTES = [[1e15, 'PB'], [1e12, 'TB'], [1e9, 'GB'], [1e6, 'MB'], [1e3, 'kB'], [1, 'B']] as const;
const BYTE_RATES = [[1e12, 'TB/s'], [1e9, 'GB/s'], [1e6, 'MB/s'], [1e3, 'kB/s'], [1, 'B/s']] as const;
const FLOP_RATES = [[1e15, 'PFLOP/s'], [1e12, 'TFLOP/s'], [1e9, 'GFLOP/s'], [1e6, 'MFLOP/s'], [1, 'FLOP/s']] as const;
const COUNTS = [[1e15, 'P'], [1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k'], [1, '']] as const;
const ENERGY = [[1e3, 'kJ'], [1, 'J'], [1e-3, 'mJ'], [1e-6, 'µJ']] as const;
const POWER = [[1e3, 'kW'], [1, 'W'], [1e-3, 'mW']] as const;

export const formatSeconds = (s: number): string => (s === 0 ? '0 ms' : scaled(s, SECONDS));
export const formatBytes = (b: number): string => scaled(b, BYTES);
export const formatByteRate = (bps: number): string => scaled(bps, BYTE_RATES);
export const formatFlopRate = (fps: number): string => scaled(fps, FLOP_RATES);
export const formatCount = (n: number): string => scaled(n, COUNTS).trimEnd();
export const formatEnergy = (j: number): string => scaled(j, ENERGY);
export const formatPower = (w: number): string => scaled(w, POWER);
export const formatPercent = (x: number): string => `${trim(x * 100, 3)} %`;
export const formatTokensPerS = (x: number): string => `${formatCount(x)} tok/s`;

/** Signed relative change, e.g. "+12.5 %" or "−3.1 %". */
export function formatDelta(base: number, value: number): string {
  if (base === 0) return value === 0 ? '±0 %' : 'new';
  const change = (value - base) / base;
  if (Math.abs(change) < 5e-4) return '±0 %';
  return `${change > 0 ? '+' : '−'}${trim(Math.abs(change) * 100, 3)} %`;
}

/** A unit a number field is edited in: the SI value is `shown × factor`. */
export interface DisplayUnit {
  label: string;
  factor: number;
  format: (si: number) => string;
}

export const UNITS = {
  flopRate: { label: 'TFLOP/s', factor: 1e12, format: formatFlopRate },
  byteRate: { label: 'GB/s', factor: 1e9, format: formatByteRate },
  bytesGB: { label: 'GB', factor: 1e9, format: formatBytes },
  bytesMB: { label: 'MB', factor: 1e6, format: formatBytes },
  latency: { label: 'µs', factor: 1e-6, format: formatSeconds },
  latencyMs: { label: 'ms', factor: 1e-3, format: formatSeconds },
  fraction: { label: '%', factor: 0.01, format: formatPercent },
  power: { label: 'W', factor: 1, format: formatPower },
  count: { label: '', factor: 1, format: (n: number) => trim(n, 6) },
  bits: { label: 'bits', factor: 1, format: (n: number) => `${trim(n, 3)} bits` },
  tokens: { label: 'tokens', factor: 1, format: (n: number) => n.toLocaleString('en-US') },
} as const satisfies Record<string, DisplayUnit>;

export type UnitName = keyof typeof UNITS;
