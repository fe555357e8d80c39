/** maxPool2d and avgPool2d: PyTorch's functional 2-D pools over [batch, channels, h, w] (or unbatched [channels, h, w]). */
import { DTypeError, ShapeError, formatShape } from '../errors.js';
import type { PoolGeometry } from '../ndarray/kernels/pool.js';
import * as ops from '../ops/index.js';
import { Tensor } from '../tensor.js';
import { type PerAxis, checkFloatTensor, checkOptions, perAxis } from './window.js';
import { describeValue } from '../ndarray/shape.js';

/** Options of {@link maxPool2d}. */
export interface MaxPool2dOptions {
  /** The step between windows (default: the kernel size, so windows tile the input). */
  readonly stride?: PerAxis;
  /** -Infinity rows and columns added at both ends of each axis; at most half the kernel size (PyTorch's limit). */
  readonly padding?: PerAxis;
  /** The spacing between the taps of a window (default 1). */
  readonly dilation?: PerAxis;
}

/** Options of {@link avgPool2d}. */
export interface AvgPool2dOptions {
  /** The step between windows (default: the kernel size). */
  readonly stride?: PerAxis;
  /** Zero rows and columns added at both ends of each axis; at most half the kernel size. */
  readonly padding?: PerAxis;
  /** Whether the padding counts in each window's divisor (default true, as in PyTorch): kh * kw, else the elements inside the input. */
  readonly countIncludePad?: boolean;
}

function planPool(op: string, x: Tensor, kernelSize: PerAxis, options: MaxPool2dOptions, dilated: boolean): PoolGeometry {
  if (x instanceof Tensor && x.rank === 3) x = x.unsqueeze(0);
  checkFloatTensor(x, 4, 'input', op, '[batch, channels, height, width], or [channels, height, width]');
  checkOptions(options, op);
  const kernel = perAxis(kernelSize, 2, 'kernelSize', op, 1);
  const stride = perAxis(options.stride ?? kernel, 2, 'stride', op, 1);
  const padding = perAxis(options.padding ?? 0, 2, 'padding', op, 0);
  const dilation = dilated ? perAxis(options.dilation ?? 1, 2, 'dilation', op, 1) : [1, 1];
  if (padding.some((p, i) => p > Math.floor(kernel[i] / 2)))
    throw new ShapeError(
      `${op}: padding [${padding.join(', ')}] must be at most half the kernel size [${kernel.join(', ')}] (as in PyTorch)`,
    );
  const [, , h, w] = x.shape;
  const out = [h, w].map((size, i) => Math.floor((size + 2 * padding[i] - dilation[i] * (kernel[i] - 1) - 1) / stride[i]) + 1);
  if (out.some((n) => n < 1))
    throw new ShapeError(
      `${op}: the window [${kernel.join(', ')}]${dilated ? ` (dilation [${dilation.join(', ')}])` : ''} does not fit the input ${formatShape(x.shape)} ` +
        `with padding [${padding.join(', ')}]: the output would be ${out[0]} x ${out[1]}`,
    );
  return {
    planes: x.shape[0] * x.shape[1],
    height: h,
    width: w,
    kernelH: kernel[0],
    kernelW: kernel[1],
    strideH: stride[0],
    strideW: stride[1],
    dilationH: dilation[0],
    dilationW: dilation[1],
    padTop: padding[0],
    padLeft: padding[1],
    outH: out[0],
    outW: out[1],
  };
}

/**
 * 2-D max pooling (PyTorch's `max_pool2d`): the maximum of each `kernelSize` window, windows `stride` apart (default
 * `kernelSize`). Padding counts as -Infinity. The gradient goes to each window's maximum; of tied elements, the first
 * in row-major window order gets it (PyTorch's rule), and a NaN in a window is its maximum.
 * @example
 * const x = randn([8, 6, 28, 28], { requiresGrad: true });
 * maxPool2d(x, 2).shape;                          // [8, 6, 14, 14]
 * maxPool2d(x, 3, { stride: 2, padding: 1 }).shape;   // [8, 6, 14, 14]
 */
export function maxPool2d(input: Tensor, kernelSize: PerAxis, options: MaxPool2dOptions = {}): Tensor {
  const g = planPool('maxPool2d', input, kernelSize, options, true);
  return ops.maxPool2d(input, g);
}

/**
 * 2-D average pooling (PyTorch's `avg_pool2d`): the mean of each `kernelSize` window, windows `stride` apart (default
 * `kernelSize`), padding counted as zeros in the divisor unless `countIncludePad` is false.
 * @example
 * const x = randn([8, 6, 28, 28], { requiresGrad: true });
 * avgPool2d(x, 2).shape;                                             // [8, 6, 14, 14]
 * avgPool2d(x, 3, { stride: 1, padding: 1, countIncludePad: false }).shape;  // [8, 6, 28, 28]
 */
export function avgPool2d(input: Tensor, kernelSize: PerAxis, options: AvgPool2dOptions = {}): Tensor {
  const g = planPool('avgPool2d', input, kernelSize, options, false);
  const countIncludePad = options.countIncludePad ?? true;
  if (typeof countIncludePad !== 'boolean')
    throw new DTypeError(`avgPool2d: countIncludePad must be true or false; got ${describeValue(countIncludePad)}`);
  return ops.avgPool2d(input, { ...g, countIncludePad, inputShape: input.shape });
}
