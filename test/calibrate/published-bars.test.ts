// The published errors genz is held against in docs/calibration.md: NeuSight's per-op table read right, and genz's
// calibrated curves under NeuSight's own mean error on one of its training GPUs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IMPORTERS } from '../../index.ts';
import { parseProfileText } from '../../calibrate/profile-schema.ts';
import { publishedBarsSection } from '../../calibrate/published-bars.ts';

const data = (name: string): string => readFileSync(new URL(`../../data/${name}`, import.meta.url), 'utf8');

describe('publishedBarsSection', () => {
  it('quotes NeuSight\'s in-distribution FC and BMM errors and scores genz on the T4 rows beside them', () => {
    const t4 = IMPORTERS.neusight(data('neusight_linear_bmm_fp32_subsample.csv'), 'n').filter((m) => m.device.name === 'Tesla T4');
    const section = publishedBarsSection([parseProfileText(data('profiles/tesla-t4.json'))], t4, data('neusight_perop_error_summary.csv'), data('simulator_validation_summary.json'));
    expect(section).toContain('| NeuSight (NeuSight\'s table) | 20.0 | 26.0 |');
    expect(section).toContain('| Roofline (NeuSight\'s table) | 33.0 | 55.4 |');
    const genz = /\| genz calibrated, 5-fold CV \| ([\d.]+) \| ([\d.]+) \|/.exec(section)!;
    expect(Number(genz[1])).toBeLessThan(20); // FC: under NeuSight's own mean error
    expect(Number(genz[2])).toBeLessThan(26); // BMM
    expect(section).not.toContain('HGX H100'); // no H100 collectives given: no all-reduce table
  }, 120_000); // 5-fold CV of 12,000 rows: ~20 s alone on a 2-core machine, 45 s when it shares the cores
});
