/**
 * What the end-to-end tests need around the page: Debian's chromium (installed with apt-get when missing,
 * never a downloaded browser build), a static server for the built playground on a free localhost port,
 * and a browser with a fresh profile.
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const DIST = resolve(__dirname, '../../dist');
/** The test-only pages (test/pages), built by `pnpm --filter playground build:test-pages`. */
export const TEST_PAGES_DIST = resolve(__dirname, '../pages/dist');
export const OUT = resolve(__dirname, 'out');

/** Installs Debian's chromium package when it is not there yet (the tests run as root in CI). */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  execSync('apt-get update && apt-get install -y chromium', { stdio: 'inherit', timeout: 600_000 });
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get install chromium did not provide ${CHROMIUM}`);
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

export interface StaticServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The headers that make a page cross-origin isolated, the condition for SharedArrayBuffer (as in vite.config.ts). */
export const CROSS_ORIGIN_ISOLATION = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

/**
 * Serves `root` on 127.0.0.1 at a port the OS picks, cross-origin isolated as the playground is deployed unless
 * `isolated` is false (to see what a page without SharedArrayBuffer does). `page` is the built page the tests open.
 */
export async function serve(
  root: string,
  { isolated = true, page = 'index.html' }: { isolated?: boolean; page?: string } = {},
): Promise<StaticServer> {
  if (!existsSync(join(root, page))) {
    throw new Error(`${root}/${page} is missing: build it first (pnpm test:e2e builds the playground and the test pages)`);
  }
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    const type = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' };
    res.writeHead(200, isolated ? { ...type, ...CROSS_ORIGIN_ISOLATION } : type).end(readFileSync(file));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * The flags that give headless chromium a WebGPU adapter without a GPU: SwiftShader's Vulkan, which Debian's chromium
 * ships (the page must be served from localhost, a secure context).
 */
export const SWIFTSHADER_WEBGPU = ['--enable-unsafe-webgpu', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader'];

/** Headless chromium with a fresh, throw-away profile; `gpu` swaps --disable-gpu for these flags. */
export async function launchChromium({ gpu = [] }: { gpu?: readonly string[] } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'tapegrad-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      ...(gpu.length > 0 ? gpu : ['--disable-gpu']),
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Collects the page's uncaught errors and console errors into `errors`, which a test then expects to be empty. */
export function recordPageErrors(page: Page, errors: string[]): void {
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
}

/** The built playground open in a browser: its page, the errors the page has logged, and how to close it all. */
export interface PlaygroundSession {
  readonly page: Page;
  /** The page's uncaught errors and console errors so far (recordPageErrors). */
  readonly pageErrors: string[];
  close(): Promise<void>;
}

/**
 * The built playground (DIST) served and opened in headless chromium (`gpu` as launchChromium takes it), with OUT
 * made for what a test saves and the page's errors recorded.
 */
export async function openPlayground(options: { gpu?: readonly string[] } = {}): Promise<PlaygroundSession> {
  ensureChromium();
  mkdirSync(OUT, { recursive: true });
  const server = await serve(DIST);
  let browser: Browser | null = null;
  const close = async () => {
    await browser?.close();
    await server.close();
  };
  try {
    browser = await launchChromium(options);
    const page = await browser.context.newPage();
    const pageErrors: string[] = [];
    recordPageErrors(page, pageErrors);
    await page.goto(server.url);
    return { page, pageErrors, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The Train tab's MLP settings: each select's option value, each input's text. */
export interface TrainingSettings {
  readonly dataset: string;
  readonly hidden: string;
  readonly activation: string;
  readonly optimiser: string;
  readonly lr: string;
}

/** Sets the Train tab's form to `settings`, starts training and waits until it runs (no error shown). */
export async function startTraining(page: Page, settings: TrainingSettings): Promise<void> {
  await page.selectOption('#dataset', settings.dataset);
  await page.fill('#hidden', settings.hidden);
  await page.selectOption('#activation', settings.activation);
  await page.selectOption('#optimiser', settings.optimiser);
  await page.fill('#lr', settings.lr);
  await page.click('#train-start');
  await page.locator('#train-error').waitFor({ state: 'hidden' });
}
