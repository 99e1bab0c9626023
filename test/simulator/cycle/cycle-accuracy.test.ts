// Accuracy of both engines, uncalibrated, on measured operator times (held-out split; see
// calibrate/accuracy/cycle-accuracy.ts). Prints the table; asserts only that every error is finite.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cycleAccuracyMarkdown, cycleAccuracyTable } from '../../../calibrate/accuracy/cycle-accuracy.ts';
import { subsampleNeusight } from '../../../calibrate/importers/subsample-neusight.ts';

const read = (name: string): string => readFileSync(new URL(`../../../data/${name}`, import.meta.url), 'utf8');

describe('cycle engine vs roofline on measured operators (held-out rows)', () => {
  it('prints per-operator median and p90 absolute % error of the three predictions', () => {
    const rows = cycleAccuracyTable({
      vidurMlp: read('vidur_mlp_llama2-7b_tp1_a100_a40.csv'),
      llmcompassMatmul: read('llmcompass_real_hw_matmul.csv'),
      // 600 rows per device and op of the shipped 6,000: the cycle engine takes ~2 ms a row, and the table's
      // NeuSight groups keep ~110 held-out rows each.
      neusight: `${subsampleNeusight(read('neusight_linear_bmm_fp32_subsample.csv'), 600).join('\n')}\n`,
    }, 'held-out');
    console.log(`Operators, held-out: pure roofline, default roofline and cycle engine (all uncalibrated):\n${cycleAccuracyMarkdown(rows)}`);
    expect(rows.length).toBeGreaterThan(5);
    for (const r of rows) {
      for (const v of [r.ideal.median, r.ideal.p90, r.roofline.median, r.roofline.p90, r.cycle.median, r.cycle.p90]) expect(Number.isFinite(v)).toBe(true);
    }
  }, 300_000);
});
