import { describe, expect, it } from 'vitest';
import { DeviceSchema } from '../../hardware/device-schema.ts';
import { SystemSchema } from '../../hardware/system-schema.ts';
import { DEVICE_PRESETS, SYSTEM_PRESETS } from '../../hardware/presets/index.ts';
import type { DeviceInput } from '../../hardware/presets/index.ts';

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Paths of every leaf under `value` ("memory.0.capacityBytes"), split by kind; `sources` is skipped. */
function leaves(value: unknown, prefix = ''): { numeric: string[]; other: string[] } {
  const out = { numeric: [] as string[], other: [] as string[] };
  if (typeof value === 'number') out.numeric.push(prefix);
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (prefix === '' && key === 'sources') continue;
      const sub = leaves(child, prefix === '' ? key : `${prefix}.${key}`);
      out.numeric.push(...sub.numeric);
      out.other.push(...sub.other);
    }
  } else out.other.push(prefix);
  return out;
}

const covers = (key: string, path: string) => path === key || path.startsWith(`${key}.`);

function uncoveredLeaves(spec: { sources: Record<string, string> }): string[] {
  const keys = Object.keys(spec.sources);
  return leaves(spec).numeric.filter((path) => !keys.some((key) => covers(key, path)));
}

/** Source keys that name no field (typos would otherwise cover nothing silently). */
function danglingSourceKeys(spec: { sources: Record<string, string> }, allowed: readonly string[] = []): string[] {
  const { numeric, other } = leaves(spec);
  const all = [...numeric, ...other];
  return Object.keys(spec.sources).filter((key) => !allowed.includes(key) && !all.some((path) => covers(key, path)));
}

const device = (id: string): DeviceInput => {
  const found = DEVICE_PRESETS.find((d) => d.id === id);
  if (!found) throw new Error(`no preset ${id}`);
  return found;
};

describe('device presets', () => {
  it('has the expected ids', () => {
    const ids = DEVICE_PRESETS.map((d) => d.id);
    for (const id of [
      'v100', 't4', 'a10g', 'a100-40gb-sxm', 'a100-80gb-sxm', 'a100-80gb-pcie', 'l4', 'l40s', 'a40', 'h100-sxm',
      'h100-pcie', 'h200', 'gh200', 'b200', 'a6000', 'rtx-3090', 'rtx-4090', 'rtx-4070', 'jetson-agx-orin',
      'jetson-orin-nano', 'mi210', 'mi250x', 'mi300x', 'gaudi2', 'gaudi3', 'tpu-v5e', 'tpu-v5p',
    ]) {
      expect(ids).toContain(id);
    }
  });

  it.each(DEVICE_PRESETS.map((d) => [d.id, d] as const))('%s parses with DeviceSchema', (_id, preset) => {
    expect(() => DeviceSchema.parse(preset)).not.toThrow();
  });

  it('ids are unique and kebab-case', () => {
    const ids = DEVICE_PRESETS.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(KEBAB);
  });

  it.each(DEVICE_PRESETS.map((d) => [d.id, d] as const))('%s: every numeric leaf has a source', (_id, preset) => {
    expect(uncoveredLeaves(preset)).toEqual([]);
    expect(danglingSourceKeys(preset)).toEqual([]);
    for (const text of Object.values(preset.sources)) expect(text.trim().length).toBeGreaterThan(10);
  });

  it('bf16 >= fp32 wherever both exist', () => {
    for (const d of DEVICE_PRESETS) {
      const { bf16, fp32 } = d.peakFlopsPerS;
      if (bf16 !== undefined) expect(bf16, d.id).toBeGreaterThanOrEqual(fp32);
    }
  });

  it('fp8 is about 2x bf16 on Hopper', () => {
    for (const id of ['h100-sxm', 'h100-pcie', 'h200', 'gh200']) {
      const { fp8, bf16 } = device(id).peakFlopsPerS;
      expect(fp8, id).toBeDefined();
      expect(fp8! / bf16!, id).toBeCloseTo(2, 2);
    }
  });

  it('h100-sxm bf16 is the dense figure, not the sparse 1979e12', () => {
    const bf16 = device('h100-sxm').peakFlopsPerS.bf16!;
    expect(Math.abs(bf16 - 989e12) / 989e12).toBeLessThan(0.01);
  });

  it('no preset carries a structured-sparse bf16 figure (none exceeds the B200 dense 2.25e15)', () => {
    for (const d of DEVICE_PRESETS) expect(d.peakFlopsPerS.bf16 ?? 0, d.id).toBeLessThanOrEqual(2.25e15);
  });

  it('omits dtypes the part has no native datapath for', () => {
    for (const id of ['v100', 't4', 'a10g', 'a100-40gb-sxm', 'a100-80gb-sxm', 'a100-80gb-pcie', 'a40', 'a6000', 'rtx-3090', 'mi210', 'mi250x']) {
      expect(device(id).peakFlopsPerS.fp8, id).toBeUndefined();
    }
    for (const id of ['v100', 't4']) expect(device(id).peakFlopsPerS.bf16, id).toBeUndefined();
    expect(device('v100').peakFlopsPerS.int8).toBeUndefined();
    for (const id of ['h100-sxm', 'h100-pcie', 'h200', 'gh200', 'b200', 'mi300x']) {
      expect(device(id).peakFlopsPerS.int4, id).toBeUndefined();
    }
    for (const id of ['t4', 'a100-80gb-sxm', 'a10g', 'a40', 'a6000', 'rtx-3090']) {
      expect(device(id).peakFlopsPerS.int4, id).toBeDefined();
    }
  });

  it('a100-80gb-sxm has the datasheet 2.039e12 B/s', () => {
    expect(device('a100-80gb-sxm').memory[0]!.bandwidthBytesPerS).toBe(2.039e12);
  });

  it('memory capacities are decimal bytes unless the source says GiB', () => {
    expect(device('a100-80gb-sxm').memory[0]!.capacityBytes).toBe(80e9);
    expect(device('h100-sxm').memory[0]!.capacityBytes).toBe(80e9);
    for (const d of DEVICE_PRESETS) {
      const saysGiB = /GiB/.test(d.sources['memory'] ?? '');
      for (const level of d.memory) {
        const unit = saysGiB ? 2 ** 30 : 1e9;
        expect(Number.isInteger(level.capacityBytes / unit), `${d.id} ${level.name}`).toBe(true);
      }
    }
  });

  it('gh200 has HBM3e first and Grace LPDDR5X second', () => {
    const [hbm, lpddr] = device('gh200').memory;
    expect(hbm).toMatchObject({ technology: 'hbm3e', capacityBytes: 144e9 });
    expect(lpddr).toMatchObject({ technology: 'lpddr5x', capacityBytes: 480e9 });
  });

  it('power: idle is below board power', () => {
    for (const d of DEVICE_PRESETS) expect(d.power.idleW, d.id).toBeLessThan(d.power.tdpW);
  });

  it('a power-capped part says in clock that its datasheet clock is not held', () => {
    for (const id of ['t4', 'l4']) expect(device(id).clock).toMatch(/not (held|hold)|derat/);
  });
});

