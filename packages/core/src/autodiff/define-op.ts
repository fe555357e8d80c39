/**
 * How ops are made and applied. An op is a small object with `forward(ctx, ...inputs)` and `backward(ctx,
 * gradOutput)` (MulLayer-style), or a `gradient` rule written once over GradMath; `defineOp` turns it into the op
 * function that every built-in op and every user's op is. Applying it runs forward with recording off, then
 * records the call as a tape entry (an OpContext) when the recording rule says so.
 */
import { AnomalyError, DTypeError, DisposedError, ShapeError, formatShape } from '../errors.js';
import { copyArray } from '../ndarray/dtype.js';
import { NDArray } from '../ndarray/ndarray.js';
import { type BatchRule, type BatchedNode, batching, innermostBatched } from './batching.js';
import { OpContext, forwardTraces } from './context.js';
import { checkFinite } from './finite.js';
import { pushTangents } from './forward.js';
import type { GradMath, RuleMath } from './grad-math.js';
import { nodeGradients } from './node-math.js';
import { mode } from './mode.js';
import { type Node, type Operand, type RawValue, isNode } from './node.js';
import { type Level, forwardMode, visibleLevels } from './tangents.js';

/** What an op's backward returns: one gradient per input; null (or undefined) where there is none. */
export type InputGrads = ReadonlyArray<Node | null | undefined>;

/** The kind of node an op with inputs `In` applies to (Node when it serves both Scalar and Tensor). */
export type NodeKind<In extends readonly Node[]> = In[number];

/**
 * What `defineOp` takes: a name, a forward and a backward (see docs/custom-ops.md). `In` is the list of input
 * types, taken from forward's parameters (`forward(ctx, a: Tensor, b: Tensor)` gives `[Tensor, Tensor]`).
 */
export interface OpDefinition<Attrs = undefined, In extends readonly Node[] = readonly Node[]> {
  /** The op's name in listings and error messages. */
  readonly name: string;
  /**
   * Computes the output from the inputs (recording is off in here) and saves what backward needs with
   * `ctx.save(...)`. Returns a node, or a raw value (a number for Scalars, an NDArray for Tensors).
   */
  forward(ctx: OpContext<Attrs, NodeKind<In>>, ...inputs: In): NodeKind<In> | RawValue;
  /**
   * Given dL/dOutput, returns dL/dInput for each input, written with differentiable ops so that running it
   * with recording on (createGraph) gives higher-order gradients. A gradient may have the broadcast shape:
   * the sweep sums it back to the input's shape. Optional when `gradient` is given.
   */
  backward?(ctx: OpContext<Attrs, NodeKind<In>>, gradOutput: NodeKind<In>): InputGrads;
  /**
   * The same rule written once over a small math interface, for elementwise ops: it hands each input's gradient
   * to `m.inputGrad(i, g)`, as in `m.inputGrad(0, m.mul(dy, m.input(ctx, 1)))`. `defineOp` derives `backward`
   * from it, and a backward over Scalars runs it on plain numbers. (A GradientRule.)
   */
  gradient?<V>(m: GradMath<V>, ctx: OpContext<Attrs>, gradOutput: V): void;
  /**
   * The forward-mode rule (`jvp`): given the tangent of each input (null for an input that is not perturbed; at
   * least one is), returns the output's tangent (null for zero), written with differentiable ops or over `m`, the
   * rule language gradients use, so that it can be differentiated again. A tangent may have its input's shape:
   * forward mode broadcasts it to the output's. Optional: without it, forward mode transposes `backward` instead
   * (correct, but a few times slower; see docs/transforms.md).
   */
  tangent?(
    m: RuleMath<NodeKind<In>>,
    ctx: OpContext<Attrs, NodeKind<In>>,
    ...inputTangents: Array<NodeKind<In> | null>
  ): NodeKind<In> | null;
  /**
   * The batching rule (`vmap`): the op for a whole batch of samples at once, from each operand's batched value
   * (see BatchRule). `'loop'` opts into the fallback, the op applied once per sample, as an op without a rule gets.
   */
  batch?: BatchRule<Attrs, In> | 'loop';
}

/** An op definition's batching rule, required (every built-in op has one: ops/index.ts checks). */
export type BatchSlot<Attrs = undefined, In extends readonly Node[] = readonly Node[]> = Required<Pick<OpDefinition<Attrs, In>, 'batch'>>;

