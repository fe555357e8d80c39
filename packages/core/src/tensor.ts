/**
 * Tensor: an n-dimensional typed-array value on the tape. Methods are one-liners over the ops in ops/;
 * argument checks live here so that every error names the op and the shapes at fault.
 */
import { sweep, type BackwardOptions } from './autodiff/backward.js';
import { isBatched } from './autodiff/batching.js';
import { mode } from './autodiff/mode.js';
import { Node, type Operand, type RawValue, type TensorNode } from './autodiff/node.js';
import { DTypeError, DeviceError, GradError, ShapeError, formatShape } from './errors.js';
import { type DType, type TypedArray, checkInt32Values, handOut, hasInt32Value, isDType, isFloat, pool } from './ndarray/dtype.js';
import { disposeArray, keepAsGrad, scope } from './tidy.js';
import { deviceBackend } from './ndarray/device.js';
import { argReduce } from './ndarray/kernels/reduce.js';
import { offsetsBesideAxis } from './ndarray/kernels/layout.js';
import { NDArray } from './ndarray/ndarray.js';
import { type NestedArray, flatten, inferShape, toNested } from './ndarray/nested.js';
import { formatWithValues } from './ndarray/format.js';
import { gradFnName } from './graph.js';
import { brand } from './shared.js';
import { broadcastShapes, broadcastsTo, describeValue, normalizeAxes, normalizeAxis, sameShape, sizeOf } from './ndarray/shape.js';
import * as ops from './ops/index.js';
import {
  ELEMENTWISE_TABLES,
  type ElementwiseMethods,
  MASK_TABLES,
  type MaskMethods,
  type MethodMakers,
  installOpMethods,
} from './elementwise-methods.js';
import type { BinaryOp, UnaryOp } from './ops/elementwise.js';
import type { BinaryPredicate, UnaryPredicate } from './ops/predicate.js';
import type { MatmulFlags } from './ndarray/kernels/matmul.js';
import { type GeluOptions, geluAttrs } from './functions/activation.js';
import { type SortOptions, type TopkOptions, sort, topk } from './functions/sort.js';
import { type NormOrder, type VarianceOptions, norm, std, variance } from './functions/statistics.js';
import { chunk, repeat, split, tile } from './functions/shape.js';

type TensorOperand = Operand<Tensor>;

