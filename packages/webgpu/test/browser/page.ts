/**
 * The page script of the webgpu op harness in Chromium (chromium.test.ts bundles it with esbuild and serves it from
 * localhost): the cases of ../op-cases.ts, which the Node test runs on Dawn, on the browser's own `navigator.gpu`.
 * `webgpuOps.run()` initialises the device, runs every case on the CPU and on the device and reports each one's
 * first disagreement (or thrown error). It only measures; the test decides. No DOM types: the page needs none.
 */
import { initWebGPU, webgpuStatus } from '@tapegrad/webgpu';
import { type OpCase, OP_CASES, checkOpCase } from '../op-cases';

export interface OpCaseResult {
  readonly name: string;
  /** The first disagreement between the device and the CPU, or the error either threw; null when they agree. */
  readonly failure: string | null;
}

export interface OpHarnessReport {
  /** The adapter's name, or null when the page has no WebGPU (then `reason` says why). */
  readonly adapter: string | null;
  readonly reason: string | null;
  /** How many cases the harness has (every one must have a result). */
  readonly total: number;
  readonly results: readonly OpCaseResult[];
  /**
   * What the comparison says of a case whose function differs on the device by one part in a thousand (it must say
   * something, or the harness could not fail).
   */
  readonly planted: string | null;
  /** Wall-clock milliseconds of the run (on SwiftShader: says nothing about GPU speed). */
  readonly ms: number;
}

/** What the page puts on `globalThis.webgpuOps`. */
export interface WebgpuOps {
  run(): Promise<OpHarnessReport>;
}

async function outcome(c: OpCase): Promise<string | null> {
  try {
    return await checkOpCase(c);
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
}

const PLANTED: OpCase = {
  name: 'planted disagreement',
  inputs: [{ shape: [4, 3] }],
  f: (x) => (x.device === 'webgpu' ? x.mul(1.001) : x),
};

async function run(): Promise<OpHarnessReport> {
  const start = performance.now();
  const total = OP_CASES.length;
  if (!(await initWebGPU())) return { adapter: null, reason: webgpuStatus().reason ?? 'unknown', total, results: [], planted: null, ms: 0 };
  const results: OpCaseResult[] = [];
  for (const c of OP_CASES) results.push({ name: c.name, failure: await outcome(c) });
  const planted = await outcome(PLANTED);
  return { adapter: webgpuStatus().adapter ?? null, reason: null, total, results, planted, ms: performance.now() - start };
}

(globalThis as unknown as { webgpuOps: WebgpuOps }).webgpuOps = { run };
