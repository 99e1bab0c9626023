// End-to-end cases for the inputs past the basics: the cost engine, calibration on/off, speculative decoding, a vision-language
// model's images, the efficiency factors in What-if, history and CSV downloads. Each number on a card is checked
// against the core run in Node on the same request (what `genz estimate --json` prints), formatted as the page
// formats it. Registered inside explorer.test.ts's suite, which builds and serves the app once.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { IDEAL_EFFICIENCY, estimate, type EstimateRequest } from '../../index.ts';
import { formatSeconds } from '../../web/src/format/units.ts';
import { metric, shoot, type Session } from './harness.ts';

const tpotOf = (request: EstimateRequest): string => formatSeconds(estimate(request).tpotS);
const ttftOf = (request: EstimateRequest): string => formatSeconds(estimate(request).ttftS);
const query = (page: Page): URLSearchParams => new URL(page.url()).searchParams;
const title = (page: Page): Promise<string | null> => page.locator('.report-title').textContent();

export function scenarioCases(session: Session): void {
  it('turning calibration off changes TPOT; the header line says how operators are priced; the link keeps it', async () => {
    // The A100's shipped profile prices GEMMs and attention (the H100's GEMMs, elementwise ops and collectives).
    const a100 = { hardware: 'a100-80gb-sxm' };
    const page = await session.open('?hw=a100-80gb-sxm');
    await page.locator('[data-metric="tpot"] .value').waitFor();
    expect(await metric(page, 'tpot')).toBe(tpotOf(a100));
    expect(await title(page)).toMatch(/calibrated \(a100-80gb-sxm profile: .*gemm/);
    await page.selectOption('select[name="calibration"]', 'none');
    const off = tpotOf({ ...a100, calibration: 'none' });
    expect(off).not.toBe(tpotOf(a100));
    await expect.poll(() => metric(page, 'tpot')).toBe(off);
    expect(await page.locator('.report-title [data-pricing]').textContent()).toBe('efficiency factors, no calibration');
    expect(query(page).get('cal')).toBe('none');

    const shared = await session.open(new URL(page.url()).search);
    await expect.poll(() => metric(shared, 'tpot')).toBe(off);
    expect(await shared.locator('select[name="calibration"]').inputValue()).toBe('none');
    await page.context().close();
    await shared.context().close();
  }, 60_000);

  it('the cycle engine prices the same scenario; the header says so and the link keeps it', async () => {
    const request = { model: 'qwen2.5-0.5b', engine: 'cycle' as const };
    const page = await session.open('?model=qwen2.5-0.5b');
    await page.locator('[data-metric="tpot"] .value').waitFor();
    await page.selectOption('select[name="engine"]', 'cycle');
    const cycle = tpotOf(request);
    expect(cycle).not.toBe(tpotOf({ model: 'qwen2.5-0.5b' }));
    await expect.poll(() => metric(page, 'tpot'), { timeout: 20_000 }).toBe(cycle);
    expect(await page.locator('.report-title [data-pricing]').textContent()).toBe('cycle-level simulator (uncalibrated)');
    expect(await page.locator('select[name="calibration"]').count()).toBe(0);
    expect(query(page).get('eng')).toBe('cycle');
    const shared = await session.open(new URL(page.url()).search);
    await expect.poll(() => metric(shared, 'tpot'), { timeout: 20_000 }).toBe(cycle);
    expect(await shared.locator('select[name="engine"]').inputValue()).toBe('cycle');
    await page.context().close();
    await shared.context().close();
  }, 60_000);

  it("a serving framework adds its host time to TPOT; the header and the link say which", async () => {
    const page = await session.open();
    await page.locator('[data-metric="tpot"] .value').waitFor();
    await page.selectOption('select[name="framework"]', 'vllm');
    const vllm = tpotOf({ framework: 'vllm' });
    expect(vllm).not.toBe(tpotOf({}));
    await expect.poll(() => metric(page, 'tpot')).toBe(vllm);
    expect(await title(page)).toMatch(/ · vllm costs \(host time, kernels\)/);
    expect(query(page).get('fw')).toBe('vllm');
    await page.context().close();
  }, 60_000);

  it('an MoE model offers identical prompts: they change TPOT as the core says and go in the link; a dense model hides it', async () => {
    const mixtral = { model: 'mixtral-8x7b', batch: 16 };
    const page = await session.open('?model=mixtral-8x7b&batch=16');
    await page.locator('[data-metric="tpot"] .value').waitFor();
    expect(await metric(page, 'tpot')).toBe(tpotOf(mixtral));
    await page.locator('input[name="identicalPrompts"]').check();
    const same = tpotOf({ ...mixtral, identicalPrompts: true });
    expect(same).not.toBe(tpotOf(mixtral));
    await expect.poll(() => metric(page, 'tpot')).toBe(same);
    expect(query(page).get('same')).toBe('1');
    await page.selectOption('select[name="model"]', 'llama-3.1-8b');
    await expect.poll(() => page.locator('input[name="identicalPrompts"]').count()).toBe(0);
    await page.context().close();
  }, 60_000);

  it('on a CPU preset, threads and the low-bit kernel appear, change TPOT and go in the link; a GPU hides them', async () => {
    const cpu = { model: 'llama-2-7b', hardware: 'jetson-agx-orin-cpu', wbits: 2 };
    const page = await session.open('?hw=jetson-agx-orin-cpu&model=llama-2-7b&wbits=2');
    await page.locator('[data-metric="tpot"] .value').waitFor();
    expect(await metric(page, 'tpot')).toBe(tpotOf(cpu));
    await page.locator('input[name="threads"]').fill('4');
    await page.selectOption('select[name="lowBitKernel"]', 'lut');
    const tuned = tpotOf({ ...cpu, threads: 4, lowBitKernel: 'lut' });
    expect(tuned).not.toBe(tpotOf(cpu));
    await expect.poll(() => metric(page, 'tpot')).toBe(tuned);
    expect(query(page).get('th')).toBe('4');
    expect(query(page).get('lbk')).toBe('lut');
    // Switching to a GPU drops them (the controls, the link and the request).
    await page.selectOption('select[name="hardware"]', 'h100-sxm');
    await expect.poll(() => metric(page, 'tpot')).toBe(tpotOf({ model: 'llama-2-7b', hardware: 'h100-sxm', wbits: 2 }));
    expect(await page.locator('input[name="threads"]').count()).toBe(0);
    expect(query(page).has('th')).toBe(false);
    expect(query(page).has('lbk')).toBe(false);
    // A link that carries them to a GPU: the catalog loaded (the hardware list), still no controls, and no effect.
    const gpu = await session.open('?hw=h100-sxm&model=llama-2-7b&th=4&lbk=lut');
    await gpu.locator('select[name="hardware"] option[value="jetson-agx-orin-cpu"]').waitFor({ state: 'attached' });
    await gpu.locator('[data-metric="tpot"] .value').waitFor();
    expect(await gpu.locator('input[name="threads"]').count()).toBe(0);
    expect(await metric(gpu, 'tpot')).toBe(tpotOf({ model: 'llama-2-7b', hardware: 'h100-sxm' }));
    await page.context().close();
    await gpu.context().close();
  }, 60_000);

  it('a speculative draft changes TPOT; α and γ are in the link', async () => {
    const page = await session.open();
    await page.locator('[data-metric="tpot"] .value').waitFor();
    await page.locator('input[name="speculative"]').check();
    const chain = { draft: 'llama-3.2-1b', acceptance: 0.7 };
    await expect.poll(() => metric(page, 'tpot')).toBe(tpotOf({ speculative: chain }));
    const without = tpotOf({}).replace(/[.]/g, '\\.');
    expect(await page.locator('[data-metric="tpot"] .note').textContent()).toMatch(new RegExp(`^speculative ×1\\.\\d+ \\(${without} without\\)$`));
    await page.locator('input[name="acceptance"]').fill('0.8');
    await page.locator('input[name="gamma"]').fill('2');
    const tuned = tpotOf({ speculative: { ...chain, acceptance: 0.8, gamma: 2 } });
    await expect.poll(() => metric(page, 'tpot')).toBe(tuned);
    expect(await title(page)).toMatch(/draft Llama 3\.2 1B \(α 0\.8, γ 2: \d[\d.]* tokens\/step\)/);
    expect(Object.fromEntries(query(page))).toMatchObject({ draft: 'llama-3.2-1b', alpha: '0.8', gamma: '2' });
    await page.locator('input[name="acceptance"]').fill('1.5');
    await expect.poll(() => page.locator('input[name="acceptance"]').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.inputs .field-error').first().textContent()).toMatch(/1/);
    await page.locator('input[name="acceptance"]').fill('0.8');
    await shoot(page, 'speculative');

    const shared = await session.open(new URL(page.url()).search);
    await expect.poll(() => metric(shared, 'tpot')).toBe(tuned);
    expect(await shared.locator('input[name="speculative"]').isChecked()).toBe(true);
    expect(await shared.locator('input[name="gamma"]').inputValue()).toBe('2');
    await page.context().close();
    await shared.context().close();
  }, 60_000);

  it('a vision-language model takes an image count; other models drop it', async () => {
    const page = await session.open();
    await page.locator('select[name="model"] option[value="smolvlm-256m"]').waitFor({ state: 'attached' });
    expect(await page.locator('input[name="images"]').count()).toBe(0);
    await page.selectOption('select[name="model"]', 'smolvlm-256m');
    await expect.poll(() => metric(page, 'ttft')).toBe(ttftOf({ model: 'smolvlm-256m' }));
    await page.locator('input[name="images"]').fill('4');
    await expect.poll(() => metric(page, 'ttft')).toBe(ttftOf({ model: 'smolvlm-256m', images: 4 }));
    expect(await title(page)).toMatch(/ · 4 images \(\+256 tokens\)/);
    expect(query(page).get('img')).toBe('4');
    await page.selectOption('select[name="model"]', 'llama-3.2-1b');
    await expect.poll(() => title(page)).toMatch(/^Llama 3\.2 1B/);
    expect(await page.locator('input[name="images"]').count()).toBe(0);
    expect(query(page).has('img')).toBe(false);
    expect(await page.locator('.banner.error').count()).toBe(0);
    await page.context().close();
  }, 60_000);

  it('What-if moves the efficiency factors; the ideal roofline turns calibration off; the link reproduces it', async () => {
    const a100 = { hardware: 'a100-80gb-sxm', calibration: 'none' } as const;
    const page = await session.open('?v=whatif&hw=a100-80gb-sxm');
    await page.locator('[data-knob="eff.memory"]').waitFor();
    await page.locator('[data-metric="tpot"] .value').waitFor();
    expect(await page.locator('.efficiency-note').textContent()).toMatch(/a100-80gb-sxm calibration profile prices the .*gemm/);
    // With the curves' error on the rows their fit held out, as `genz estimate` prints it.
    expect(await page.locator('.efficiency-note .curve-errors').textContent()).toMatch(/on a100-80gb-sxm measurements the fit held out, median \/ p90: .*gemm \d+\.\d \/ \d+\.\d % \(\d+ rows\)/);
    await page.getByRole('button', { name: /Ideal roofline/ }).click();
    const ideal = tpotOf({ ...a100, efficiency: { ...IDEAL_EFFICIENCY } });
    await expect.poll(() => metric(page, 'tpot')).toBe(ideal);
    // Calibration is a scenario choice: the preset is priced the same way, so the change is the factors' alone.
    expect(await page.locator('[data-metric="tpot"] .was').textContent()).toBe(`preset ${tpotOf(a100)}`);
    expect(await page.locator('[data-metric="tpot"] .delta').textContent()).toMatch(/▼ −\d[\d.]* % better/);
    expect(await page.locator('[data-knob="eff.memory"] input[name="eff.memory"]').inputValue()).toBe('100');
    expect(query(page).get('cal')).toBe('none');

    await page.locator('[data-knob="eff.memory"] input[name="eff.memory"]').fill('35');
    const halfMemory = tpotOf({ ...a100, efficiency: { ...IDEAL_EFFICIENCY, memory: 0.35 } });
    await expect.poll(() => metric(page, 'tpot')).toBe(halfMemory);
    await shoot(page, 'whatif-efficiency');
    const shared = await session.open(new URL(page.url()).search);
    await expect.poll(() => metric(shared, 'tpot')).toBe(halfMemory);
    await page.context().close();
    await shared.context().close();
  }, 60_000);

  it('Back returns to the previous view; Compare saves its table as CSV', async () => {
    const page = await session.open();
    await page.locator('[data-metric="tpot"] .value').waitFor();
    await page.locator('button[data-tab="compare"]').click();
    await expect.poll(() => page.locator('table.compare').textContent()).not.toContain('…');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('button[data-csv="genz-compare.csv"]').click()]);
    expect(download.suggestedFilename()).toBe('genz-compare.csv');
    const csv = (await readFile((await download.path())!, 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('hardware,name,devices,ttft_s,tpot_s,output_tokens_per_s,output_tokens_per_s_per_device,energy_j_per_token,'
      + 'memory_bytes_per_device,capacity_bytes_per_device,fits');
    expect(csv).toHaveLength(5);
    expect(Number(csv[1]!.split(',')[4])).toBeCloseTo(estimate({}).tpotS, 12);
    await page.locator('button[data-tab="sweep"]').click();
    await page.goBack();
    await expect.poll(() => page.locator('button[data-tab="compare"]').getAttribute('aria-current')).toBe('page');
    await page.goBack();
    await expect.poll(() => page.locator('button[data-tab="estimate"]').getAttribute('aria-current')).toBe('page');
    await page.context().close();
  }, 60_000);
}
