/**
 * The device seam: arrays whose elements live outside JavaScript memory (a GPU buffer). A device backend such as
 * @tapegrad/webgpu implements `DeviceBackend` and registers it under its name; an NDArray on it carries the backend
 * as `device` and the backend's own handle, and the kernel entry points (unary, binary, matmul, reduce, softmax,
 * the layout kernels and the in-place updates) hand such arrays to the backend instead of looping over `data`.
 * Ops, rules, the tape and the sweep never look: a device tensor goes through the same code as a CPU one.
 * Core knows only this interface, so it stays free of any browser or Node API.
 */
import type { DType, TypedArray } from './dtype.js';
import type { NDArray } from './ndarray.js';
import type { Shape } from './shape.js';
import type { BinaryKernel } from './kernels/binary.js';
import type { UnaryKernel } from './kernels/unary.js';
import type { ReduceKind } from './kernels/reduce.js';
import type { MatmulFlags } from './kernels/matmul.js';
import type { ConvGeometry } from './kernels/conv.js';
import type { PoolGeometry } from './kernels/pool.js';
import type { AttentionPlan } from './kernels/attention.js';
import { DeviceError, formatShape } from '../errors.js';
import { shared } from '../shared.js';

/**
 * What a device backend supplies: moving arrays on and off the device, and one method per kernel entry point.
 * Every method takes and returns device arrays (a kernel given a CPU operand of one element, such as the `2` of
 * `x.mul(2)`, uploads it; any other CPU operand is the backend's error to raise). A method the backend does not
 * implement throws a DeviceError naming the op.
 * @example
 * // see @tapegrad/webgpu for a complete backend; core only dispatches to it:
 * const x = tensor([1, 2, 3], { dtype: 'float32', device: 'webgpu' });   // after `await initWebGPU()`
 */
