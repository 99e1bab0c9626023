// The scale-up fabric a bare device runs over, pipeline hand-offs priced as p2p ops, and which ops a curve prices.
// An H100, H200 or B200 SXM GPU on its 8-GPU HGX board meets the other seven through NVSwitch, with in-network reduction
// (NVLS): `--hardware h100-sxm --tp 8` is that board, and its estimate is the 8x-h100-hgx one, in the CLI and in the
// what-if explorer alike (which sends an edited device as a spec object).
import { describe, expect, it } from 'vitest';
import { estimate, findDevice, findSystem, resolveHardware } from '../../index.ts';
import { parseProfileText } from '../../calibrate/profile-schema.ts';
import { readFileSync } from 'node:fs';

describe('the scale-up link of a bare device', () => {
  it("h100-sxm × 8 runs over a link like 8x-h100-hgx's NVSwitch fabric, in-network reduction included", () => {
    const bare = resolveHardware('h100-sxm', 8).scaleUp.network;
    const hgx = findSystem('8x-h100-hgx')!.scaleUp.network;
    expect({ ...bare, name: '' }).toEqual({ ...hgx, name: '' });
    expect(bare.inNetworkReduction).toBe(true);
    // The same for the device given as a spec object (the explorer's edited hardware).
    expect(resolveHardware({ ...findDevice('h100-sxm')! }, 8).scaleUp.network).toEqual(bare);
  });

  it('an estimate with --tp 8 on bare h100-sxm equals the 8x-h100-hgx one (defaults and calibrated), also as a spec', () => {
    for (const calibration of ['default', 'none'] as const) {
      const hgx = estimate({ model: 'llama-3.1-70b', hardware: '8x-h100-hgx', tp: 8, batch: 16, calibration });
      for (const hardware of ['h100-sxm', { ...findDevice('h100-sxm')! }]) {
        const bare = estimate({ model: 'llama-3.1-70b', hardware: hardware as string, tp: 8, batch: 16, calibration });
        expect(bare.tpotS).toBeCloseTo(hgx.tpotS, 12);
        expect(bare.ttftS).toBeCloseTo(hgx.ttftS, 12);
      }
    }
  });

  it('a device whose link meets no reducing switch (A100 NVLink 3, L4 over PCIe) has none', () => {
    for (const id of ['a100-80gb-sxm', 'l4', 'h100-pcie']) expect(resolveHardware(id, 2).scaleUp.network.inNetworkReduction).toBeUndefined();
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

describe('a reducing switch is on the scale-up fabric only', () => {
  it('a device spec with no scale-up link does not take in-network reduction from its host link', () => {
    const h100 = findDevice('h100-sxm')!;
    const { scaleUp: _dropped, ...noScaleUp } = h100;
    const hostOnly = { ...noScaleUp, id: 'host-only', hostLink: { ...h100.hostLink, inNetworkReduction: true } };
    const network = resolveHardware(hostOnly, 4).scaleUp.network;
    expect(network.bandwidthBytesPerS).toBe(h100.hostLink.bandwidthBytesPerS);
    expect(network.inNetworkReduction).toBeUndefined();
  });
});

describe('an attention curve prices only the kernels it was fitted on', () => {
  // The A100 profile's attention curve was fitted on Vidur's FlashAttention rows; an unfused attention (QK, softmax
  // and PV through DRAM, LLM-Viewer's non-flash path) is another kernel sequence and keeps the default efficiencies.
  const a100 = parseProfileText(readFileSync('data/profiles/a100-80gb-sxm.json', 'utf8'));
  const cpu = parseProfileText(readFileSync('data/profiles/amd-epyc.json', 'utf8'));

  it('the shipped profiles record it: FlashAttention on the A100, both kernels on the CPU (kernels-ref times both)', () => {
    expect(a100.families.attention?.attentionKernels).toEqual(['flash']);
    expect(cpu.families.attention?.attentionKernels).toEqual(['flash', 'unfused']);
  });

  it('an unfused prefill on the A100 is priced as with no profile; a flash one by the curve', () => {
    const request = { model: 'llama-2-7b', hardware: 'a100-80gb-sxm', inputTokens: 1024, outputTokens: 1 } as const;
    const attentionS = (flash: boolean, calibration: 'default' | 'none'): number =>
      estimate({ ...request, flash, calibration }).prefill.ops.filter((o) => o.kind === 'attention').reduce((sum, o) => sum + o.latencyS, 0);
    expect(attentionS(false, 'default')).toBeCloseTo(attentionS(false, 'none'), 12);
    expect(Math.abs(attentionS(true, 'default') / attentionS(true, 'none') - 1)).toBeGreaterThan(0.05);
  });
});
