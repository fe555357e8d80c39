/**
 * The issue's floors, each read off one run: the ratio of two peers' medians on one case, against the floor.
 * A floor whose peers did not both run (no PyTorch, no native addon) is listed as not measured.
 */
import type { BenchRun } from './report.js';

interface Floor {
  /** What is compared, as the table says it. */
  readonly what: string;
  readonly caseId: string;
  /** The ratio is `over`'s median time / `under`'s: how many times faster `under` is. */
  readonly under: string;
  readonly over: string;
  /** `min`: the ratio must be at least `value`; `max`: `under` may be at most `value` times slower. */
  readonly kind: 'min' | 'max';
  readonly value: number;
}

const FLOORS: readonly Floor[] = [
  {
    what: 'W1, native: PyTorch 1 thread time over tapegrad native',
    caseId: 'W1',
    under: 'tapegrad-native',
    over: 'pytorch-1',
    kind: 'max',
    value: 1.3,
  },
  ...[256, 512, 1024].map((n): Floor => ({
    what: `W2 n=${n}, native: tapegrad native GFLOP/s over OpenBLAS's 1 thread`,
    caseId: `W2-${n}`,
    under: 'tapegrad-native',
    over: 'openblas-1',
    kind: 'min',
    value: 0.85,
  })),
  {
    what: 'W4, native: PyTorch 1 thread time over tapegrad native',
    caseId: 'W4',
    under: 'tapegrad-native',
    over: 'pytorch-1',
    kind: 'max',
    value: 1.5,
  },
  {
    what: 'W4, native, written with fuse: PyTorch 1 thread time over tapegrad native fused',
    caseId: 'W4',
    under: 'tapegrad-native-fused',
    over: 'pytorch-1',
    kind: 'max',
    value: 1.5,
  },
  {
    what: 'W1, WebAssembly: tapegrad over TF.js-wasm 1 thread',
    caseId: 'W1',
    under: 'tapegrad',
    over: 'tfjs-wasm-1',
    kind: 'min',
    value: 8,
  },
  {
    what: 'W4, WebAssembly: tapegrad over TF.js-wasm 1 thread',
    caseId: 'W4',
    under: 'tapegrad',
    over: 'tfjs-wasm-1',
    kind: 'min',
    value: 2,
  },
  {
    what: 'W4, WebAssembly, written with fuse: tapegrad fused over TF.js-wasm 1 thread',
    caseId: 'W4',
    under: 'tapegrad-fused',
    over: 'tfjs-wasm-1',
    kind: 'min',
    value: 2,
  },
  {
    what: 'W4, written with fuse, no native kernels: PyTorch 1 thread time over tapegrad fused',
    caseId: 'W4',
    under: 'tapegrad-fused',
    over: 'pytorch-1',
    kind: 'max',
    value: 1.5,
  },
  ...[256, 512, 1024].map((n): Floor => ({
    what: `W2 n=${n}, WebAssembly: tapegrad over TF.js-wasm 1 thread`,
    caseId: `W2-${n}`,
    under: 'tapegrad',
    over: 'tfjs-wasm-1',
    kind: 'min',
    value: 1,
  })),
  {
    what: 'W5, WebAssembly: tapegrad over TF.js-wasm 1 thread',
    caseId: 'W5',
    under: 'tapegrad',
    over: 'tfjs-wasm-1',
    kind: 'min',
    value: 2,
  },
  {
    what: 'W6, WebAssembly: tapegrad over TF.js-wasm 1 thread (issue 14)',
    caseId: 'W6',
    under: 'tapegrad',
    over: 'tfjs-wasm-1',
    kind: 'min',
    value: 1.5,
  },
  { what: 'W3: tapegrad over the closure micrograd', caseId: 'W3', under: 'tapegrad', over: 'reference', kind: 'min', value: 1 },
  // Issue 17's target on a real GPU; on SwiftShader (a CPU implementation) the ratio says nothing about GPU speed.
  ...['W1', 'W2-256', 'W2-512', 'W2-1024', 'W5', 'W6'].map((caseId): Floor => ({
    what: `${caseId}, WebGPU (issue 17): tapegrad webgpu over TF.js-webgpu, same adapter`,
    caseId,
    under: 'tapegrad-webgpu',
    over: 'tfjs-webgpu',
    kind: 'min',
    value: 1,
  })),
];

/**
 * One floor's figures: the speedup of `under` over `over` from the medians and from the best iterations (for 'max'
 * floors, how many times slower `under` is). On a loaded machine the best times are the steadier figure.
 */
export interface FloorResult {
  readonly what: string;
  readonly median?: number;
  readonly best?: number;
  readonly floor: string;
  /** Judged on the medians. */
  readonly met?: boolean;
}

export function floorResults(run: BenchRun): FloorResult[] {
  return FLOORS.map((f) => {
    const timings = run.results.find((r) => r.case.id === f.caseId)?.timings;
    const under = timings?.[f.under];
    const over = timings?.[f.over];
    const floor = f.kind === 'min' ? `at least ${f.value}x` : `at most ${f.value}x slower`;
    if (!under || !over) return { what: f.what, floor };
    const figure = (speedup: number): number => (f.kind === 'min' ? speedup : 1 / speedup);
    const median = figure(over.median / under.median);
    return {
      what: f.what,
      median,
      best: figure(over.min / under.min),
      floor,
      met: f.kind === 'min' ? median >= f.value : median <= f.value,
    };
  });
}

/** The floors as a Markdown table (a floor whose peers did not both run says so). */
export function floorsTable(run: BenchRun): string {
  const x = (v: number | undefined): string => (v === undefined ? 'not measured' : `${v.toFixed(2)}x`);
  const rows = floorResults(run).map(
    (r) => `| ${r.what} | ${x(r.median)} | ${x(r.best)} | ${r.floor} | ${r.met === undefined ? '—' : r.met ? 'yes' : 'no'} |`,
  );
  return ['| floor (issue 18) | medians | best times | floor | met (medians) |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