/** An op function whose definition has a batching rule (what `defineOp` returns when given one). */
export type OpWithBatch<Attrs = undefined, In extends readonly Node[] = readonly Node[]> = OpFunction<Attrs, In> & {
  readonly definition: BatchSlot<Attrs, In>;
};

/** An op function whose definition has a tangent rule and a batching rule, as every built-in op's has. */
export type OpWithRules<Attrs = undefined, In extends readonly Node[] = readonly Node[]> = OpFunction<Attrs, In> & {
  readonly definition: TangentSlot<Attrs, In> & BatchSlot<Attrs, In>;
};

/** An op definition's tangent rule, required (every built-in op has one: ops/index.ts checks). */
export type TangentSlot<Attrs = undefined, In extends readonly Node[] = readonly Node[]> = Required<
  Pick<OpDefinition<Attrs, In>, 'tangent'>
>;

/** An op function whose definition has a tangent rule (what `defineOp` returns when given one). */
export type OpWithTangent<Attrs = undefined, In extends readonly Node[] = readonly Node[]> = OpFunction<Attrs, In> & {
  readonly definition: TangentSlot<Attrs, In>;
};

/** An op definition as `defineOp` stores it: `backward` is always there (derived from `gradient` if need be). */
export interface DefinedOp<Attrs = undefined, In extends readonly Node[] = readonly Node[]> extends OpDefinition<Attrs, In> {
  backward(ctx: OpContext<Attrs, NodeKind<In>>, gradOutput: NodeKind<In>): InputGrads;
}

/** An op's operands: a node of kind `K` (or a plain number, which adopts its dtype) for each input. */
export type Operands<In extends readonly Node[], K extends Node> = { readonly [I in keyof In]: K | number };

/** What an op function takes: its operands, then its attributes object when the op has attributes. */
export type OpArgs<Attrs, In extends readonly Node[], K extends Node> = [Attrs] extends [undefined]
  ? Operands<In, K>
  : [...Operands<In, K>, Attrs];

/**
 * A function that applies an op: operands of one node kind (plain numbers allowed), then the op's attributes
 * (passed to the op as `ctx.attrs`) when it has any. The result is a node of the operands' kind.
 * @example
 * const y: Tensor = ops.mul(x, 2);   // an elementwise op takes Scalars or Tensors, and gives the same kind back
 */
export interface OpFunction<Attrs = undefined, In extends readonly Node[] = readonly Node[]> {
  <K extends NodeKind<In>>(...args: OpArgs<Attrs, In, K>): K;
  /** The definition the function was made from (with `backward` derived from `gradient` when only that was given). */
  readonly definition: DefinedOp<Attrs, In>;
}

function isAttrs(x: unknown): boolean {
  return x !== null && typeof x === 'object' && !isNode(x) && !ArrayBuffer.isView(x) && !Array.isArray(x);
}

/** An op with its types erased, as the machinery that applies and sweeps every op handles it. */
export type AnyOp = DefinedOp<unknown, readonly Node[]>;

/**
 * Defines an op once, MulLayer-style; the same mechanism every built-in op uses. The op function's operand and
 * result types come from forward's parameters.
 * @example
 * const cube = defineOp({
 *   name: 'cube',
 *   forward(ctx, x: Tensor) { ctx.save(x); return x.mul(x).mul(x); },
 *   backward(ctx, g: Tensor) { const [x] = ctx.saved; return [g.mul(x.square()).mul(3)]; },
 * });
 * cube(x).sum().backward();
 */
