/** conv1d and conv2d: PyTorch's functional convolutions (NCHW, weight [out, in / groups, ...kernel], optional bias). */
import { ShapeError, formatShape } from '../errors.js';
import type { ConvGeometry } from '../ndarray/kernels/conv.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { type PerAxis, checkFloatTensor, checkOptions, checkSameDType, perAxis } from './window.js';

/** Options of {@link conv1d} and {@link conv2d} (PyTorch's names and defaults). */
export interface ConvOptions {
  /** The step between windows: one number, or one per spatial axis (default 1). */
  readonly stride?: PerAxis;
  /**
   * Zeros added at both ends of each spatial axis: one number or one per axis; `'valid'` (the default) adds none;
   * `'same'` keeps the output the input's size (stride 1 only), adding the odd extra row or column at the end as
   * PyTorch does.
   */
  readonly padding?: PerAxis | 'same' | 'valid';
  /** The spacing between kernel taps (default 1: a dense kernel). */
  readonly dilation?: PerAxis;
  /** Split input and output channels into this many independent groups (default 1). */
  readonly groups?: number;
  /**
   * A bias added to each output channel, shape [out] (PyTorch's `bias` argument): added in the pass that writes the
   * output, as one op with its gradient, rather than by a separate broadcast add.
   */
  readonly bias?: Tensor;
}

/** One spatial axis of a convolution, resolved. */
interface AxisPlan {
  readonly size: number;
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
  readonly before: number;
  readonly out: number;
}

/** Checks a convolution's arguments and resolves each spatial axis (`axes` = 1 for conv1d, 2 for conv2d). */
function planConv(op: string, x: Tensor, w: Tensor, options: ConvOptions, axes: number): { plans: AxisPlan[]; groups: number } {
  const layout = axes === 1 ? '[batch, channels, length]' : '[batch, channels, height, width]';
  checkFloatTensor(x, axes + 2, 'input', op, layout);
  checkFloatTensor(w, axes + 2, 'weight', op, axes === 1 ? '[out, in / groups, kernel]' : '[out, in / groups, kh, kw]');
  checkSameDType(x, w, 'input and weight', op);
  checkOptions(options, op);
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new ShapeError(`${op}: groups must be a positive integer; got ${String(groups)}`);
  const [outChannels, perGroup] = w.shape;
  if (outChannels % groups !== 0)
    throw new ShapeError(`${op}: weight ${formatShape(w.shape)} has ${outChannels} output channels, not divisible by groups = ${groups}`);
  if (x.shape[1] !== perGroup * groups)
    throw new ShapeError(
      `${op}: input ${formatShape(x.shape)} has ${x.shape[1]} channels, but weight ${formatShape(w.shape)} with groups = ${groups} ` +
        `expects ${perGroup * groups} (weight.shape[1] * groups)`,
    );
  const kernel = w.shape.slice(2);
  if (kernel.some((k) => k === 0)) throw new ShapeError(`${op}: weight ${formatShape(w.shape)} has an empty kernel`);
  const stride = perAxis(options.stride ?? 1, axes, 'stride', op, 1);
  const dilation = perAxis(options.dilation ?? 1, axes, 'dilation', op, 1);
  const padding = options.padding ?? 'valid';
  let before: number[];
  let after: number[];
  if (padding === 'same') {
    if (stride.some((s) => s !== 1))
      throw new ShapeError(`${op}: padding 'same' needs stride 1 (as in PyTorch); got stride [${stride.join(', ')}]`);
    const total = kernel.map((k, i) => dilation[i] * (k - 1));
    before = total.map((t) => Math.floor(t / 2));
    after = total.map((t, i) => t - before[i]);
  } else if (padding === 'valid') {
    before = after = new Array<number>(axes).fill(0);
  } else {
    before = after = perAxis(padding, axes, "padding (a number, a list, 'same' or 'valid')", op, 0);
  }
  const plans = kernel.map((k, i) => {
    const size = x.shape[2 + i];
    const span = dilation[i] * (k - 1) + 1;
    const padded = size + before[i] + after[i];
    return {
      size,
      kernel: k,
      stride: stride[i],
      dilation: dilation[i],
      before: before[i],
      out: Math.floor((padded - span) / stride[i]) + 1,
      span,
      padded,
    };
  });
  const tooSmall = plans.filter((p) => p.padded < p.span);
  if (tooSmall.length > 0)
    throw new ShapeError(
      `${op}: the kernel (${plans.map((p) => p.span).join(' x ')} with dilation) is larger than the padded input ` +
        `(${plans.map((p) => p.padded).join(' x ')}): input ${formatShape(x.shape)}, weight ${formatShape(w.shape)}, ` +
        `padding [${before.map((b, i) => (b === after[i] ? b : `${b}, ${after[i]}`)).join('; ')}]`,
    );
  if (options.bias !== undefined) {
    checkFloatTensor(options.bias, 1, 'bias', op, '[out]');
    checkSameDType(x, options.bias, 'input and bias', op);
    if (options.bias.shape[0] !== outChannels)
      throw new ShapeError(`${op}: bias ${formatShape(options.bias.shape)} must have one entry per output channel (${outChannels})`);
  }
  return { plans, groups };
}