/**
 * An n-dimensional typed-array value on the tape; make one with `tensor(...)`, `zeros(...)`, `randn(...)`...
 * @example
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * x.matmul(x).sum().backward(); x.grad!.toArray();
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface below the class
export class Tensor extends Node implements TensorNode {
  static {
    brand(this, 'Tensor');
    const methods: MethodMakers<Tensor, UnaryOp | UnaryPredicate, BinaryOp | BinaryPredicate> = {
      unary: (op) =>
        function (this: Tensor) {
          return op(this);
        },
      binary: (op) =>
        function (this: Tensor, other: TensorOperand) {
          return op(this, other);
        },
    };
    installOpMethods(this.prototype, ELEMENTWISE_TABLES, methods);
    installOpMethods(this.prototype, MASK_TABLES, methods);
  }
  private _array: NDArray;
  /** @internal see Node._born. */
  override readonly _born: number;
  /** @internal the tidy this tensor was made in (tidy.ts), or null. */
  _scope: Tensor[] | null;

  /** @internal use `tensor(...)`, `zeros(...)` and friends. */
  constructor(array: NDArray, requiresGrad = false, name?: string) {
    super(false, name);
    this._born = mode.tensorsMade++;
    this._array = array;
    array._holders++;
    this._scope = scope.tensors;
    if (this._scope !== null) this._scope.push(this);
    if (requiresGrad) this.setRequiresGrad(true);
  }

  /**
   * Lets go of this tensor's memory now, for later ops to reuse (TensorFlow.js's `dispose`); reading it afterwards
   * throws a DisposedError. Disposing twice does nothing. See also `tidy`.
   * @example
   * const y = x.matmul(w);
   * console.log(y.sum().item());
   * y.dispose();
   */
  dispose(): void {
    if (!this.isDisposed) this._array = disposeArray(this._array, this);
  }
  /** Whether `dispose()` (or the end of the tidy it was made in) has let go of this tensor. */
  get isDisposed(): boolean {
    return (this._array as { _disposed?: boolean })._disposed === true;
  }

  /** @internal */ get raw(): NDArray {
    return this._array;
  }
  /** @internal the version counter of the storage, shared by every tensor on it (detach, stateDict entries). */
  get _version(): number {
    return this._array._version;
  }
  set _version(v: number) {
    this._array._version = v;
  }
  /**
   * @internal nn's Module.to: the storage becomes `array`, a copy of the same shape and dtype on another device (PyTorch's
   * `param.data = ...`). The tensor keeps its identity, so an optimiser or a user holding it follows; the version moves
   * on past the old one, so a graph that saved the tensor sees the change.
   */
  _replaceStorage(array: NDArray): void {
    if (!sameShape(array.shape, this.shape) || array.dtype !== this.dtype)
      throw new ShapeError(`to: ${this.label} cannot take storage of shape ${formatShape(array.shape)}, ${array.dtype}`);
    array._version = this._array._version + 1;
    this._array = array;
  }
  /** The row-major element storage. Writing through it bypasses the in-place checks: call `markMutated()` after. */
  get data(): NDArray['data'] {
    return handOut(this._array.data);
  }
  /** The size of each axis; `[]` for a 0-d tensor. */
  get shape(): readonly number[] {
    return this._array.shape;
  }
  /** The element type: 'float64' (default), 'float32' or 'int32'. */
  get dtype(): DType {
    return this._array.dtype;
  }
  /** The number of elements. */
  get size(): number {
    return this._array.size;
  }
  /** The number of axes. */
  get rank(): number {
    return this._array.shape.length;
  }
  /** Where the elements live: 'cpu', or the name of a device backend such as 'webgpu'. */
  get device(): string {
    return this._array.device?.name ?? 'cpu';
  }

  /**
   * This tensor on `device`, as a new leaf that shares nothing with this one (the graph is cut, as `detach`), or this
   * tensor itself when it is there already. Moving onto a device queues the upload and returns at once; moving back
   * to 'cpu' waits for the device, so it returns a Promise (await it).
   * @example
   * const x = tensor([[1, 2], [3, 4]], { dtype: 'float32' }).to('webgpu');   // after `await initWebGPU()`
   * const back = await x.to('cpu');   // a CPU tensor again
   */
  to(device: 'cpu'): Promise<Tensor>;
  /** (A device name; pass 'cpu' as the literal so that the Promise it returns is typed.) */
  to(device: string): Tensor;
  to(device: string): Tensor | Promise<Tensor> {
    if (device === this.device) return device === 'cpu' ? Promise.resolve(this) : this;
    if (device === 'cpu') return this.dataAsync().then((data) => new Tensor(new NDArray(data, this.shape.slice()), false, this.name));
    if (this.device !== 'cpu')
      throw new DeviceError(`to: ${this.label} is on '${this.device}'; bring it to the CPU first (await t.to('cpu')), then to '${device}'`);
    return new Tensor(deviceBackend(device, 'to').upload(this._array, 'to'), false, this.name);
  }
  /**
   * The elements as a typed array, once every queued op that writes them has run: a copy for a device tensor, the
   * storage itself (as `data`) on the CPU. Code that runs on either device reads values this way.
   * @example
   * const values = await y.dataAsync();
   */
  dataAsync(): Promise<TypedArray> {
    const a = this._array;
    return a.device === undefined ? Promise.resolve(handOut(a.data)) : a.device.download(a);
  }
  /**
   * The values as nested JS arrays (as `toArray`), read from the device when the tensor is on one.
   * @example
   * console.log(await loss.toArrayAsync());
   */
  async toArrayAsync(): Promise<NestedArray> {
    return toNested(await this.dataAsync(), this.shape);
  }

  /** @internal */ make(raw: RawValue): Tensor {
    return new Tensor(typeof raw === 'number' ? NDArray.scalar(raw, 'float64') : raw);
  }
  /** @internal a plain number adopts this tensor's float dtype (an int32 tensor keeps int32 for integers). */
  constant(value: number): Tensor {
    const dtype: DType = isFloat(this.dtype) ? this.dtype : Number.isInteger(value) ? 'int32' : 'float64';
    return new Tensor(NDArray.scalar(value, dtype));
  }
  zerosLike(): Tensor {
    return new Tensor(this.onMyDevice(NDArray.zeros(this.shape, this.dtype), 'zerosLike'));
  }
  /** A CPU array moved to this tensor's device (unchanged for a CPU tensor). */
  private onMyDevice(array: NDArray, op: string): NDArray {
    const device = this._array.device;
    return device === undefined ? array : device.upload(array, op);
  }
  /**
   * @internal as Node's, but when nothing is recorded a leaf's own copy of its first gradient is a copy of the memory
   * (`slice`, a memcpy) rather than `g.mul(1)`: the same bits at a tenth of the cost (issue 18; docs/decisions.md).
   * No copy at all when the sweep made `g` for this leaf alone (`sole`, see NodeSums) and nothing else can reach its
   * memory: no other tensor holds the array and no user code was handed it (the pool owns it). The leaf's .grad then
   * takes the array, as PyTorch's AccumulateGrad steals an incoming gradient nothing else holds, and `g` is disposed,
   * so that a reference kept to it (a user-written rule's) reads a DisposedError, never the leaf's .grad changing.
   * Recorded sweeps (createGraph), batched gradients and device arrays keep the op, which is what they need.
   */
  override _accumulateGrad(g: Node, sole = false): void {
    const raw = g.raw;
    if (this._grad === null && this.isLeaf && !mode.grad && typeof raw !== 'number' && raw.device === undefined && !isBatched(g)) {
      const take = sole && raw._holders === 1 && pool.owned.has(raw.data);
      this._grad = g.make(take ? raw : new NDArray(raw.data.slice(), raw.shape));
      if (take) (g as Tensor).dispose();
    } else super._accumulateGrad(g);
    // A leaf's gradient outlives the tidy its backward ran in while it is the leaf's .grad (PyTorch's .grad belongs to the leaf).
    if (scope.tensors !== null && this.isLeaf) keepAsGrad(this._grad as Tensor, this);
  }

  /** @internal the sweep's un-broadcast: sums the broadcast axes back to the shape of `like`, then casts to its dtype. */
  _conformTo(like: Node): Tensor {
    const t = sameShape(this.shape, like.shape) ? this : this.sum(broadcastAxes(like.shape, this.shape), true).reshape(like.shape);
    return t.dtype === like.dtype ? t : t.cast(like.dtype);
  }

  /** @internal forward mode's broadcast: a tangent of an input's shape spread to the shape of `like`, cast to its dtype. */
  _expandTo(like: Node): Tensor {
    const t = sameShape(this.shape, like.shape) ? this : this.broadcastTo(like.shape);
    return t.dtype === like.dtype ? t : t.cast(like.dtype);
  }

  /** Marks this tensor as a leaf that gets gradients (floating dtypes only). Returns this. */
  setRequiresGrad(flag = true): this {
    if (flag && !isFloat(this.dtype))
      throw new DTypeError(
        `requiresGrad: only float32/float64 tensors can require grad; got ${this.dtype} of shape ${formatShape(this.shape)}`,
      );
    if (!flag && this.creator !== null)
      throw new GradError(`requiresGrad: ${this.label} was produced by ${this.creator.op.name}; use detach() instead`);
    this.requiresGrad = flag;
    return this;
  }

  /** The gradient gathered by backward calls (accumulated until `zeroGrad()`), or null. */
  get grad(): Tensor | null {
    return this._grad as Tensor | null;
  }
  /** Overwrites the accumulated gradient (null clears it); it must be a Tensor of this tensor's shape and dtype. */
  set grad(g: Tensor | null) {
    if (g !== null) {
      if (!(g instanceof Tensor))
        throw new DTypeError(`grad: the gradient of ${this.label} must be a Tensor or null; got ${describeValue(g)}`);
      if (!sameShape(g.shape, this.shape) || g.dtype !== this.dtype)
        throw new ShapeError(
          `grad: the gradient of ${this.label} (${formatShape(this.shape)}, ${this.dtype}) cannot be a tensor of shape ` +
            `${formatShape(g.shape)}, ${g.dtype}; it must match in shape and dtype`,
        );
    }
    this._grad = g;
  }
  /** Clears the accumulated gradient (`grad` becomes null). */
  zeroGrad(): void {
    this._grad = null;
  }

  /**
   * Runs the reverse sweep from this tensor. Without `gradient` the tensor must hold one element (dL/dL = 1).
   * Options come second, or first when there is no gradient (`loss.backward({ createGraph: true })`).
   * @example
   * const loss = x.mul(x).sum(); loss.backward(); x.grad!.toArray();
   */
  backward(options?: BackwardOptions): void;
  backward(gradient: Tensor | NestedArray | undefined, options?: BackwardOptions): void;
  backward(first?: Tensor | NestedArray | BackwardOptions, second: BackwardOptions = {}): void {
    const optionsFirst = isOptionsObject(first);
    if (optionsFirst && arguments.length > 1)
      throw new GradError('backward: takes (gradient, options) or (options); got options followed by another argument');
    const gradient = optionsFirst ? undefined : (first as Tensor | NestedArray | undefined);
    const options = optionsFirst ? (first as BackwardOptions) : second;
    if (!this.requiresGrad)
      throw new GradError(
        `backward: ${this.label} does not require grad (no input of the ops that made it requires grad, or it was computed under noGrad)`,
      );
    let seed: Tensor;
    if (gradient === undefined) {
      if (this.size !== 1)
        throw new GradError(
          `backward: output ${this.label} has shape ${formatShape(this.shape)}; a non-scalar output needs a seed gradient of the same shape`,
        );
      seed = new Tensor(this.onMyDevice(NDArray.scalar(1, this.dtype), 'backward')).reshape(this.shape);
    } else {
      seed = gradient instanceof Tensor ? gradient : new Tensor(this.onMyDevice(fromNested(gradient, this.dtype, 'backward'), 'backward'));
      if (!sameShape(seed.shape, this.shape))
        throw new ShapeError(
          `backward: seed gradient has shape ${formatShape(seed.shape)} but the output has shape ${formatShape(this.shape)}`,
        );
    }
    sweep({ roots: [this], seeds: [seed], ...options });
  }

  /** A leaf with the same value that does not require grad (the graph is cut here). */
  detach(): Tensor {
    return new Tensor(this._array, false, this.name);
  }
  /** A differentiable copy with its own storage. */
  clone(): Tensor {
    return ops.reshape(this, { shape: this.shape });
  }

  /** The value as a JS number (a Tensor must hold exactly one element). */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item: tensor of shape ${formatShape(this.shape)} has ${this.size} elements, not 1`);
    return this._array.data[0];
  }
  /** The values as nested JS arrays (a number for a 0-d tensor). */
  toArray(): NestedArray {
    return toNested(this._array.data, this.shape);
  }
  formatValue(): string {
    if (this._array.device !== undefined) return `${this.dtype}${formatShape(this.shape)} on ${this.device}`;
    if (this.size === 1) return String(this._array.data[0]);
    return this.size <= 8 ? JSON.stringify(this.toArray()) : `${this.dtype}${formatShape(this.shape)}`;
  }
  /**
   * The values as PyTorch prints a tensor (common number format, rows aligned, large tensors shortened with `...`),
   * then the shape, the dtype, the function that computes its gradient or `requiresGrad=true`, and its name.
   * @example
   * console.log(String(tensor([[1, 2], [3, 4]], { requiresGrad: true })));
   * // tensor([[1., 2.],
   * //         [3., 4.]], shape=[2, 2], dtype=float64, requiresGrad=true)
   */
  override toString(): string {
    const suffixes = [`shape=${formatShape(this.shape)}`, `dtype=${this.dtype}`];
    const c = this._creator;
    if (c !== null) suffixes.push(`gradFn=<${gradFnName(c.op.name)}>`);
    else if (this.requiresGrad) suffixes.push('requiresGrad=true');
    if (this.name !== undefined) suffixes.push(`name='${this.name}'`);
    if (this._array.device !== undefined) return `tensor(<on ${this.device}>, ${suffixes.join(', ')})`;
    return formatWithValues('tensor', this._array.data, this.shape, this.dtype, suffixes);
  }
  /** What `console.log` and `util.inspect` show in Node: `toString()`, not the internal fields. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // In-place updates, PyTorch's way (autodiff/in-place.ts): each bumps the version shared by every tensor on this
  // storage, so a backward that saved the old value refuses it; on a node that takes part in a recorded graph the
  // change is recorded; on a leaf that requires grad it is refused while grad mode is on (use noGrad).
  /** Records that `.data` was written directly (bumps the version; never recorded, as PyTorch's `.data`). */
  markMutated(): this {
    this._bumpVersion();
    return this;
  }
  /**
   * Overwrites the values in place with `src` (a tensor that broadcasts to this shape, or one number). On a node of
   * a recorded graph the change is recorded: gradients then flow to `src`, and none to the old value.
   * @example
   * noGrad(() => w.assign(tensor([0, 0])));   // a leaf that requires grad changes under noGrad
   */
  assign(src: Tensor | number): this {
    ops.assign(this, [this.inPlaceOperand(src, 'assign')], undefined);
    return this;
  }
  /**
   * this += alpha * other (other broadcast to this shape), in place; recorded on a node of a recorded graph.
   * @example
   * noGrad(() => w.addInPlace(w.grad!, -0.1));   // an SGD step
   */
  addInPlace(other: Tensor | number, alpha = 1): this {
    if (typeof alpha !== 'number') throw new DTypeError(`addInPlace: alpha must be a number; got ${describeValue(alpha)}`);
    if (this.dtype === 'int32') this.int32Factor(alpha, 'addInPlace', 'alpha');
    ops.addInPlace(this, [this.inPlaceOperand(other, 'addInPlace')], { alpha });
    return this;
  }
  /**
   * this *= factor, in place; recorded on a node of a recorded graph.
   * @example
   * noGrad(() => runningMean.mulInPlace(0.9));
   */
  mulInPlace(factor: number): this {
    if (typeof factor !== 'number') throw new DTypeError(`mulInPlace: factor must be a number; got ${describeValue(factor)}`);
    if (this.dtype === 'int32') this.int32Factor(factor, 'mulInPlace', 'factor');
    ops.mulInPlace(this, [], { factor });
    return this;
  }

  private inPlaceOperand(other: Tensor | number, op: string): Tensor {
    if (typeof other === 'number') {
      // An int32 target takes an integer, as PyTorch's in-place ops refuse a float result for an integer tensor;
      // assign truncates toward zero, as copy_ does (docs/decisions.md, "int32 conversion").
      if (this.dtype === 'int32') this.int32Factor(op === 'assign' ? Math.trunc(other) : other, op, 'the operand');
      return this.constant(other);
    }
    if (!(other instanceof Tensor)) throw new DTypeError(`${op}: the operand must be a Tensor or a number; got ${describeValue(other)}`);
    if (!broadcastsTo(other.shape, this.shape))
      throw new ShapeError(
        `${op}: an operand of shape ${formatShape(other.shape)} cannot be ${op === 'assign' ? 'assigned to' : 'added into'} shape ${formatShape(this.shape)}`,
      );
    if (this.dtype === 'int32' && other.dtype !== 'int32') {
      if (op !== 'assign')
        throw new DTypeError(
          `${op}: a ${other.dtype} operand would make a float result, which int32 ${this.label} cannot hold; cast one of them`,
        );
      checkInt32Values(other.data, other.shape, op, ` of ${other.label}`);
    }
    return other;
  }

  /** Refuses a number an in-place op on an int32 tensor cannot use: a fraction, NaN, ±Infinity or past int32. */
  private int32Factor(value: number, op: string, what: string): void {
    if (!Number.isInteger(value) || !hasInt32Value(value))
      throw new DTypeError(`${op}: ${what} ${String(value)} is not an int32 integer, so int32 ${this.label} cannot hold the result`);
  }

  // Elementwise (NumPy broadcasting; plain numbers welcome): the methods of one op each (add, exp, ...) are declared
  // in elementwise-methods.ts and installed by the static block above; these take more than an operand.
  /** Elementwise x * x. */
  square(): Tensor {
    return this.mul(this);
  }
  /** Elementwise x > 0 ? x : slope * x; the derivative at 0 is slope. */
  leakyRelu(slope = 0.01): Tensor {
    return ops.leakyRelu(this, { slope });
  }
  /**
   * Elementwise GELU: x Phi(x) = x/2 (1 + erf(x / sqrt 2)), or with `approximate: 'tanh'` the tanh form
   * x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (PyTorch's `approximate` option; exact by default).
   * @example
   * tensor([-1, 0, 1]).gelu().toArray();                          // [-0.1587, 0, 0.8413] (4 digits shown)
   * tensor([-1, 0, 1]).gelu({ approximate: 'tanh' }).toArray();   // [-0.1588, 0, 0.8412]
   */
  gelu(options: GeluOptions = {}): Tensor {
    return ops.gelu(this, geluAttrs(options));
  }
  /** Elementwise min(max(x, min), max); the bounds themselves pass the gradient. */
  clamp(min?: number, max?: number): Tensor {
    return ops.clamp(this, { min, max });
  }

  // Reductions: `axis` is one axis, a list, or undefined for all; negative axes count from the end.
  /** Sum over `axis` (one axis, a list, or all when omitted; negative counts from the end). */
  sum(axis?: number | readonly number[], keepDims = false): Tensor {
    return ops.sum(this, { axes: normalizeAxes(axis, this.rank, 'sum'), keepDims });
  }
  /** Mean over `axis` (as `sum`). */
  mean(axis?: number | readonly number[], keepDims = false): Tensor {
    const axes = normalizeAxes(axis, this.rank, 'mean');
    return this.sum(axes, keepDims).div(axes.reduce((n, a) => n * this.shape[a], 1));
  }
  /** Maximum over `axis`; tied elements share the gradient evenly. */
  max(axis?: number | readonly number[], keepDims = false): Tensor {
    return ops.max(this, this.reduceAttrs(axis, keepDims, 'max'));
  }
  /** Minimum over `axis`; tied elements share the gradient evenly. */
  min(axis?: number | readonly number[], keepDims = false): Tensor {
    return ops.min(this, this.reduceAttrs(axis, keepDims, 'min'));
  }
  /** log(sum(exp(x))) over `axis`, computed stably (the maximum is subtracted first). */
  logSumExp(axis?: number | readonly number[], keepDims = false): Tensor {
    return ops.logSumExp(this, this.reduceAttrs(axis, keepDims, 'logSumExp'));
  }
  /** Product over `axis` (one axis, a list, or all when omitted); its gradient is exact where x has zeros (PyTorch's rule). */
  prod(axis?: number | readonly number[], keepDims = false): Tensor {
    return ops.prod(this, { axes: normalizeAxes(axis, this.rank, 'prod'), keepDims });
  }
  /**
   * Running sum along `axis` (negative counts from the end); with `reverse`, from the end of the axis.
   * @example
   * tensor([1, 2, 3]).cumsum(0).toArray();                     // [1, 3, 6]
   * tensor([1, 2, 3]).cumsum(0, { reverse: true }).toArray();  // [6, 5, 3]
   */
  cumsum(axis: number, options: { readonly reverse?: boolean } = {}): Tensor {
    return ops.cumsum(this, { axis: normalizeAxis(axis, this.rank, 'cumsum'), reverse: options.reverse ?? false });
  }
  /**
   * Running product along `axis` (negative counts from the end); its gradient is exact where x has zeros.
   * @example
   * tensor([1, 2, 3, 4]).cumprod(0).toArray();   // [1, 2, 6, 24]
   */
  cumprod(axis: number): Tensor {
    return ops.cumprod(this, { axis: normalizeAxis(axis, this.rank, 'cumprod') });
  }
  /**
   * Variance over `axis` (one axis, a list, or all when omitted): sum((x - mean)^2) / (N - correction), with
   * PyTorch's default correction 1 (the unbiased estimate); `{ correction: 0 }` for the population variance.
   * @example
   * tensor([1, 2, 3, 4]).var().item();                      // 1.6666666666666667
   * tensor([1, 2, 3, 4]).var(0, { correction: 0 }).item();  // 1.25
   */
  var(axis?: number | readonly number[], options: VarianceOptions = {}): Tensor {
    return variance(this, axis, options);
  }
  /** Standard deviation over `axis`: the square root of {@link Tensor.var} with the same options. */
  std(axis?: number | readonly number[], options: VarianceOptions = {}): Tensor {
    return std(this, axis, options);
  }
  /**
   * Vector p-norm over `axis` (all axes when omitted): p = 2 (default) or 'fro', 1, Infinity or -Infinity. At the
   * zero vector the gradient is 0, as in PyTorch.
   * @example
   * tensor([3, -4]).norm().item();    // 5
   * tensor([3, -4]).norm(1).item();   // 7
   */
  norm(p: NormOrder = 2, axis?: number | readonly number[], keepDims = false): Tensor {
    return norm(this, p, axis, keepDims);
  }

  /** exp(x) / sum(exp(x)) along `axis`, each slice shifted by its maximum first: exact for logits of any magnitude. */
  softmax(axis = -1): Tensor {
    return ops.softmax(this, { axis: normalizeAxis(axis, this.rank, 'softmax') });
  }
  /** x - logSumExp(x) along `axis` (log-probabilities), computed as (x - max) - log sum exp(x - max): exact for logits of any magnitude. */
  logSoftmax(axis = -1): Tensor {
    return ops.logSoftmax(this, { axis: normalizeAxis(axis, this.rank, 'logSoftmax') });
  }
  /** Indices of the largest elements along `axis` (int32; not differentiable). */
  argmax(axis = -1, keepDims = false): Tensor {
    return new Tensor(argReduce(this._array, normalizeAxis(axis, this.rank, 'argmax'), keepDims, 'max'));
  }
  /** Indices of the smallest elements along `axis` (int32; not differentiable). */
  argmin(axis = -1, keepDims = false): Tensor {
    return new Tensor(argReduce(this._array, normalizeAxis(axis, this.rank, 'argmin'), keepDims, 'min'));
  }
  /**
   * Sorts along an axis (the last by default; `torch.Tensor.sort`), stable: `[values, indices]`, values
   * differentiable and indices int32. Same as {@link sort}.
   * @example
   * const [values, indices] = tensor([3, 1, 2]).sort({ descending: true });   // [3, 2, 1], [0, 2, 1]
   */
  sort(options: SortOptions = {}): [Tensor, Tensor] {
    return sort(this, options);
  }
  /**
   * The `k` largest (or smallest) elements along an axis, sorted (`torch.Tensor.topk`): `[values, indices]`.
   * Same as {@link topk}.
   * @example
   * const [values, indices] = tensor([0.5, 2, -1, 3]).topk(2);   // [3, 2], [3, 1]
   */
  topk(k: number, options: TopkOptions = {}): [Tensor, Tensor] {
    return topk(this, k, options);
  }

  private reduceAttrs(axis: number | readonly number[] | undefined, keepDims: boolean, op: string) {
    if (this.size === 0) throw new ShapeError(`${op}: cannot reduce an empty tensor of shape ${formatShape(this.shape)}`);
    return { axes: normalizeAxes(axis, this.rank, op), keepDims };
  }

  /**
   * Matrix product with NumPy's rules: 1-D operands are promoted and the added axis removed; batch axes broadcast.
   * `transposeA` / `transposeB` (TensorFlow.js's flags) multiply by the transpose of the last two axes of an
   * operand without materialising it: `x.matmul(w, { transposeB: true })` is x . w^T.
   * @example
   * x.matmul(w);                          // [n, k] x [k, m] -> [n, m]
   * x.matmul(weight, { transposeB: true }); // [n, k] x [m, k]^T -> [n, m], as a Linear layer does
   */
  matmul(other: Tensor, options: MatmulFlags = {}): Tensor {
    if (!(other instanceof Tensor)) throw new DTypeError(`matmul: the other operand must be a Tensor, got ${describeValue(other)}`);
    if (this.rank === 0 || other.rank === 0)
      throw new ShapeError(`matmul: operands must be at least 1-D, got ${formatShape(this.shape)} and ${formatShape(other.shape)}`);
    const tA = options.transposeA === true;
    const tB = options.transposeB === true;
    if ((tA && this.rank === 1) || (tB && other.rank === 1)) {
      throw new ShapeError(
        `matmul: a transpose flag needs a 2-D or batched operand, got ${formatShape(this.shape)}${tA ? '^T' : ''} x ${formatShape(other.shape)}${tB ? '^T' : ''}`,
      );
    }
    const k1 = tA ? this.shape[this.rank - 2] : this.shape[this.rank - 1];
    const k2 = other.rank === 1 ? other.shape[0] : tB ? other.shape[other.rank - 1] : other.shape[other.rank - 2];
    if (k1 !== k2) {
      throw new ShapeError(
        `matmul: inner sizes differ: ${formatShape(this.shape)}${tA ? '^T' : ''} x ${formatShape(other.shape)}${tB ? '^T' : ''} (${k1} vs ${k2})`,
      );
    }
    const a = this.rank === 1 ? this.reshape([1, k1]) : this;
    const b = other.rank === 1 ? other.reshape([k2, 1]) : other;
    broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'matmul');
    let y = ops.matmulFlagged(a, b, { transposeA: tA, transposeB: tB });
    if (this.rank === 1) y = y.squeeze(-2);
    if (other.rank === 1) y = y.squeeze(-1);
    return y;
  }

  // Layout.
  /** A new shape with the same elements; one entry may be -1 (inferred). */
  reshape(shape: readonly number[]): Tensor {
    if (!isList(shape)) throw new ShapeError(`reshape: a shape is a list of sizes such as [2, 3]; got ${describeValue(shape)}`);
    const target = shape.slice();
    const unknown = target.indexOf(-1);
    if (unknown !== -1) {
      const known = target.reduce((n, d, i) => (i === unknown ? n : n * d), 1);
      target[unknown] = known === 0 ? 0 : this.size / known;
    }
    if (target.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(target) !== this.size || target.filter((d) => d === -1).length > 0) {
      throw new ShapeError(`reshape: cannot reshape ${formatShape(this.shape)} (${this.size} elements) into ${formatShape(shape)}`);
    }
    if (sameShape(target, this.shape)) return this;
    return ops.reshape(this, { shape: target });
  }
  /** The elements as a 1-D tensor. */
  flatten(): Tensor {
    return this.reshape([this.size]);
  }
  /** Removes size-1 axes (all of them, or the given one). */
  squeeze(axis?: number): Tensor {
    if (axis === undefined) return this.reshape(this.shape.filter((d) => d !== 1));
    const a = normalizeAxis(axis, this.rank, 'squeeze');
    if (this.shape[a] !== 1)
      throw new ShapeError(`squeeze: axis ${axis} of shape ${formatShape(this.shape)} has size ${this.shape[a]}, not 1`);
    return this.reshape(this.shape.filter((_, i) => i !== a));
  }
  /** Inserts a size-1 axis at `axis` (negative counts from the end of the result). */
  unsqueeze(axis: number): Tensor {
    const a = normalizeAxis(axis, this.rank + 1, 'unsqueeze');
    const shape = this.shape.slice();
    shape.splice(a, 0, 1);
    return this.reshape(shape);
  }
  /** Permutes axes; without `perm`, reverses them (a matrix transpose for 2-D). */
  transpose(perm?: readonly number[]): Tensor {
    if (perm !== undefined && !isList(perm))
      throw new ShapeError(`transpose: perm is a list of axes such as [1, 0]; got ${describeValue(perm)}`);
    const p = perm ?? this.shape.map((_, i) => this.rank - 1 - i);
    const norm = p.map((a) => normalizeAxis(a, this.rank, 'transpose'));
    if (norm.length !== this.rank || new Set(norm).size !== this.rank) {
      throw new ShapeError(`transpose: [${p.join(', ')}] is not a permutation of the ${this.rank} axes of ${formatShape(this.shape)}`);
    }
    if (norm.every((a, i) => a === i)) return this;
    return ops.transpose(this, { perm: norm });
  }
  /**
   * Reverses the order of the elements along each of `axis` (one axis, a list, or all when omitted).
   * @example
   * tensor([[1, 2], [3, 4]]).flip(1).toArray();   // [[2, 1], [4, 3]]
   */
  flip(axis?: number | readonly number[]): Tensor {
    return ops.flip(this, { axes: normalizeAxes(axis, this.rank, 'flip') });
  }
  /**
   * Splits along `axis` into pieces of `sizes[i]` elements (a list that adds up to the axis' size), or of `size`
   * elements each (a number; the last piece takes what is left).
   * @example
   * tensor([1, 2, 3, 4, 5]).split(2).map((t) => t.toArray());   // [[1, 2], [3, 4], [5]]
   */
  split(sizes: number | readonly number[], axis = 0): Tensor[] {
    return split(this, sizes, axis);
  }
  /** Splits along `axis` into `chunks` pieces of ceil(n / chunks) elements (PyTorch's `chunk`). */
  chunk(chunks: number, axis = 0): Tensor[] {
    return chunk(this, chunks, axis);
  }
  /**
   * PyTorch's `repeat`: copies along each axis `reps[i]` times; `reps` has at least one entry per axis (extra
   * leading entries add axes).
   * @example
   * tensor([1, 2]).repeat([2, 2]).toArray();   // [[1, 2, 1, 2], [1, 2, 1, 2]]
   */
  repeat(reps: readonly number[]): Tensor {
    return repeat(this, reps);
  }
  /** `torch.tile` / `tf.tile`: as {@link Tensor.repeat}, with `reps` padded with leading 1s when shorter than the rank. */
  tile(reps: readonly number[]): Tensor {
    return tile(this, reps);
  }
  /** Repeats size-1 and missing leading axes to `shape` (NumPy rules); the gradient is summed back. */
  broadcastTo(shape: readonly number[]): Tensor {
    if (!broadcastsTo(this.shape, shape))
      throw new ShapeError(`broadcastTo: shape ${formatShape(this.shape)} cannot be broadcast to ${formatShape(shape)}`);
    if (sameShape(shape, this.shape)) return this;
    return ops.broadcastTo(this, { shape: shape.slice() });
  }
  /**
   * The box starting at `begin` with extent `size` (a -1 in size means "to the end"); negative begins count from the end.
   * @example x.slice([0, 1], [2, -1])   // rows 0-1, columns 1..end
   */
  slice(begin: readonly number[], size?: readonly number[]): Tensor {
    if (begin.length > this.rank) throw new ShapeError(`slice: begin has ${begin.length} entries for a tensor of rank ${this.rank}`);
    const b = this.shape.map((d, i) => (i < begin.length ? (begin[i] < 0 ? begin[i] + d : begin[i]) : 0));
    const s = this.shape.map((d, i) => (size === undefined || i >= size.length || size[i] === -1 ? d - b[i] : size[i]));
    for (let i = 0; i < this.rank; i++) {
      if (!Number.isInteger(b[i]) || !Number.isInteger(s[i]) || b[i] < 0 || s[i] < 0 || b[i] + s[i] > this.shape[i]) {
        throw new ShapeError(
          `slice: begin [${begin.join(', ')}] size [${(size ?? []).join(', ')}] is out of range for shape ${formatShape(this.shape)} (axis ${i})`,
        );
      }
    }
    return ops.slice(this, { begin: b, size: s });
  }
  /** Elements at `indices` (int32) along `axis`, as tf.gather / np.take: result shape x[:axis] + indices + x[axis+1:]. */
  gather(indices: Tensor | readonly number[], axis = 0): Tensor {
    const a = normalizeAxis(axis, this.rank, 'gather');
    const idx = checkedIndices(indices, this.shape[a], 'gather');
    return ops.gather(this, idx, { axis: a });
  }
  /**
   * NumPy's take_along_axis (PyTorch's gather): picks one element per position along `axis`, e.g. the logit of
   * each row's label. `indices` has this tensor's shape except along `axis`.
   */
  takeAlongAxis(indices: Tensor, axis = -1): Tensor {
    if (!(indices instanceof Tensor))
      throw new DTypeError(
        `takeAlongAxis: indices must be an int32 Tensor; got ${describeValue(indices)} (wrap it with tensor(..., { dtype: 'int32' }))`,
      );
    const a = normalizeAxis(axis, this.rank, 'takeAlongAxis');
    const ok = indices.rank === this.rank && indices.shape.every((d, i) => i === a || d === this.shape[i]);
    if (!ok)
      throw new ShapeError(
        `takeAlongAxis: indices of shape ${formatShape(indices.shape)} do not match ${formatShape(this.shape)} outside axis ${a}`,
      );
    const idx = checkedIndices(indices, this.shape[a], 'takeAlongAxis');
    // Flat positions in ops, idx * stride(a) + the offset of the other axes, so that batched indices (vmap) batch.
    const stride = sizeOf(this.shape.slice(a + 1));
    const others = new Tensor(offsetsBesideAxis(this.shape, idx.shape, a));
    const flat = (stride === 1 ? idx : idx.mul(stride)).add(others);
    return ops.gather(this.reshape([this.size]), flat, { axis: 0 });
  }
  /** Converts to another dtype (differentiable between float dtypes). */
  cast(dtype: DType): Tensor {
    if (!isDType(dtype)) throw new DTypeError(`cast: unknown dtype ${String(dtype)}`);
    if (dtype === this.dtype) return this;
    if (this.requiresGrad && dtype === 'int32')
      throw new DTypeError(`cast: cannot cast ${this.label}, which requires grad, to int32; detach() it first`);
    if (dtype === 'int32') checkInt32Values(this._array.data, this.shape, 'cast', ` of ${this.label}`);
    return ops.cast(this, { dtype });
  }
}

// The elementwise and mask methods (add, mul, tanh, ..., eq, lt, isNaN, ...): declared once, in
// elementwise-methods.ts, and installed on the prototype by the static block above.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- installed, not declared, in the class
export interface Tensor extends ElementwiseMethods, MaskMethods {}

/** Whether `x` is an array (without narrowing a typed parameter to any[], as Array.isArray would). */
function isList(x: unknown): boolean {
  return Array.isArray(x);
}

/** The axes of `to` along which `from` was broadcast (missing leading axes, and size 1 against a larger size). */
function broadcastAxes(from: readonly number[], to: readonly number[]): number[] {
  const lead = to.length - from.length;
  const axes: number[] = [];
  for (let i = 0; i < to.length; i++) if (i < lead || (from[i - lead] === 1 && to[i] !== 1)) axes.push(i);
  return axes;
}

function checkedIndices(indices: Tensor | readonly number[], n: number, op: string): Tensor {
  if (!(indices instanceof Tensor) && !Array.isArray(indices))
    throw new DTypeError(`${op}: indices must be an int32 Tensor or a list of integers; got ${describeValue(indices)}`);
  if (!(indices instanceof Tensor)) {
    // Checked before Int32Array.from, which would turn NaN into 0, 1.5 into 1 and 2 ** 32 into 0 without a word.
    indices.forEach((v, i) => {
      if (!Number.isInteger(v)) throw new DTypeError(`${op}: index ${describeValue(v)} at position ${i} is not an integer`);
      if (v < -n || v >= n) throw new ShapeError(`${op}: index ${v} at position ${i} is out of range for an axis of size ${n}`);
    });
  }
  const t = indices instanceof Tensor ? indices : new Tensor(new NDArray(Int32Array.from(indices), [indices.length]));
  if (t.dtype !== 'int32') throw new DTypeError(`${op}: indices must be int32, got ${t.dtype}`);
  // Batched indices (vmap) are checked through every sample's values at once.
  if (isBatched(t)) {
    const physical = checkedIndices(t._physical as Tensor, n, op);
    return physical === t._physical ? t : (t._wrap(physical, t._bdim) as Tensor);
  }
  const d = t.data;
  let copy: Int32Array | null = null;
  for (let i = 0; i < d.length; i++) {
    let v = d[i];
    if (v < -n || v >= n) throw new ShapeError(`${op}: index ${v} at position ${i} is out of range for an axis of size ${n}`);
    if (v < 0) {
      copy ??= Int32Array.from(d);
      copy[i] = v += n;
    }
  }
  return copy ? new Tensor(new NDArray(copy, t.shape)) : t;
}

/** A plain options object (not a Tensor, an array, a typed array or a number), told apart from a seed gradient. */
function isOptionsObject(x: unknown): boolean {
  return x !== null && typeof x === 'object' && !(x instanceof Node) && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

function fromNested(value: NestedArray, dtype: DType, op: string): NDArray {
  const shape = inferShape(value, op);
  return new NDArray(flatten(value, shape, dtype, op), shape);
}