export function defineOp<Attrs = undefined, In extends readonly Node[] = readonly Node[]>(
  spec: OpDefinition<Attrs, In> & TangentSlot<Attrs, In> & BatchSlot<Attrs, In>,
): OpWithRules<Attrs, In>;
export function defineOp<Attrs = undefined, In extends readonly Node[] = readonly Node[]>(
  spec: OpDefinition<Attrs, In> & TangentSlot<Attrs, In>,
): OpWithTangent<Attrs, In>;
export function defineOp<Attrs = undefined, In extends readonly Node[] = readonly Node[]>(
  spec: OpDefinition<Attrs, In> & BatchSlot<Attrs, In>,
): OpWithBatch<Attrs, In>;
export function defineOp<Attrs = undefined, In extends readonly Node[] = readonly Node[]>(
  spec: OpDefinition<Attrs, In>,
): OpFunction<Attrs, In>;
export function defineOp<Attrs = undefined, In extends readonly Node[] = readonly Node[]>(
  spec: OpDefinition<Attrs, In>,
): OpFunction<Attrs, In> {
  const definition = withBackward(spec);
  const op = definition as unknown as AnyOp;
  // Calls that are not recorded and take no attributes share one context: it holds nothing they could change.
  const passive = new OpContext(op, [], undefined, false);
  const fn = (...args: unknown[]): Node => {
    let attrs: unknown = undefined;
    if (args.length > 0 && isAttrs(args[args.length - 1])) attrs = args.pop();
    // A plain object where forward declares an operand (`t.mul({})`) is a bad operand, not attributes.
    if (attrs !== undefined && args.length < op.forward.length - 1) {
      args.push(attrs);
      attrs = undefined;
    }
    return applyOp(op, args as Operand[], attrs, true, passive);
  };
  return Object.assign(fn, { definition }) as unknown as OpFunction<Attrs, In>;
}

/** The definition with its node `backward`, derived from the `gradient` rule when only that was given. */
export function withBackward<Attrs, In extends readonly Node[]>(spec: OpDefinition<Attrs, In>): DefinedOp<Attrs, In> {
  if (typeof spec.forward !== 'function') throw new TypeError(`defineOp: op '${spec.name}' needs a forward function`);
  if (typeof spec.backward === 'function') return spec as DefinedOp<Attrs, In>;
  if (typeof spec.gradient !== 'function')
    throw new TypeError(`defineOp: op '${spec.name}' needs a backward function (or a gradient rule)`);
  const definition = { ...spec, backward: (ctx: OpContext, dy: Node) => nodeGradients(definition, ctx, dy) };
  return definition;
}

/** The tape's recording rule, written once: a call is recorded when grad mode is on and one of its inputs requires grad. */
export function isRecorded(inputs: ArrayLike<Node>): boolean {
  if (!mode.grad) return false;
  for (let i = 0; i < inputs.length; i++) if (inputs[i].requiresGrad) return true;
  return false;
}

/** Applies an op to operands: runs forward with recording off, then records the call when `isRecorded` says so. */
export function applyOp(op: AnyOp, operands: Operand[], attrs: unknown, ownsOperands = false, passive?: OpContext): Node {
  let ref: Node | undefined;
  for (const x of operands) {
    if (isNode(x)) {
      ref = x;
      break;
    }
  }
  if (ref === undefined) {
    throw new DTypeError(
      `${op.name}: needs at least one Scalar or Tensor operand, got ${operands.map((x) => typeof x).join(', ') || 'none'}`,
    );
  }
  // The caller's fresh argument list becomes the input list: one allocation fewer per op.
  const inputs = (ownsOperands ? operands : new Array<Node>(operands.length)) as Node[];
  for (let i = 0; i < operands.length; i++) {
    const x = operands[i];
    let node: Node;
    if (isNode(x)) {
      // Another copy of the library (shared.ts) has other constructors: only a different kind of value is refused.
      if (x.constructor !== ref.constructor && typeof x.raw !== typeof ref.raw) {
        throw new DTypeError(`${op.name}: operands mix ${ref.constructor.name} and ${x.constructor.name}; use tensor(...) for both`);
      }
      node = x;
    } else if (typeof x === 'number') {
      node = ref.constant(x);
    } else {
      throw new DTypeError(
        `${op.name}: operand ${i} is ${describeOperand(x)}, expected a ${ref.constructor.name} or a number` +
          (Array.isArray(x) || ArrayBuffer.isView(x) ? ' (wrap an array with tensor(...))' : ''),
      );
    }
    inputs[i] = node;
  }
  const recording = isRecorded(inputs);
  // The jvp levels that perturb an input (null unless a jvp is running and reaches this call).
  const levels = forwardMode.open !== 0 && mode.grad ? visibleLevels(inputs) : null;
  // The operand batched at the newest vmap level, if a vmap is running and reaches this call (batching.ts).
  const batched = batching.open !== 0 ? innermostBatched(inputs) : null;
  const ctx =
    recording || levels !== null || batched !== null || attrs !== undefined || passive === undefined
      ? new OpContext(op, inputs, attrs, recording, levels !== null)
      : passive;
  return runCall(op, ctx, inputs, batched, levels);
}

