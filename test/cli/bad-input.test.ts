// Bad input through the real `genz` command: exit 2, one line per problem on stderr naming the flag or
// field path, nothing on stdout, never a stack trace, never NaN or Infinity.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIX = 'test/fixtures/cli';
const NON_FINITE = /\bNaN\b|\bInfinity\b(?! Fabric)/;

/** Runs `genz …`, asserts the user-mistake shape, and returns the stderr lines. */
function mistake(...args: string[]): string[] {
  const r = spawnSync('node', ['cli/bin.js', ...args], { cwd: ROOT, encoding: 'utf8' });
  const what = `genz ${args.join(' ')}\nstderr: ${r.stderr}`;
  expect(r.stderr, what).not.toContain('    at ');
  expect(r.stderr, what).not.toMatch(/internal error/);
  expect(r.status, what).toBe(2);
  expect(r.stdout, what).toBe('');
  expect(r.stderr + r.stdout, what).not.toMatch(NON_FINITE);
  const lines = r.stderr.split('\n').filter((line) => line.trim() !== '');
  expect(lines.length, what).toBeGreaterThanOrEqual(1);
  // One line per problem: each one is a complete `genz: <path>: <message>` line.
  for (const line of lines) expect(line, what).toMatch(/^genz: \S+: \S/);
  return lines;
}

describe('unknown ids', () => {
  it('--model llama-2-7 exits 2 and suggests llama-2-7b', () => {
    const [line] = mistake('estimate', '--model', 'llama-2-7');
    expect(line).toMatch(/^genz: model: /);
    expect(line).toContain('"llama-2-7"');
    expect(line).toContain('llama-2-7b');
  });

  it('--hardware h100-sxn exits 2 and suggests h100-sxm', () => {
    const [line] = mistake('estimate', '--hardware', 'h100-sxn');
    expect(line).toMatch(/^genz: hardware: /);
    expect(line).toContain('h100-sxm');
  });
});

describe('sizes: zero, negative, non-numeric, huge', () => {
  it.each([
    ['--batch', '0', /batch/],
    ['--batch', '-3', /batch/],
    ['--batch', 'abc', /batch/],
    ['--input', '0', /input/],
    ['--input', '-1', /input/],
    ['--tp', '0', /tp/],
    ['--batch', '1e12', /batch/],
    ['--input', '1e12', /input/],
  ])('estimate %s %s exits 2 naming the flag', (flag, value, names) => {
    const lines = mistake('estimate', flag, value);
    expect(lines.length).toBe(1);
    const [, path] = /^genz: (\S+): /.exec(lines[0]!)!;
    expect(path).toMatch(names);
  });

  it('--tp 3 on llama-2-7b (32 heads) exits 2 at tp', () => {
    const [line] = mistake('estimate', '--model', 'llama-2-7b', '--tp', '3');
    expect(line).toMatch(/^genz: tp: /);
    expect(line).toContain('32');
  });
});

describe('hardware files', () => {
  it('malformed JSON exits 2 naming the flag and the file', () => {
    const [line] = mistake('estimate', '--hardware', `${FIX}/malformed.json`);
    expect(line).toMatch(/^genz: hardware: /);
    expect(line).toContain('malformed.json');
  });

  it('a device without `memory` exits 2 at hardware.memory', () => {
    const lines = mistake('estimate', '--hardware', `${FIX}/device-missing-memory.json`);
    expect(lines.some((line) => line.startsWith('genz: hardware.memory: '))).toBe(true);
  });

  it('a device with bandwidth as a string exits 2 at hardware.memory.0.bandwidthBytesPerS', () => {
    const lines = mistake('estimate', '--hardware', `${FIX}/device-bandwidth-string.json`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^genz: hardware\.memory\.0\.bandwidthBytesPerS: /);
    expect(lines[0]).toMatch(/string/);
  });

  it('a directory given as --hardware exits 2, not an internal error', () => {
    const [line] = mistake('estimate', '--hardware', 'test/fixtures/cli/');
    expect(line).toMatch(/^genz: hardware: /);
  });
});

describe('genz op', () => {
  it('an unknown operator kind exits 2 at kind and lists valid kinds', () => {
    const [line] = mistake('op', 'conv', '--json');
    expect(line).toMatch(/^genz: kind: /);
    expect(line).toContain('"conv"');
    expect(line).toMatch(/gemm|attention/);
  });

  it('gemm without --m exits 2 at m', () => {
    const [line] = mistake('op', 'gemm', '--n', '4096', '--k', '4096', '--json');
    expect(line).toMatch(/^genz: m: /);
  });

  it('--from-file with a bad line exits 2 naming its line number (blank lines count) and prints no partial results', () => {
    const lines = mistake('op', '--from-file', `${FIX}/ops-bad-line.jsonl`, '--json');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('line 4');
    expect(lines[0]).toMatch(/\bn\b/);
  });

  it('--from-file with a missing file exits 2, not an internal error', () => {
    const [line] = mistake('op', '--from-file', `${FIX}/no-such-file.jsonl`, '--json');
    expect(line).toContain('no-such-file.jsonl');
  });
});
