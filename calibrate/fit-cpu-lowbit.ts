// Fits the CPU low-bit kernels' work per weight (simulator/cpu-lowbit.ts) and, per measured CPU, the bandwidth its
// cores stream and its speed on each kernel against those constants (the `cpu` block of hardware/presets/cpu.ts) to
// T-MAC's decode runs (data/tmac_lut_cpu_tokens_per_s_jetson_surface7.csv), on the training split (4 of every 5 rows),
// by coordinate descent (golden-section search on one parameter at a time) on the mean |log(predicted/measured)| of
// time per token. Two stages: the shared constants with every CPU's bandwidth (speeds 1), then, constants fixed, each
// CPU's speeds and bandwidth on its own rows (a CPU without runs keeps speed 1). Prints the fitted values, the held-out
// error, and a transfer check: the constants fitted on one CPU's rows alone, scored on the other CPU's (whose streamed
// bandwidth, the one number a new CPU needs, is fitted on its own rows; speeds 1). Run: npx tsx calibrate/fit-cpu-lowbit.ts
import { readFileSync } from 'node:fs';
import { CPU_LOW_BIT_KERNEL_COST, findDevice, type LowBitKernel, type LowBitKernelCost } from '../index.ts';
import { readTmac, tmacPredictedS, type TmacRow } from './accuracy/tmac.ts';
import { isHeldOut, summarize, summaryTable, type Sample } from './accuracy/error-stats.ts';

const { rows } = readTmac(readFileSync(new URL('../data/tmac_lut_cpu_tokens_per_s_jetson_surface7.csv', import.meta.url), 'utf8'));
const hardwareIds = [...new Set(rows.map((r) => r.hardware))].sort();

interface Speeds { dequant: number; lut: number }
interface Params { costs: Record<LowBitKernel, LowBitKernelCost>; streamBytesPerS: Record<string, number>; speeds: Record<string, Speeds> }

function spec(id: string, p: Params): Record<string, unknown> {
  const device = findDevice(id)!;
  return { ...device, cpu: { ...device.cpu!, streamBandwidthBytesPerS: p.streamBytesPerS[id]!, lowBitKernelSpeed: p.speeds[id]! } };
}

function samples(subset: readonly TmacRow[], p: Params): Sample[] {
  return subset.map((row) => ({
    group: `${row.hardware} ${row.framework}`,
    predictedS: tmacPredictedS(row, { hardware: spec(row.hardware, p), lowBitCosts: p.costs }),
    measuredS: 1 / row.tokensPerS,
  }));
}

const meanAbsLog = (list: readonly Sample[]): number => list.reduce((sum, s) => sum + Math.abs(Math.log(s.predictedS / s.measuredS)), 0) / list.length;

/** One parameter: where it lives, and the range the search keeps it in. */
interface Knob { name: string; lo: number; hi: number; get(p: Params): number; set(p: Params, v: number): void }

const kernelKnobs: Knob[] = [
  { name: 'dequant ops/weight', lo: 0.5, hi: 40, get: (p) => p.costs.dequant.opsPerWeight, set: (p, v) => { p.costs.dequant.opsPerWeight = v; } },
  { name: 'lut ops/weight', lo: 0, hi: 10, get: (p) => p.costs.lut.opsPerWeight, set: (p, v) => { p.costs.lut.opsPerWeight = v; } },
  { name: 'lut ops/weight/bit', lo: 0, hi: 3, get: (p) => p.costs.lut.opsPerWeightBit, set: (p, v) => { p.costs.lut.opsPerWeightBit = v; } },
];
const speedKnob = (id: string, kernel: LowBitKernel): Knob => ({
  name: `${id} ${kernel} speed`, lo: 0.3, hi: 3, get: (p) => p.speeds[id]![kernel], set: (p, v) => { p.speeds[id]![kernel] = v; },
});
const bandwidthKnob = (id: string): Knob => ({
  name: `${id} stream GB/s`, lo: 1e9, hi: findDevice(id)!.memory[0]!.bandwidthBytesPerS,
  get: (p) => p.streamBytesPerS[id]!, set: (p, v) => { p.streamBytesPerS[id] = v; },
});