/**
 * @internal runs one call of `op` on `inputs` (nodes) against `ctx`: forward with recording off, or, when `batched`
 * is given, the op's batch rule (vmap) with recording as it is; records the call when `ctx` is recording, and pushes
 * the tangents of `levels` (forward mode) to its output.
 */
export function runCall(op: AnyOp, ctx: OpContext, inputs: readonly Node[], batched: BatchedNode | null, levels: Level[] | null): Node {
  let result: Node | RawValue;
  try {
    if (batched !== null) {
      // The op's batch rule stands in for forward. Its ops are recorded as any others (on the values of the whole
      // batch, for a gradient taken outside the vmap); this call is recorded below on the per-sample values.
      result = batched._applyBatched(op, ctx, inputs);
    } else if (mode.grad) {
      // Recording is off inside forward, so ops that a user's forward calls are not recorded separately.
      mode.grad = false;
      try {
        result = runForward(op, ctx, inputs);
      } finally {
        mode.grad = true;
      }
    } else {
      result = runForward(op, ctx, inputs);
    }
  } catch (e) {
    // The engine's RangeError for a result too large to allocate (a broadcast to [1e6, 1e6]) becomes a ShapeError naming the op.
    if (e instanceof RangeError)
      throw new ShapeError(`${op.name}: cannot compute a result this large (inputs: ${inputs.map(describe).join('; ')}): ${e.message}`);
    // A disposed input's error (tidy.ts) names the op that read it.
    if (e instanceof DisposedError && !e.message.includes(': ')) throw new DisposedError(`${op.name}: ${e.message}`);
    throw e;
  }
  let out: Node;
  if (batched !== null) {
    out = result as Node;
  } else if (isNode(result)) {
    // The output is always a new node: forward may hand back an input or a captured constant, and adopting
    // it would rewrite that node's place in the graph. An input's value is copied so that in-place updates
    // of the output cannot reach the input.
    out = result.make(!result.isLeaf || result.requiresGrad || inputs.includes(result) ? copyRaw(result.raw) : result.raw);
  } else {
    out = inputs[0].make(result);
  }
  if (ctx.recording) {
    out.requiresGrad = true;
    out._creator = ctx;
    ctx.seq = mode.nextSeq++;
    ctx._setOutput(out);
    if (mode.anomaly) forwardTraces.set(ctx, new Error().stack ?? '');
  }
  if (mode.anomaly) {
    const inBackward = mode.backwardOf;
    const inTangent = forwardMode.ruleOf;
    checkFinite(out, (bad) => {
      // Described only on failure: every op in anomaly mode passes through here.
      const where = `(inputs: ${inputs.map((x) => `${x.label} ${formatShape(x.shape)}`).join(', ')})`;
      return new AnomalyError(
        inBackward !== null
          ? `${inBackward.op.name} backward produced ${bad} (in its ${op.name} ${where})`
          : inTangent !== null
            ? `${inTangent.name} tangent (forward mode) produced ${bad} (in its ${op.name} ${where})`
            : `${op.name} forward produced ${bad} ${where}`,
      );
    });
  }
  if (levels !== null) pushTangents(op, ctx, out, levels);
  return out;
}

function describeOperand(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (Array.isArray(x)) return 'an array';
  if (typeof x !== 'object') return `a ${typeof x}`;
  const name = x.constructor?.name;
  return name === undefined || name === 'Object' ? 'a plain object' : `a ${name}`;
}

function runForward(op: AnyOp, ctx: OpContext, inputs: readonly Node[]): Node | RawValue {
  return inputs.length === 1
    ? op.forward(ctx, inputs[0])
    : inputs.length === 2
      ? op.forward(ctx, inputs[0], inputs[1])
      : op.forward(ctx, ...inputs);
}

function describe(n: Node): string {
  return `${n.label}, shape ${formatShape(n.shape)}, ${n.dtype}`;
}

function copyRaw(raw: RawValue): RawValue {
  return typeof raw === 'number' ? raw : new NDArray(copyArray(raw.data), raw.shape);
}
