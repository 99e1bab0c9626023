// The dependency direction of DESIGN.md, enforced: pure data layers import nothing above them, the core
// is silent and deterministic (no file system, console, clock or unseeded randomness), faces use index.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;

function sources(dir: string): string[] {
  const full = join(root, dir);
  return readdirSync(full).flatMap((name) => {
    const path = join(full, name);
    if (statSync(path).isDirectory()) return sources(relative(root, path));
    return name.endsWith('.ts') || name.endsWith('.tsx') ? [relative(root, path)] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

/** The top-level folder a relative import of `file` lands in. */
function targetFolder(file: string, specifier: string): string {
  const resolved = relative(root, join(root, file, '..', specifier));
  return resolved.includes('/') ? resolved.split('/')[0]! : resolved;
}

const ALLOWED: Record<string, string[]> = {
  common: ['common'],
  hardware: ['hardware', 'common', 'models'], // models only for the JSON Schema of model files
  models: ['models', 'common'],
  simulator: ['simulator', 'hardware', 'models', 'common'],
  cli: ['cli', 'index.ts', 'node.ts'],
  web: ['web', 'index.ts'],
};

describe('dependency direction', () => {
  for (const [folder, allowed] of Object.entries(ALLOWED)) {
    it(`${folder}/ imports only ${allowed.join(', ')}`, () => {
      const violations: string[] = [];
      for (const file of sources(folder)) {
        for (const spec of importsOf(file)) {
          if (!spec.startsWith('.')) continue;
          const target = targetFolder(file, spec);
          // Shipped data (calibration profiles) may be read anywhere: it is data, not code.
          if (target === 'data' && spec.endsWith('.json')) continue;
          if (!allowed.includes(target)) violations.push(`${file} imports ${spec}`);
        }
      }
      expect(violations).toEqual([]);
    });
  }

  it('hardware/ imports models/ only in json-schema.ts', () => {
    const offenders = sources('hardware').filter((f) => !f.endsWith('json-schema.ts') && importsOf(f).some((s) => targetFolder(f, s) === 'models'));
    expect(offenders).toEqual([]);
  });

  it('the core (common, hardware, models, simulator) is silent and deterministic', () => {
    const violations: string[] = [];
    for (const folder of ['common', 'hardware', 'models', 'simulator']) {
      for (const file of sources(folder)) {
        const text = readFileSync(join(root, file), 'utf8');
        for (const pattern of [/from ['"]node:/, /\bconsole\./, /Date\.now|new Date\(/, /Math\.random/, /performance\.now/, /process\./]) {
          if (pattern.test(text)) violations.push(`${file}: ${pattern}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });
});
