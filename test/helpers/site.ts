/**
 * The built implementation-guide site in a real browser, for the site's tests: a static server
 * over docs-site/build (built first when missing; CI builds it before the tests), Debian chromium
 * driven by playwright-core, and a record of every console error.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from './repo.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const BUILD = join(REPO_ROOT, 'docs-site', 'build');
// Without chromium (a developer machine), these tests are skipped; CI installs it and never skips.
export const canRunBrowser = existsSync(CHROMIUM) || process.env.CI === 'true';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain',
};

/** A static server for the built site (Docusaurus pages are `<route>.html` or `<route>/index.html`). */
function serve(root: string): Promise<Server> {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    for (const candidate of [path, `${path}.html`, join(path, 'index.html')]) {
      const file = join(root, candidate);
      if (!file.startsWith(root)) break;
      const info = await stat(file).catch(() => undefined);
      if (info?.isFile()) {
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        res.end(await readFile(file));
        return;
      }
    }
    res.writeHead(404).end('not found');
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

function buildSite(): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn('npm', ['run', 'docs:build'], { cwd: REPO_ROOT, stdio: 'inherit' });
    child.on('close', (code) => (code === 0 ? done() : fail(new Error(`docs:build exited with ${code}`))));
  });
}

export interface SiteSession {
  /** The site's origin, e.g. http://127.0.0.1:41235 */
  base: string;
  browser: Browser;
  /** A page of `width` × 900 px whose console errors are recorded in `consoleErrors`. */
  newPage(width?: number): Promise<Page>;
  consoleErrors: string[];
  close(): Promise<void>;
}

export async function openSite(): Promise<SiteSession> {
  if (!existsSync(join(BUILD, 'index.html'))) await buildSite();
  const server = await serve(BUILD);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const consoleErrors: string[] = [];
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    browser,
    consoleErrors,
    async newPage(width = 1280) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      page.on('console', (msg) => {
        if (msg.type() === 'error') consoleErrors.push(`${page.url()}: ${msg.text()}`);
      });
      page.on('pageerror', (err) => consoleErrors.push(`${page.url()}: ${err.message}`));
      return page;
    },
    async close() {
      await browser.close();
      await new Promise((done) => server.close(done));
    },
  };
}
