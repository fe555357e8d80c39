/**
 * Conv1d and Conv2d: y = conv(x, W) + b over NCL / NCHW inputs, PyTorch's layout and names (`weight`
 * [out, in / groups, ...kernel], `bias` [out]), so a state dict moves to and from `torch.nn.Conv2d` unchanged.
 * The default initialisation is PyTorch's: kaiming_uniform with a = sqrt(5), which is U(-1/sqrt(fanIn), 1/sqrt(fanIn))
 * with fanIn = in / groups * prod(kernel), and the bias from the same range.
 */
import { type ConvOptions, type DType, type Generator, type PerAxis, ShapeError, Tensor, conv1d, conv2d, zeros } from '@tapegrad/core';
import { Module } from '../module.js';
import { moduleError } from '../module-context.js';
import { uniform } from '../init.js';
import { checkSize } from './sizes.js';
import { brand } from '../brand.js';

/** Options of `new Conv2d(in, out, kernelSize, options)` and `new Conv1d(...)` (PyTorch's names and defaults). */
export interface ConvLayerOptions {
  /** The step between windows: one number or one per spatial axis (default 1). */
  readonly stride?: PerAxis;
  /** Zero padding: one number or one per axis, `'same'` or `'valid'` (default 0). */
  readonly padding?: PerAxis | 'same' | 'valid';
  /** The spacing between kernel taps (default 1). */
  readonly dilation?: PerAxis;
  /** Independent channel groups; `in` and `out` must both divide by it (default 1). */
  readonly groups?: number;
  /** Whether to add a learned bias per output channel (default true). */
  readonly bias?: boolean;
  /** Parameter dtype (default float64; use float32 for speed). */
  readonly dtype?: DType;
  /** The generator the initial weights are drawn from (default the global one). */
  readonly generator?: Generator;
}

type ConvFunction = (x: Tensor, w: Tensor, options: ConvOptions) => Tensor;

/** What Conv1d and Conv2d share: parameters, initialisation, the input check and PyTorch's printed form. */
abstract class ConvNd extends Module {
  /** The kernel, shape [out, in / groups, ...kernelSize]. */
  readonly weight: Tensor;
  /** One bias per output channel, or null when built with `bias: false`. */
  readonly bias: Tensor | null;
  /** The kernel size per spatial axis. */
  readonly kernelSize: readonly number[];
  /** The convolution's settings as the functional op takes them. */
  readonly options: Required<Pick<ConvOptions, 'stride' | 'padding' | 'dilation' | 'groups'>>;

  constructor(
    private readonly _axes: number,
    private readonly _run: ConvFunction,
    /** Input channels. */
    readonly inChannels: number,
    /** Output channels. */
    readonly outChannels: number,
    kernelSize: PerAxis,
    options: ConvLayerOptions,
  ) {
    super();
    const name = new.target.name;
    checkSize(name, 'inChannels', inChannels);
    checkSize(name, 'outChannels', outChannels);
    this.kernelSize = perAxis(name, 'kernelSize', kernelSize, _axes);
    const groups = options.groups ?? 1;
    checkSize(name, 'groups', groups);
    if (inChannels % groups !== 0 || outChannels % groups !== 0)
      throw new ShapeError(
        `${name}: inChannels (${inChannels}) and outChannels (${outChannels}) must both be divisible by groups (${groups})`,
      );
    this.options = {
      stride: perAxis(name, 'stride', options.stride ?? 1, _axes),
      padding: typeof options.padding === 'string' ? options.padding : perAxis(name, 'padding', options.padding ?? 0, _axes, 0),
      dilation: perAxis(name, 'dilation', options.dilation ?? 1, _axes),
      groups,
    };
    if (this.options.padding === 'same' && (this.options.stride as number[]).some((s) => s !== 1))
      throw new ShapeError(`${name}: padding 'same' needs stride 1 (as in PyTorch); got stride [${String(this.options.stride)}]`);
    const dtype = options.dtype ?? 'float64';
    this.weight = zeros([outChannels, inChannels / groups, ...this.kernelSize], { dtype, requiresGrad: true });
    this.bias = options.bias === false ? null : zeros([outChannels], { dtype, requiresGrad: true });
    const fanIn = (inChannels / groups) * this.kernelSize.reduce((a, b) => a * b, 1);
    const bound = 1 / Math.sqrt(fanIn);
    uniform(this.weight, bound, { generator: options.generator });
    if (this.bias) uniform(this.bias, bound, { generator: options.generator });
  }

