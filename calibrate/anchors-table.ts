// Writes docs/anchors.md, the side-by-side table of GenZ, LLM-Viewer and genz (test/simulator/anchors.test.ts
// checks the committed file is current). Run: npx tsx calibrate/anchors-table.ts > docs/anchors.md
import { readFileSync } from 'node:fs';
import { anchorsDocument } from './accuracy/anchors.ts';

const data = new URL('../data/', import.meta.url);
process.stdout.write(anchorsDocument(readFileSync(new URL('genz_outputs_llama2.csv', data), 'utf8'), readFileSync(new URL('llmviewer_outputs_llama2.csv', data), 'utf8')));