export interface DeviceBackend {
  /** The name users pass as `device` ('webgpu'). */
  readonly name: string;
  /** A device copy of a CPU array (the upload is queued; the call returns at once). */
  upload(array: NDArray, op: string): NDArray;
  /** A CPU copy of a device array, once the queued work that writes it has run. */
  download(array: NDArray): Promise<TypedArray>;
  /** `kernel` (found by its name) on every element of x. */
  unary(kernel: UnaryKernel, x: NDArray): NDArray;
  /** `kernel` (found by its name) on a and b, broadcasting; `dtype` is the CPU kernel's result dtype, if forced. */
  binary(kernel: BinaryKernel, a: NDArray, b: NDArray, dtype?: DType): NDArray;
  /** op(a) . op(b) with the transpose flags, batch axes broadcast. */
  matmul(a: NDArray, b: NDArray, flags: MatmulFlags): NDArray;
  /** The sum, maximum or minimum over `axes` (normalised, ascending). */
  reduce(x: NDArray, axes: readonly number[], keepDims: boolean, kind: ReduceKind): NDArray;
  /** softmax (or log-softmax when `log`) along `axis`. */
  softmax(x: NDArray, axis: number, log: boolean): NDArray;
  /** The axes permuted by `perm`. */
  transpose(x: NDArray, perm: readonly number[]): NDArray;
  /** x repeated along size-1 and missing leading axes to `shape`. */
  broadcastTo(x: NDArray, shape: Shape): NDArray;
  /** A copy with another shape of the same size (reshape never aliases storage, on any device). */
  reshape(x: NDArray, shape: Shape): NDArray;
  /** The box of extent `size` starting at `begin`. */
  slice(x: NDArray, begin: readonly number[], size: readonly number[]): NDArray;
  /** x placed at `begin` in zeros of `shape` (slice's adjoint). */
  pad(x: NDArray, begin: readonly number[], shape: Shape): NDArray;
  /** x converted to `dtype`. */
  cast(x: NDArray, dtype: DType): NDArray;
  /** x += alpha * other (other broadcast to x's shape), in x's storage. */
  addInPlace(x: NDArray, other: NDArray, alpha: number): void;
  /** x *= factor, in x's storage. */
  mulInPlace(x: NDArray, factor: number): void;
  /** x = src (broadcast to x's shape), in x's storage. */
  assign(x: NDArray, src: NDArray): void;
  /**
   * One optimiser update of `param` from `grad`, fused and in place, with the rule's state arrays (see
   * {@link DeviceOptimizerUpdate} for their order): nn's optimisers call it through `deviceOptimizerStep`. Optional: a
   * backend without it makes those optimisers throw a DeviceError.
   */
  optimizerUpdate?(update: DeviceOptimizerUpdate, param: NDArray, grad: NDArray, state: readonly NDArray[]): void;
  // The kernels below are optional: an op whose kernel the backend lacks throws a DeviceError naming it (deviceKernel).
  /** conv2d's three kernels (kernels/conv.ts): `forward` (x, w), `inputGrad` (dy, w) and `weightGrad` (x, dy). */
  conv2d?(kind: 'forward' | 'inputGrad' | 'weightGrad', a: NDArray, b: NDArray, g: ConvGeometry): NDArray;
  /** Max pooling's values and the flat index into x (int32) of each window's maximum (kernels/pool.ts). */
  maxPool2d?(x: NDArray, g: PoolGeometry, shape: Shape): PooledMaxima;
  /** Average pooling, or its adjoint (kernels/pool.ts). */
  avgPool2d?(src: NDArray, g: PoolGeometry, countIncludePad: boolean, adjoint: boolean, shape: Shape): NDArray;
  /** take(x, int32 indices, axis) (kernels/layout.ts). */
  gather?(x: NDArray, indices: NDArray, axis: number): NDArray;
  /** gather's adjoint: slices of g summed into zeros whose `axis` has length `size` (kernels/layout.ts). */
  scatterAdd?(g: NDArray, indices: NDArray, axis: number, size: number): NDArray;
  /** cond ? a : b elementwise, broadcasting all three (kernels of ops/where.ts); a CPU cond (a mask) may be moved. */
  where?(cond: NDArray, a: NDArray, b: NDArray): NDArray;
  /** Layer norm's forward pass over the last `width` elements of each row (its backward runs on the other kernels). */
  layerNorm?(x: NDArray, width: number, eps: number, weight: NDArray | null, bias: NDArray | null): NDArray;
  /** The arrays joined along `axis` as `dtype` (kernels/layout.ts); an operand may be a CPU array to move. */
  concat?(xs: readonly NDArray[], axis: number, dtype: DType): NDArray;
  /** log sum exp over `axes` (normalised, ascending), shifted by the maximum (ops/log-sum-exp.ts). */
  logSumExp?(x: NDArray, axes: readonly number[], keepDims: boolean): NDArray;
  /** min(max(x, lo), hi) elementwise, NaN kept (ops/clamp.ts); an infinite bound is no bound. */
  clamp?(x: NDArray, lo: number, hi: number): NDArray;
  /** x > 0 ? x : slope x elementwise (ops/leaky-relu.ts). */
  leakyRelu?(x: NDArray, slope: number): NDArray;
  /** gelu(x) in `form`, or upstream * gelu'(x) when `upstream` is given (kernels/activation.ts). */
  gelu?(x: NDArray, form: 'none' | 'tanh', upstream: NDArray | null): NDArray;
  /** Scaled dot-product attention, fused (ops/attention.ts): the output and each query row's log-sum-exp [...batch, L]. */
  attention?(
    q: NDArray,
    k: NDArray,
    v: NDArray,
    plan: AttentionPlan,
  ): {
    /** The attention's output [...batch, L, Dv]. */
    out: NDArray;
    /** Each query row's log-sum-exp [...batch, L], for the backward. */
    lse: NDArray;
  };
  /** Its gradients from the output and the saved log-sum-exps, each in its operand's (possibly broadcast) shape. */
  attentionBackward?(
    dy: NDArray,
    q: NDArray,
    k: NDArray,
    v: NDArray,
    out: NDArray,
    lse: NDArray,
    plan: AttentionPlan,
  ): {
    /** The gradient of q, in q's shape. */
    dq: NDArray;
    /** The gradient of k, in k's shape. */
    dk: NDArray;
    /** The gradient of v, in v's shape. */
    dv: NDArray;
  };
}

