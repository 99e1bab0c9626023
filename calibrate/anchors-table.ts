// Prints the README's side-by-side table of GenZ, LLM-Viewer and genz. Run: npx tsx calibrate/anchors-table.ts
import { readFileSync } from 'node:fs';
import { anchorCases, anchorDifference, genzOnAnchor, phaseLatencyS } from './accuracy/anchors.ts';

const data = new URL('../data/', import.meta.url);
const cases = anchorCases(readFileSync(new URL('genz_outputs_llama2.csv', data), 'utf8'), readFileSync(new URL('llmviewer_outputs_llama2.csv', data), 'utf8'));
const ms = (s: number): string => (s * 1e3).toFixed(2);
console.log('| tool | model | hardware | TP | batch | phase | theirs (ms) | genz, efficiency 1 (ms) | genz/theirs | genz defaults (ms) | why they differ |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const c of cases) {
  const ideal = phaseLatencyS(genzOnAnchor(c, true), c.phase);
  const real = phaseLatencyS(genzOnAnchor(c, false), c.phase);
  const phase = c.tool === 'LLM-Viewer' ? `${c.phase}${c.flash ? ' (flash)' : ''}` : c.phase;
  console.log(`| ${c.tool} | ${c.model} | ${c.hardware} | ${c.tp} | ${c.batch} | ${phase} | ${ms(c.theirsS)} | ${ms(ideal)} | ${(ideal / c.theirsS).toFixed(3)} | ${ms(real)} | ${anchorDifference(c)} |`);
}
