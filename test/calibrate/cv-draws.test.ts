// Cross-validation over several draws of the folds, and what counts as one measurement read twice.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IMPORTERS } from '../../index.ts';
import { crossValidate, fitProfile, withoutRepeats } from '../../calibrate/fit.ts';
import { crossValidationTable } from '../../calibrate/report.ts';

const data = (file: string): string => readFileSync(new URL(`../../data/${file}`, import.meta.url), 'utf8');
const llmcompass = IMPORTERS.llmcompass(data('llmcompass_real_hw_matmul.csv'), 'llmcompass_real_hw_matmul.csv');
const mi210 = llmcompass.filter((m) => m.device.id === 'mi210');

describe('cross-validation draws', () => {
  const profile = fitProfile(mi210, { deviceId: 'mi210', heldOutPercent: 20, createdBy: 'test' });

  it('a salt draws other folds; the unsalted draw is the one the tables report', () => {
    const [first] = crossValidate(mi210, profile, 5);
    const [again] = crossValidate(mi210, profile, 5, '');
    expect(again).toEqual(first);
    const others = ['draw 1|', 'draw 2|', 'draw 3|'].map((salt) => crossValidate(mi210, profile, 5, salt)[0]!);
    expect(others.every((o) => o.rows === first!.rows)).toBe(true);
    expect(others.some((o) => o.p90AbsPctError !== first!.p90AbsPctError)).toBe(true);
  }, 60_000);

  it('the table gives each curve the range over its draws, which holds the first draw', () => {
    const table = crossValidationTable([profile], mi210, 5, 3);
    const row = table.split('\n').find((l) => l.startsWith('| mi210 | gemm |'))!;
    const cells = row.split('|').map((c) => c.trim()).filter((c) => c !== '');
    expect(cells).toHaveLength(7);
    const [median, p90] = [Number(cells[3]), Number(cells[4])];
    const [mLow, mHigh] = cells[5]!.split('–').map(Number) as [number, number];
    const [pLow, pHigh] = cells[6]!.split('–').map(Number) as [number, number];
    expect(mLow).toBeLessThanOrEqual(median);
    expect(mHigh).toBeGreaterThanOrEqual(median);
    expect(pLow).toBeLessThanOrEqual(p90);
    expect(pHigh).toBeGreaterThanOrEqual(p90);
    expect(crossValidationTable([profile], mi210, 5)).not.toContain('draws');
  }, 60_000);
});

describe('repeated measurements', () => {
  it('one row read twice counts once; an NN and a TN call of one shape with the same times are two rows', () => {
    const [row] = mi210;
    const twin = { ...row!, layout: row!.layout === 'NN' ? 'TN' as const : 'NN' as const };
    expect(withoutRepeats([row!, { ...row! }]).unique).toHaveLength(1);
    expect(withoutRepeats([row!, twin]).unique).toHaveLength(2);
    expect(withoutRepeats([row!, { ...row!, device: { ...row!.device, id: 'mi250-gcd' } }]).unique).toHaveLength(2);
  });
});