  /** x [batch, in, ...spatial] (or unbatched [in, ...spatial]) -> [batch, out, ...outSpatial]. */
  forward(x: Tensor): Tensor {
    const rank = this._axes + 2;
    if (!(x instanceof Tensor)) throw moduleError(ShapeError, this, `expected a Tensor, got ${typeof x}`);
    if (x.rank === rank - 1) return this.forward(x.unsqueeze(0)).squeeze(0);
    const layout = this._axes === 1 ? `[batch, ${this.inChannels}, length]` : `[batch, ${this.inChannels}, height, width]`;
    if (x.rank !== rank || x.shape[1] !== this.inChannels)
      throw moduleError(ShapeError, this, `expected input ${layout}, got [${x.shape.join(', ')}]`);
    // The bias goes to the convolution (PyTorch's F.conv2d(x, w, b)), which adds it in the pass that writes y.
    return this._run(x, this.weight, this.bias ? { ...this.options, bias: this.bias } : this.options);
  }

  /** `1, 6, kernel_size=(5, 5), stride=(1, 1)`, as PyTorch prints a convolution (padding etc. when not the default). */
  override extraRepr(): string {
    const tuple = (v: PerAxis) => (typeof v === 'number' ? String(v) : `(${v.join(', ')}${v.length === 1 ? ',' : ''})`);
    const { stride, padding, dilation, groups } = this.options;
    const parts = [`${this.inChannels}, ${this.outChannels}, kernel_size=${tuple(this.kernelSize)}, stride=${tuple(stride)}`];
    if (typeof padding === 'string') parts.push(`padding=${padding}`);
    else if ((padding as number[]).some((p) => p !== 0)) parts.push(`padding=${tuple(padding)}`);
    if ((dilation as number[]).some((d) => d !== 1)) parts.push(`dilation=${tuple(dilation)}`);
    if (groups !== 1) parts.push(`groups=${groups}`);
    if (this.bias === null) parts.push('bias=false');
    return parts.join(', ');
  }
}

/** A number or a list of `axes` integers >= min, as the list; a ShapeError naming the layer otherwise. */
function perAxis(layer: string, name: string, value: PerAxis, axes: number, min = 1): number[] {
  const list = typeof value === 'number' ? new Array<number>(axes).fill(value) : Array.isArray(value) ? [...(value as number[])] : null;
  if (list === null || list.length !== axes || list.some((v) => !(Number.isInteger(v) && v >= min)))
    throw new ShapeError(
      `${layer}: ${name} must be an integer >= ${min} or a list of ${axes} of them, got ${Array.isArray(value) ? `[${value.join(', ')}]` : String(value)}`,
    );
  return list;
}

/**
 * 2-D convolution over [batch, in, height, width] (PyTorch's `nn.Conv2d`).
 * @example
 * const conv = new Conv2d(1, 6, 5, { padding: 2, dtype: 'float32' });
 * conv.forward(zeros([8, 1, 28, 28], { dtype: 'float32' })).shape;   // [8, 6, 28, 28]
 * Object.keys(conv.stateDict());                                     // ['weight', 'bias']
 */
export class Conv2d extends ConvNd {
  static {
    brand(this, 'Conv2d');
  }
  constructor(
    inChannels: number,
    outChannels: number,
    /** The kernel size: one number (square) or [kh, kw]. */
    kernelSize: PerAxis,
    options: ConvLayerOptions = {},
  ) {
    super(2, conv2d, inChannels, outChannels, kernelSize, options);
  }
}

/**
 * 1-D convolution over [batch, in, length] (PyTorch's `nn.Conv1d`).
 * @example
 * const conv = new Conv1d(2, 4, 3, { padding: 'same' });
 * conv.forward(zeros([5, 2, 50])).shape;   // [5, 4, 50]
 */
export class Conv1d extends ConvNd {
  static {
    brand(this, 'Conv1d');
  }
  constructor(
    inChannels: number,
    outChannels: number,
    /** The kernel length. */
    kernelSize: PerAxis,
    options: ConvLayerOptions = {},
  ) {
    super(1, conv1d, inChannels, outChannels, kernelSize, options);
  }
}