function geometry(x: Tensor, w: Tensor, groups: number, [h, v]: readonly [AxisPlan, AxisPlan]): ConvGeometry {
  return {
    batch: x.shape[0],
    inChannels: x.shape[1],
    height: h.size,
    width: v.size,
    outChannels: w.shape[0],
    groups,
    kernelH: h.kernel,
    kernelW: v.kernel,
    strideH: h.stride,
    strideW: v.stride,
    dilationH: h.dilation,
    dilationW: v.dilation,
    padTop: h.before,
    padLeft: v.before,
    outH: h.out,
    outW: v.out,
  };
}

/** A spatial axis of size 1 that a 1-D convolution is run along as a 2-D one. */
const FLAT: AxisPlan = { size: 1, kernel: 1, stride: 1, dilation: 1, before: 0, out: 1 };

/**
 * 2-D convolution (cross-correlation, as PyTorch's `conv2d`): `input` [batch, in, h, w], `weight` [out, in / groups,
 * kh, kw], `options.bias` [out] if any, result [batch, out, outH, outW] with outH = floor((h + padding - dilation * (kh - 1)
 * - 1) / stride) + 1. Computed as im2col and matrix products, with a bounded patch buffer; differentiable in both
 * arguments, to any order.
 * @example
 * const x = randn([8, 3, 32, 32]);
 * const w = randn([16, 3, 3, 3], { requiresGrad: true });
 * conv2d(x, w, { padding: 1 }).shape;             // [8, 16, 32, 32]
 * conv2d(x, w, { stride: 2, padding: 1 }).shape;  // [8, 16, 16, 16]
 * conv2d(x, w, { padding: 1, bias: zeros([16]) }).shape;   // with a bias per output channel
 */
export function conv2d(input: Tensor, weight: Tensor, options: ConvOptions = {}): Tensor {
  const { plans, groups } = planConv('conv2d', input, weight, options, 2);
  return convolve(input, weight, options.bias, geometry(input, weight, groups, [plans[0], plans[1]]));
}

/** The convolution op, with its bias when there is one. */
function convolve(x: Tensor, w: Tensor, bias: Tensor | undefined, g: ConvGeometry): Tensor {
  return bias === undefined ? ops.conv2d(x, w, g) : ops.conv2dBias(x, w, bias, g);
}

/**
 * 1-D convolution (PyTorch's `conv1d`): `input` [batch, in, length], `weight` [out, in / groups, k],
 * result [batch, out, outLength]. Runs as conv2d over a height of 1.
 * @example
 * const x = randn([4, 2, 50]);
 * const w = randn([6, 2, 5], { requiresGrad: true });
 * conv1d(x, w, { padding: 'same' }).shape;   // [4, 6, 50]
 */
export function conv1d(input: Tensor, weight: Tensor, options: ConvOptions = {}): Tensor {
  const { plans, groups } = planConv('conv1d', input, weight, options, 1);
  const x = input.unsqueeze(2);
  const w = weight.unsqueeze(2);
  return convolve(x, w, options.bias, geometry(x, w, groups, [FLAT, plans[0]])).squeeze(2);
}