/** What max pooling returns on a device. */
export interface PooledMaxima {
  /** The maximum of each window. */
  readonly values: NDArray;
  /** The flat index into the input (int32) of each window's maximum. */
  readonly argmax: NDArray;
}

/** The kernels a device backend may leave out. */
type OptionalKernel =
  | 'conv2d'
  | 'maxPool2d'
  | 'avgPool2d'
  | 'gather'
  | 'scatterAdd'
  | 'layerNorm'
  | 'where'
  | 'concat'
  | 'logSumExp'
  | 'clamp'
  | 'leakyRelu'
  | 'gelu'
  | 'attentionBackward';

/**
 * `backend` with its optional kernel `name`, or a DeviceError saying the op has no kernel on that device yet.
 * @internal
 */
export function deviceKernel<K extends OptionalKernel>(backend: DeviceBackend, name: K): DeviceBackend & Required<Pick<DeviceBackend, K>> {
  if (backend[name] === undefined) throw new DeviceError(`${name}: no ${backend.name} kernel yet (bring the tensors to the CPU first)`);
  return backend as DeviceBackend & Required<Pick<DeviceBackend, K>>;
}

/**
 * SGD's update with PyTorch's semantics: `g += weightDecay p`; with momentum, `buf = g` on the parameter's first step
 * (`firstStep`), else `buf = momentum buf + (1 - dampening) g`, and `g = g + momentum buf` (nesterov) or `buf`;
 * `p -= lr g`. State: `[momentum_buffer]` when momentum > 0, else none.
 */
export interface SGDDeviceUpdate {
  /** Which update. */
  readonly rule: 'sgd';
  /** The learning rate. */
  readonly lr: number;
  /** The momentum factor (0: plain SGD, no state). */
  readonly momentum: number;
  /** Dampening of the momentum. */
  readonly dampening: number;
  /** Nesterov momentum. */
  readonly nesterov: boolean;
  /** L2 penalty added to the gradient. */
  readonly weightDecay: number;
  /** Whether this is the parameter's first step with momentum (the buffer then starts as the gradient). */
  readonly firstStep: boolean;
}

/**
 * Adam's update with PyTorch's semantics at the parameter's 1-based `step`: `g += weightDecay p` (Adam) or
 * `p *= 1 - lr weightDecay` (AdamW, `decoupled`); `m = b1 m + (1 - b1) g`; `v = b2 v + (1 - b2) g^2`; with amsgrad
 * `vMax = max(vMax, v)` replaces v; `p -= lr / (1 - b1^step) m / (sqrt(v / (1 - b2^step)) + eps)`.
 * State: `[exp_avg, exp_avg_sq]`, then `max_exp_avg_sq` with amsgrad.
 */
export interface AdamDeviceUpdate {
  /** Which update. */
  readonly rule: 'adam';
  /** The learning rate. */
  readonly lr: number;
  /** Decay rates of the first and second moments. */
  readonly betas: readonly [number, number];
  /** Added to the root of the second moment. */
  readonly eps: number;
  /** L2 penalty (Adam) or decoupled decay (AdamW). */
  readonly weightDecay: number;
  /** Whether weight decay shrinks the weights (AdamW) instead of adding to the gradient. */
  readonly decoupled: boolean;
  /** Normalise by the largest second moment seen so far. */
  readonly amsgrad: boolean;
  /** The parameter's 1-based step count (for the bias corrections). */
  readonly step: number;
}

