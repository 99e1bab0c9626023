// Development-time script (not used by tests or the CLI): the deterministic, stratified subsample of NeuSight's
// 120k-row linear/bmm training set that the project ships.
//
//   npx tsx calibrate/importers/subsample-neusight.ts ../shared/data/neusight_train_linear_bmm_fp32.csv \
//     data/neusight_linear_bmm_fp32_subsample.csv
//
// Strata are (device, op). Within each, rows are ranked by FLOPs (ties by row order) and PER_STRATUM rows are taken
// at evenly spaced ranks (the middle of each of PER_STRATUM equal slices), so every size range of every device and
// op is covered in proportion. Chosen rows keep the source's order and text verbatim.
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseCsvTable } from './table.ts';

// 6,000 (of ~6,500 Linear and ~17,700 bmm rows per board): the neighbour tables read the density (T4 bmm on the rows
// left out, 600 per stratum 10.0/28.6 %, 6,000 8.3/24.8; 2026-11-27, docs/unseen-rows.md).
export const PER_STRATUM = 6000;

/** The chosen lines (header first), verbatim from `text`. */
export function subsampleNeusight(text: string, perStratum = PER_STRATUM): string[] {
  const lines = text.split(/\r?\n/);
  const table = parseCsvTable(text);
  const strata = new Map<string, { index: number; flops: number; line: number }[]>();
  table.records.forEach((record, index) => {
    const c = record.cells;
    const flops = 2 * Number(c.B) * Number(c.M) * Number(c.N) * Number(c.K);
    const key = `${c.device}\u0000${c.op}`;
    let list = strata.get(key);
    if (!list) strata.set(key, (list = []));
    list.push({ index, flops, line: record.line });
  });
  const chosen: number[] = [];
  for (const rows of strata.values()) {
    const ranked = [...rows].sort((a, b) => a.flops - b.flops || a.index - b.index);
    const take = Math.min(perStratum, ranked.length);
    for (let i = 0; i < take; i++) chosen.push(ranked[Math.floor(((i + 0.5) * ranked.length) / take)]!.line);
  }
  chosen.sort((a, b) => a - b);
  return [lines[0]!, ...chosen.map((line) => lines[line - 1]!)];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    process.stderr.write('usage: subsample-neusight.ts INPUT.csv OUTPUT.csv\n');
    process.exit(2);
  }
  const lines = subsampleNeusight(readFileSync(input, 'utf8'));
  writeFileSync(output, `${lines.join('\n')}\n`);
  process.stdout.write(`${lines.length - 1} rows written to ${output}\n`);
}
