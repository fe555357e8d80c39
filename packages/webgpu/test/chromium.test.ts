/**
 * The webgpu op harness in Chromium: the cases the Node test runs on Dawn (op-cases.ts: every op with a webgpu kernel,
 * values and gradients against the CPU's float32 kernels) on the browser's own WebGPU. browser/page.ts is bundled
 * from the sources with esbuild, served from localhost (a secure context) and run in headless Debian chromium with
 * SwiftShader's Vulkan (no GPU needed), as the playground's e2e tests drive it. Part of `pnpm test`, not test:e2e:
 * it needs no playground build, and bundling, launching and the ~70 cases take seconds (docs/decisions.md).
 * Without /usr/bin/chromium it skips with the reason printed, unless TAPEGRAD_REQUIRE_WEBGPU=1 (CI) makes that a failure.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import {
  type Browser,
  CHROMIUM,
  type StaticServer,
  SWIFTSHADER_WEBGPU,
  launchChromium,
  recordPageErrors,
  serve,
} from '../../playground/test/e2e/harness';
import type { OpHarnessReport, WebgpuOps } from './browser/page';

const ROOT = resolve(__dirname, '../../..');
const available = existsSync(CHROMIUM);
if (!available && process.env.TAPEGRAD_REQUIRE_WEBGPU === '1')
  throw new Error(`TAPEGRAD_REQUIRE_WEBGPU=1 but ${CHROMIUM} is missing (apt-get install chromium)`);
if (!available) console.log(`webgpu op harness in Chromium skipped: no ${CHROMIUM}`);

let folder: string;
let server: StaticServer | undefined;
let browser: Browser | undefined;
let report: OpHarnessReport;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!available) return;
  folder = mkdtempSync(join(tmpdir(), 'tapegrad-webgpu-ops-'));
  // The page from the sources, @tapegrad/* mapped to packages/*/src as in Jest (tsconfig.spec.json's paths).
  await build({
    entryPoints: [join(__dirname, 'browser/page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    tsconfig: join(ROOT, 'tsconfig.spec.json'),
    outfile: join(folder, 'page.js'),
    logLevel: 'error',
  });
  writeFileSync(
    join(folder, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>webgpu ops</title><link rel="icon" href="data:,"><script type="module" src="page.js"></script>',
  );
  server = await serve(folder);
  browser = await launchChromium({ gpu: SWIFTSHADER_WEBGPU });
  const page = await browser.context.newPage();
  recordPageErrors(page, pageErrors);
  await page.goto(server.url);
  await page.waitForFunction(() => 'webgpuOps' in globalThis);
  report = await page.evaluate(() => (globalThis as unknown as { webgpuOps: WebgpuOps }).webgpuOps.run());
  console.log(`webgpu op harness in Chromium: ${report.results.length} cases in ${Math.round(report.ms)} ms on ${report.adapter}`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
});

const maybe = available ? describe : describe.skip;

maybe('the webgpu op harness in Chromium (SwiftShader)', () => {
  it("runs on the page's own WebGPU adapter", () => {
    expect(report.reason).toBeNull();
    expect(report.adapter).toMatch(/swiftshader/i);
  });

  it('agrees with the CPU on every case, values and gradients', () => {
    expect(report.total).toBeGreaterThanOrEqual(60);
    expect(report.results).toHaveLength(report.total);
    expect(report.results.filter((r) => r.failure !== null)).toEqual([]);
  });

  it('reports a planted disagreement (the comparison can fail)', () => {
    expect(report.planted).toMatch(/^planted disagreement value\[\d+\]: webgpu .*, cpu /);
  });

  it('raised no uncaught error or console error along the way', () => {
    expect(pageErrors).toEqual([]);
  });
});
