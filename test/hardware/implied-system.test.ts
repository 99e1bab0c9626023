// A bare preset device sized into several devices runs over the fabric of the system preset built of it: an H100
// SXM module ships only on an HGX board, so `--hardware h100-sxm --tp 8` is that board (NVSwitch, in-network
// reduction), and its estimate is the 8x-h100-hgx one.
import { describe, expect, it } from 'vitest';
import { estimate, findDevice, findSystem, resolveHardware } from '../../index.ts';
import { impliedSystem } from '../../hardware/registry.ts';
import { parseProfileText } from '../../calibrate/profile-schema.ts';
import { readFileSync } from 'node:fs';

describe('the system a bare device implies', () => {
  it("h100-sxm × 8 takes 8x-h100-hgx's NVSwitch fabric with in-network reduction", () => {
    const bare = resolveHardware('h100-sxm', 8);
    const hgx = findSystem('8x-h100-hgx')!;
    expect(impliedSystem('h100-sxm')?.id).toBe('8x-h100-hgx');
    expect(bare.scaleUp.network).toEqual(hgx.scaleUp.network);
    expect(bare.scaleUp.network.inNetworkReduction).toBe(true);
    expect(bare.scaleOut).toBeNull();
    expect(bare.notes).toEqual([]);
  });

  it('an estimate with --tp 8 on bare h100-sxm equals the 8x-h100-hgx one (defaults and calibrated)', () => {
    for (const calibration of ['default', 'none'] as const) {
      const bare = estimate({ model: 'llama-3.1-70b', hardware: 'h100-sxm', tp: 8, batch: 16, calibration });
      const hgx = estimate({ model: 'llama-3.1-70b', hardware: '8x-h100-hgx', tp: 8, batch: 16, calibration });
      expect(bare.tpotS).toBeCloseTo(hgx.tpotS, 12);
      expect(bare.ttftS).toBeCloseTo(hgx.ttftS, 12);
    }
  });

  it("beyond one board: domains of the preset's size joined by its scale-out network, and a note says so", () => {
    const sixteen = resolveHardware('h100-sxm', 16);
    expect(sixteen.scaleUp.devicesPerDomain).toBe(8);
    expect(sixteen.scaleOut).toEqual(findSystem('8x-h100-hgx')!.scaleOut);
    expect(sixteen.notes.join(' ')).toMatch(/domains of 8 joined by InfiniBand NDR/);
  });

  it('a device no preset is built of, or a device given as a spec, keeps its own link', () => {
    const l4 = findDevice('l4')!;
    expect(impliedSystem('l4')).toBeUndefined();
    const link = l4.scaleUp ?? l4.hostLink;
    expect(resolveHardware('l4', 4).scaleUp.network.bandwidthBytesPerS).toBe(link.bandwidthBytesPerS);
    const h100 = findDevice('h100-sxm')!;
    const spec = resolveHardware({ ...h100 }, 8);
    expect(spec.scaleUp.network.inNetworkReduction).toBeUndefined();
    expect(spec.scaleUp.network.bandwidthBytesPerS).toBe(h100.scaleUp!.bandwidthBytesPerS);
  });
});

describe('pipeline hand-offs', () => {
  // The shipped H100 profile has a collective curve fitted on Vidur's NCCL send/recv rows; the hand-offs between
  // pipeline stages are point-to-point messages and take its price, as any p2p op does.
  const profile = parseProfileText(readFileSync('data/profiles/h100-sxm.json', 'utf8'));
  const withoutCollectives = { ...profile, families: Object.fromEntries(Object.entries(profile.families).filter(([f]) => f !== 'collective')) };
  const request = { model: 'llama-3.1-70b', hardware: '8x-h100-hgx', batch: 16 } as const;

  it('are priced by the calibrated collective curve where the profile has one', () => {
    expect(profile.families.collective?.collectives).toContain('p2p');
    const pp = { ...request, devices: 2, tp: 1, pp: 2 };
    const curve = estimate({ ...pp, calibration: profile });
    const defaults = estimate({ ...pp, calibration: withoutCollectives });
    expect(Math.abs(curve.tpotS - defaults.tpotS)).toBeGreaterThan(1e-7);
    // With one stage there is no hand-off, nor any other collective: the two profiles agree.
    const one = { ...request, devices: 1, tp: 1, pp: 1 };
    expect(estimate({ ...one, calibration: profile }).tpotS).toBe(estimate({ ...one, calibration: withoutCollectives }).tpotS);
  });
});
