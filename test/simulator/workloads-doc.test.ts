import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { workloadsDocument } from '../../bench/workloads-doc.ts';

describe('docs/workloads.md', () => {
  it('is current: regenerate with `npx tsx bench/workloads.ts > docs/workloads.md` when an estimate moves', () => {
    expect(readFileSync(new URL('../../docs/workloads.md', import.meta.url), 'utf8')).toBe(workloadsDocument());
  });
});
