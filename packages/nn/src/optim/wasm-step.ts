/**
 * The optimisers' steps on WebAssembly SIMD (source: packages/nn/wasm/optim.ts, embedded by wasm/build.mjs): the
 * parameter, its gradient and the rule's state copied into the module's memory, one loop, the parameter and state
 * copied back, with the bits of the TypeScript loops in sgd.ts, adam.ts, rmsprop.ts and adagrad.ts. Copies
 * included, 2.3x faster than the loop for SGD and 1.7x for Adam on a 784 x 256 float32 parameter (docs/decisions.md,
 * "Session 6"). It runs where core's kernel backend runs WebAssembly: under 'wasm' and 'wasm-relaxed', and under
 * 'auto' from 4,096 elements (below that the copies cost more than the loop saves); never under 'js'.
 */
import { type DeviceOptimizerUpdate, type TypedArray, kernelModuleSupport } from '@tapegrad/core';
import { WASM_OPTIM_HEX } from './wasm-kernels.generated.js';

type Sgd = (
  p: number,
  g: number,
  buf: number,
  n: number,
  lr: number,
  wd: number,
  mu: number,
  damp1: number,
  first: boolean,
  nesterov: boolean,
) => void;
// prettier-ignore
type Adam = (p: number, g: number, m: number, v: number, vMax: number, n: number, b1: number, b2: number, stepSize: number, rootC2: number, eps: number, coupled: number, shrink: number, amsgrad: boolean) => void;
// prettier-ignore
type RMSprop = (p: number, g: number, v: number, gAvg: number, buf: number, n: number, lr: number, alpha: number, eps: number, wd: number, mu: number, centered: boolean) => void;
type AdaGrad = (p: number, g: number, sum: number, n: number, lr: number, wd: number, eps: number) => void;

/** A WebAssembly module's memory and where its static data ends, as core's kernel modules have them. */
type WasmHeap = Parameters<typeof kernelModuleSupport.wasmMemory>[0];

/** The module's exports: each array a byte address into its memory, `n` even. */
interface OptimKernels extends WasmHeap {
  readonly sgdF32: Sgd;
  readonly sgdF64: Sgd;
  readonly adamF32: Adam;
  readonly adamF64: Adam;
  readonly rmspropF32: RMSprop;
  readonly rmspropF64: RMSprop;
  readonly adagradF32: AdaGrad;
  readonly adagradF64: AdaGrad;
}

/** Below this many elements ('auto'), copying into WebAssembly memory costs more than the SIMD loop saves. */
const AUTO_MIN = 4096;

/**
 * Runs `u` (core's description of the step, as kernelStep builds it) on `p` in place with gradient `g` and the rule's
 * `state`, when core's kernel backend runs WebAssembly for this size and the arrays are all float32 or all float64 of
 * one length; false, with nothing changed, otherwise.
 */
export function wasmOptimizerStep(u: DeviceOptimizerUpdate, p: TypedArray, g: TypedArray, state: readonly TypedArray[]): boolean {
  // Core's own WebAssembly kernels choose, load and lay out their modules the same way.
  const { wasmChosen, loadedOnce, floatArrayKind, align16, wasmMemory } = kernelModuleSupport;
  if (!wasmChosen(p.length, AUTO_MIN)) return false;
  // Synchronous: the module is under the 4 KB browsers compile on the main thread; null without WebAssembly SIMD.
  const k = loadedOnce<OptimKernels>(WASM_OPTIM_HEX);
  const Kind = floatArrayKind(p, g, ...state);
  const arrays = [p, g, ...state];
  if (k === null || Kind === null || !arrays.every((a) => a.length === p.length)) return false;
  // Each array padded to an even length (the kernels work in pairs), at a 16-byte boundary.
  const n = (p.length + 1) & ~1;
  const bytes = align16(n * Kind.BYTES_PER_ELEMENT);
  const base = align16(k.heapBase());
  const buffer = wasmMemory(k, base + arrays.length * bytes);
  const at = arrays.map((_, i) => base + i * bytes);
  const views = arrays.map((a, i) => {
    const view = new Kind(buffer, at[i], a.length);
    view.set(a);
    return view;
  });
  const f32 = Kind === Float32Array;
  const s = (i: number) => at[2 + i] ?? 0;
  if (u.rule === 'sgd') {
    const { lr, weightDecay, momentum, dampening, firstStep, nesterov } = u;
    (f32 ? k.sgdF32 : k.sgdF64)(at[0], at[1], s(0), n, lr, weightDecay, momentum, 1 - dampening, firstStep, nesterov);
  } else if (u.rule === 'adam') {
    // The constants as Adam.update computes them.
    const { lr, betas, eps, weightDecay, decoupled, amsgrad, step } = u;
    const stepSize = lr / (1 - betas[0] ** step);
    const rootC2 = Math.sqrt(1 - betas[1] ** step);
    const [coupled, shrink] = decoupled ? [0, 1 - lr * weightDecay] : [weightDecay, 1];
    (f32 ? k.adamF32 : k.adamF64)(at[0], at[1], s(0), s(1), s(2), n, betas[0], betas[1], stepSize, rootC2, eps, coupled, shrink, amsgrad);
  } else if (u.rule === 'rmsprop') {
    const { lr, alpha, eps, weightDecay, momentum, centered } = u;
    const [gAvg, buf] = centered ? [s(1), s(2)] : [0, s(1)];
    (f32 ? k.rmspropF32 : k.rmspropF64)(at[0], at[1], s(0), gAvg, buf, n, lr, alpha, eps, weightDecay, momentum, centered);
  } else (f32 ? k.adagradF32 : k.adagradF64)(at[0], at[1], s(0), n, u.lr, u.weightDecay, u.eps);
  // The parameter and the state back (not the gradient, which the kernels only read).
  p.set(views[0]);
  state.forEach((a, i) => a.set(views[2 + i]));
  return true;
}