describe('system presets', () => {
  it.each(SYSTEM_PRESETS.map((s) => [s.id, s] as const))('%s parses with SystemSchema', (_id, preset) => {
    expect(() => SystemSchema.parse(preset)).not.toThrow();
  });

  it('ids are unique and kebab-case', () => {
    const ids = SYSTEM_PRESETS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(KEBAB);
    for (const id of ['8x-h100-hgx', '8x-a100-hgx', '8x-h200-hgx', '8x-mi300x', '8x-b200-hgx', '8x-gaudi3']) {
      expect(ids).toContain(id);
    }
  });

  it("each system's device id exists in DEVICE_PRESETS", () => {
    const ids = new Set(DEVICE_PRESETS.map((d) => d.id));
    for (const s of SYSTEM_PRESETS) {
      expect(typeof s.device, s.id).toBe('string');
      expect(ids.has(s.device as string), `${s.id} -> ${String(s.device)}`).toBe(true);
    }
  });

  it.each(SYSTEM_PRESETS.map((s) => [s.id, s] as const))('%s: every numeric leaf has a source', (_id, preset) => {
    expect(uncoveredLeaves(preset)).toEqual([]);
    expect(danglingSourceKeys(preset, ['scaleOut'])).toEqual([]);
  });

  it('scale-up domain fits in the system and matches the headline figures', () => {
    for (const s of SYSTEM_PRESETS) expect(s.scaleUp.devicesPerDomain, s.id).toBeLessThanOrEqual(s.deviceCount);
    const bw = (id: string) => SYSTEM_PRESETS.find((s) => s.id === id)!.scaleUp.network.bandwidthBytesPerS;
    expect(bw('8x-h100-hgx')).toBe(450e9);
    expect(bw('8x-b200-hgx')).toBe(900e9);
    expect(bw('8x-mi300x')).toBe(448e9);
    expect(SYSTEM_PRESETS.find((s) => s.id === '8x-h100-hgx')!.scaleOut!.bandwidthBytesPerS).toBe(50e9);
  });
});