/** Golden-section search of each knob in turn, `sweeps` times. */
function fit(subset: readonly TmacRow[], knobs: readonly Knob[], start: Params, sweeps = 8): Params {
  const p: Params = structuredClone(start);
  const loss = (): number => meanAbsLog(samples(subset, p));
  const ratio = (Math.sqrt(5) - 1) / 2;
  for (let sweep = 0; sweep < sweeps; sweep++) {
    for (const knob of knobs) {
      let [a, b] = [knob.lo, knob.hi];
      const at = (v: number): number => { knob.set(p, v); return loss(); };
      let c = b - ratio * (b - a);
      let d = a + ratio * (b - a);
      let fc = at(c);
      let fd = at(d);
      for (let i = 0; i < 30; i++) {
        if (fc < fd) { b = d; d = c; fd = fc; c = b - ratio * (b - a); fc = at(c); } else { a = c; c = d; fc = fd; d = a + ratio * (b - a); fd = at(d); }
      }
      knob.set(p, (a + b) / 2);
    }
  }
  return p;
}

const shipped: Params = {
  costs: structuredClone(CPU_LOW_BIT_KERNEL_COST) as Params['costs'],
  streamBytesPerS: Object.fromEntries(hardwareIds.map((id) => [id, findDevice(id)!.cpu!.streamBandwidthBytesPerS])),
  speeds: Object.fromEntries(hardwareIds.map((id) => [id, { dequant: 1, lut: 1, ...findDevice(id)!.cpu!.lowBitKernelSpeed }])),
};
const unitSpeeds = (p: Params): Params => ({ ...structuredClone(p), speeds: Object.fromEntries(hardwareIds.map((id) => [id, { dequant: 1, lut: 1 }])) });
const train = rows.filter((r) => !isHeldOut(r.index));
const held = rows.filter((r) => isHeldOut(r.index));
let fitted = fit(train, [...kernelKnobs, ...hardwareIds.map(bandwidthKnob)], unitSpeeds(shipped));
const sharedOnly = structuredClone(fitted);
for (const id of hardwareIds) {
  fitted = fit(train.filter((r) => r.hardware === id), [speedKnob(id, 'dequant'), speedKnob(id, 'lut'), bandwidthKnob(id)], fitted);
}

const costLine = (p: Params): string => `dequant ${p.costs.dequant.opsPerWeight.toFixed(2)} ops/weight; lut ${p.costs.lut.opsPerWeight.toFixed(2)} + ${p.costs.lut.opsPerWeightBit.toFixed(3)} × bits ops/weight`;
console.log(`fitted on ${train.length} training rows: ${costLine(fitted)}`);
for (const id of hardwareIds) {
  const speed = fitted.speeds[id]!;
  console.log(`  ${id}: streams ${(fitted.streamBytesPerS[id]! / 1e9).toFixed(1)} GB/s (${(sharedOnly.streamBytesPerS[id]! / 1e9).toFixed(1)} with speeds 1; shipped ${(shipped.streamBytesPerS[id]! / 1e9).toFixed(1)}); speed dequant ${speed.dequant.toFixed(3)}, lut ${speed.lut.toFixed(3)} (shipped ${shipped.speeds[id]!.dequant}, ${shipped.speeds[id]!.lut})`);
}
console.log(`shipped: ${costLine(shipped)}`);
console.log(`\nheld-out (${held.length} rows), shipped constants:\n${summaryTable(summarize(samples(held, shipped)))}`);
console.log(`\nheld-out, fitted constants and speeds:\n${summaryTable(summarize(samples(held, fitted)))}`);
console.log(`\nheld-out, fitted constants, every speed 1 (what a CPU without runs of its own gets):\n${summaryTable(summarize(samples(held, sharedOnly)))}`);

// Transfer: kernel work fitted on one CPU alone, scored on the other, whose bandwidth alone is fitted on its rows.
for (const source of hardwareIds) {
  for (const target of hardwareIds.filter((id) => id !== source)) {
    const onSource = fit(rows.filter((r) => r.hardware === source), [...kernelKnobs, bandwidthKnob(source)], unitSpeeds(shipped), 3);
    const targetRows = rows.filter((r) => r.hardware === target);
    const onTarget = fit(targetRows, [bandwidthKnob(target)], onSource, 1);
    console.log(`\nkernel work fitted on ${source} (${costLine(onSource)}), scored on ${target} (bandwidth fitted: ${(onTarget.streamBytesPerS[target]! / 1e9).toFixed(1)} GB/s):`);
    console.log(summaryTable(summarize(samples(targetRows, onTarget))));
  }
}
