// The browser-test harness: builds the explorer, serves web/dist over HTTP on 127.0.0.1 (never file://), and
// drives Debian's chromium through playwright-core (never a downloaded browser).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const distDir = join(repoRoot, 'web', 'dist');

/**
 * `vite build web` in a child process (vitest itself runs on vite; a separate process keeps them apart), with
 * NODE_ENV=production: vitest sets it to 'test', which would bundle React's development build.
 */
export function buildApp(): Promise<void> {
  const vite = join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [vite, 'build', 'web', '--logLevel', 'warn'], { cwd: repoRoot, timeout: 120_000, env: { ...process.env, NODE_ENV: 'production' } }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`vite build failed: ${stderr || error.message}`));
      else resolve();
    });
  });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

export async function serve(dir: string): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end('not found'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no server address');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** Collects console errors and uncaught page errors of `page` into `sink`. */
export function collectErrors(page: Page, sink: string[]): void {
  page.on('console', (msg) => { if (msg.type() === 'error') sink.push(`console: ${msg.text()}`); });
  page.on('pageerror', (error) => sink.push(`pageerror: ${error.message}`));
}

/** The text of a metric card's value ('ttft', 'tpot', 'throughput', 'energy', 'memory'). */
export async function metric(page: Page, id: string): Promise<string> {
  return (await page.locator(`[data-metric="${id}"] .value`).first().textContent()) ?? '';
}