/**
 * RMSprop's update with PyTorch's semantics: `g += weightDecay p`; `v = alpha v + (1 - alpha) g^2`; centered:
 * `gAvg = alpha gAvg + (1 - alpha) g` and `denom = sqrt(v - gAvg^2) + eps`, else `denom = sqrt(v) + eps`; with
 * momentum `buf = momentum buf + g / denom` and `p -= lr buf`, else `p -= lr g / denom`.
 * State: `[square_avg]`, then `grad_avg` when centered, then `momentum_buffer` when momentum > 0.
 */
export interface RMSpropDeviceUpdate {
  /** Which update. */
  readonly rule: 'rmsprop';
  /** The learning rate. */
  readonly lr: number;
  /** Smoothing constant of the squared-gradient average. */
  readonly alpha: number;
  /** Added to the root of the average. */
  readonly eps: number;
  /** L2 penalty added to the gradient. */
  readonly weightDecay: number;
  /** The momentum factor (0: no momentum buffer). */
  readonly momentum: number;
  /** Normalise by the variance estimate instead of the raw second moment. */
  readonly centered: boolean;
}

/**
 * AdaGrad's update with PyTorch's semantics: `g += weightDecay p`; `sum += g^2`; `p -= lr g / (sqrt(sum) + eps)`,
 * `lr` already decayed for the parameter's step. State: `[sum]`.
 */
export interface AdaGradDeviceUpdate {
  /** Which update. */
  readonly rule: 'adagrad';
  /** This step's learning rate (lr / (1 + (step - 1) lrDecay)). */
  readonly lr: number;
  /** L2 penalty added to the gradient. */
  readonly weightDecay: number;
  /** Added to the root of the sum. */
  readonly eps: number;
}

/** The optimiser updates a device backend runs fused (DeviceBackend.optimizerUpdate). */
export type DeviceOptimizerUpdate = SGDDeviceUpdate | AdamDeviceUpdate | RMSpropDeviceUpdate | AdaGradDeviceUpdate;

// The registered backends, one table for every copy of core in the process (shared.ts).
const registry = shared('devices', (): Map<string, DeviceBackend> => new Map());

/**
 * Makes a device backend available under its name: `tensor(data, { device: name })` and `t.to(name)` then reach it.
 * Registering the same name again replaces the backend (a re-initialised device).
 * @example
 * registerDevice(myBackend);   // what @tapegrad/webgpu's initWebGPU() does
 */
export function registerDevice(backend: DeviceBackend): void {
  if (backend.name === 'cpu') throw new DeviceError("registerDevice: 'cpu' is the name of JavaScript memory and cannot be replaced");
  registry.set(backend.name, backend);
}

/**
 * Removes a device backend (its tensors keep working until dropped; new ones cannot be made on it).
 * @example
 * unregisterDevice('webgpu');
 */
export function unregisterDevice(name: string): void {
  registry.delete(name);
}

/**
 * The backend registered under `name`, or a DeviceError naming `op` and the devices there are.
 * @example
 * const webgpu = deviceBackend('webgpu', 'to');
 */
export function deviceBackend(name: string, op: string): DeviceBackend {
  const backend = registry.get(name);
  if (backend === undefined) {
    const known = ['cpu', ...registry.keys()].map((d) => `'${d}'`).join(', ');
    throw new DeviceError(
      `${op}: no device '${String(name)}' is registered (there are ${known}); ` +
        (name === 'webgpu' ? "call `await initWebGPU()` from '@tapegrad/webgpu' first" : 'register its backend first'),
    );
  }
  return backend;
}

/** @internal the error for reading a device array's elements synchronously. */
export function deviceDataError(array: NDArray): DeviceError {
  return new DeviceError(
    `a ${array.dtype} tensor of shape ${formatShape(array.shape)} on '${array.device!.name}' has no synchronous values: ` +
      'read them with `await t.dataAsync()` or `await t.to("cpu")` (or the op that read them has no kernel there yet)',
  );
}

/** @internal the device of two operands: the first one on a device, or undefined when both are on the CPU. */
export function deviceOf(a: NDArray, b?: NDArray): DeviceBackend | undefined {
  return a.device ?? b?.device;
}
