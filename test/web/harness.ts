// The browser-test harness: builds the explorer, serves web/dist over HTTP on 127.0.0.1 (never file://), and
// drives Debian's chromium through playwright-core (never a downloaded browser).
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
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

/** Where the tests save a screenshot of each view. */
export const shotsDir = join(repoRoot, 'docs', 'screenshots');

/**
 * The built app served over HTTP and one chromium; every page it opens is a fresh browser context (cold cache)
 * whose console errors and uncaught page errors go into `errors`.
 */
export class Session {
  readonly errors: string[] = [];
  private server?: StaticServer;
  private browser?: Browser;

  async start(): Promise<void> {
    mkdirSync(shotsDir, { recursive: true });
    await buildApp();
    this.server = await serve(distDir);
    this.browser = await launchChromium();
  }

  async stop(): Promise<void> {
    await this.browser?.close();
    await this.server?.close();
  }

  get url(): string {
    return this.server!.url;
  }

  async newPage(): Promise<Page> {
    const context = await this.browser!.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    const page = await context.newPage();
    collectErrors(page, this.errors);
    return page;
  }

  /** A fresh page at `search` (a query string such as '?v=whatif'). */
  async open(search = ''): Promise<Page> {
    const page = await this.newPage();
    await page.goto(`${this.url}${search}`);
    return page;
  }
}

/** Waits until `view` shows at least `count` drawn recharts charts. */
export async function charts(page: Page, view: string, count: number): Promise<void> {
  await page.waitForFunction(
    ([v, n]) => document.querySelectorAll(`[data-view="${v}"] .recharts-wrapper svg`).length >= (n as number), [view, count] as const,
    { timeout: 20_000 },
  );
}

/** Saves a full-page screenshot as docs/screenshots/<name>.png (focus and scroll reset first). */
export async function shoot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(shotsDir, `${name}.png`), fullPage: true });
}
