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

  it('the table gives each curve the lowest and highest median and p90 over its draws, the unsalted one first', () => {
    const table = crossValidationTable([profile], mi210, 5, 3);
    const row = table.split('\n').find((l) => l.startsWith('| mi210 | gemm |'))!;
    const cells = row.split('|').map((c) => c.trim()).filter((c) => c !== '');
    expect(cells).toHaveLength(7);
    // The same draws computed here: the unsalted one and two salted as the table salts them.
    const draws = ['', 'draw 1|', 'draw 2|'].map((salt) => crossValidate(mi210, profile, 5, salt).find((e) => e.family === 'gemm')!);
    const span = (values: number[]): string => `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;
    expect(Number(cells[3])).toBe(Number(draws[0]!.medianAbsPctError.toFixed(1)));
    expect(Number(cells[4])).toBe(Number(draws[0]!.p90AbsPctError.toFixed(1)));
    expect(cells[5]).toBe(span(draws.map((d) => d.medianAbsPctError)));
    expect(cells[6]).toBe(span(draws.map((d) => d.p90AbsPctError)));
    expect(new Set(draws.map((d) => d.p90AbsPctError)).size).toBeGreaterThan(1); // the draws differ
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
