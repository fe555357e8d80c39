/**
 * Pooling modules over [batch, channels, height, width] (or unbatched [channels, height, width]): MaxPool2d and
 * AvgPool2d wrap the core ops; AdaptiveAvgPool2d picks PyTorch's windows for a requested output size, cell (i, j)
 * averaging rows floor(i H / oh) .. ceil((i + 1) H / oh) - 1 and the same for columns. A rectangle's mean is the
 * mean over its rows of the mean over its columns, so the general case is oh row-means then ow column-means; when
 * the sizes divide it is one avgPool2d.
 */
import {
  type AvgPool2dOptions,
  type MaxPool2dOptions,
  type PerAxis,
  ShapeError,
  Tensor,
  avgPool2d,
  concat,
  maxPool2d,
} from '@tapegrad/core';
import { Module } from '../module.js';
import { moduleError } from '../module-context.js';
import { brand } from '../brand.js';

function tuple(v: PerAxis): string {
  return typeof v === 'number' ? String(v) : `(${v.join(', ')})`;
}

function checkInput(module: Module, x: Tensor): void {
  if (!(x instanceof Tensor) || (x.rank !== 3 && x.rank !== 4))
    throw moduleError(
      ShapeError,
      module,
      `expected input [batch, channels, height, width] or [channels, height, width], got ${x instanceof Tensor ? `[${x.shape.join(', ')}]` : typeof x}`,
    );
}

/** What MaxPool2d and AvgPool2d share: the window and the op's options, the input check, PyTorch's printed form. */
abstract class Pool2d<O extends { readonly stride?: PerAxis; readonly padding?: PerAxis }> extends Module {
  constructor(
    /** The window: one number (square) or [kh, kw]. */
    readonly kernelSize: PerAxis,
    /**
     * stride (default kernelSize) and padding (counting as -Infinity for MaxPool2d, as zeros for AvgPool2d); dilation
     * for MaxPool2d, countIncludePad (default true) for AvgPool2d.
     */
    readonly options: O = {} as O,
  ) {
    super();
  }

  /** The core op on x, whose shape is checked. */
  protected abstract pool(x: Tensor): Tensor;

  forward(x: Tensor): Tensor {
    checkInput(this, x);
    return this.pool(x);
  }

  /** `kernel_size=2, stride=2, padding=0`, as PyTorch prints it. */
  override extraRepr(): string {
    const { stride = this.kernelSize, padding = 0 } = this.options;
    return `kernel_size=${tuple(this.kernelSize)}, stride=${tuple(stride)}, padding=${tuple(padding)}`;
  }
}

/**
 * 2-D max pooling (PyTorch's `nn.MaxPool2d`): the maximum of each window; stride defaults to the kernel size.
 * @example
 * new MaxPool2d(2).forward(zeros([8, 6, 28, 28])).shape;   // [8, 6, 14, 14]
 */
export class MaxPool2d extends Pool2d<MaxPool2dOptions> {
  static {
    brand(this, 'MaxPool2d');
  }
  protected pool(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.options);
  }

  /** `kernel_size=2, stride=2, padding=0, dilation=1`, as PyTorch prints it. */
  override extraRepr(): string {
    return `${super.extraRepr()}, dilation=${tuple(this.options.dilation ?? 1)}`;
  }
}

/**
 * 2-D average pooling (PyTorch's `nn.AvgPool2d`): the mean of each window; stride defaults to the kernel size.
 * @example
 * new AvgPool2d(2).forward(zeros([8, 6, 28, 28])).shape;   // [8, 6, 14, 14]
 */
export class AvgPool2d extends Pool2d<AvgPool2dOptions> {
  static {
    brand(this, 'AvgPool2d');
  }
  protected pool(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.options);
  }
}

/**
 * Average pooling to a fixed output size whatever the input's (PyTorch's `nn.AdaptiveAvgPool2d`), e.g. the global
 * average pool `new AdaptiveAvgPool2d(1)` before a classifier.
 * @example
 * new AdaptiveAvgPool2d(1).forward(zeros([8, 64, 7, 7])).shape;        // [8, 64, 1, 1]
 * new AdaptiveAvgPool2d([2, 3]).forward(zeros([8, 64, 7, 7])).shape;   // [8, 64, 2, 3]
 */
export class AdaptiveAvgPool2d extends Module {
  static {
    brand(this, 'AdaptiveAvgPool2d');
  }
  /** [oh, ow]. */
  readonly outputSize: readonly [number, number];

  constructor(
    /** The output's height and width: one number (square) or [oh, ow]. */
    outputSize: number | readonly [number, number],
  ) {
    super();
    const size = typeof outputSize === 'number' ? [outputSize, outputSize] : Array.isArray(outputSize) ? [...outputSize] : [];
    if (size.length !== 2 || size.some((n) => !(Number.isInteger(n) && n > 0)))
      throw new ShapeError(
        `AdaptiveAvgPool2d: outputSize must be a positive integer or [height, width] of them, got ${String(outputSize)}`,
      );
    this.outputSize = [size[0], size[1]];
  }

  forward(x: Tensor): Tensor {
    checkInput(this, x);
    const [oh, ow] = this.outputSize;
    const h = x.shape[x.rank - 2];
    const w = x.shape[x.rank - 1];
    if (h === 0 || w === 0) throw moduleError(ShapeError, this, `cannot pool an empty input [${x.shape.join(', ')}]`);
    if (h % oh === 0 && w % ow === 0) return avgPool2d(x, [h / oh, w / ow]);
    return meanWindows(meanWindows(x, x.rank - 2, oh), x.rank - 1, ow);
  }

  /** `output_size=(2, 3)`, as PyTorch prints it. */
  override extraRepr(): string {
    const [oh, ow] = this.outputSize;
    return `output_size=${oh === ow ? oh : `(${oh}, ${ow})`}`;
  }
}

/** Along `axis` of size n: the mean of PyTorch's adaptive windows [floor(i n / out), ceil((i + 1) n / out)). */
function meanWindows(x: Tensor, axis: number, out: number): Tensor {
  const n = x.shape[axis];
  if (n === out) return x;
  const parts: Tensor[] = [];
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * n) / out);
    const end = Math.ceil(((i + 1) * n) / out);
    const begin = x.shape.map((_, a) => (a === axis ? start : 0));
    const size = x.shape.map((d, a) => (a === axis ? end - start : d));
    parts.push(x.slice(begin, size).mean(axis, true));
  }
  return concat(parts, axis);
}
