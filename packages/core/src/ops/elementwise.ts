/**
 * Elementwise ops declared once. `elementwise({ name, kernel, saves, timesDerivative })` makes the op function:
 * forward is derived from the kernel (its number form for Scalars, its typed-array loop for Tensors) and from
 * `saves`, and the kernel stays on the definition, so a Scalar method runs it directly when nothing is recorded.
 *
 * The derivative is declared once too, as the product of an incoming `g` with it: `timesDerivative(m, g, x)` is
 * g * f'(x) (for two operands, `timesPartials`: g * df/da and g * df/db). Both rules come from it. An elementwise op's
 * Jacobian is diagonal, so the gradient (the transposed product, applied to dy) is the tangent (the product, applied
 * to the input's tangent): PyTorch's derivatives.yaml writes one `grad * ...` formula for both
 * (`auto_element_wise`), as JAX derives a transpose from a linear jvp. The few ops whose rules are not one product
 * per input (mul's `mulFor`, add-relu's one mask for both inputs, partials that share work) write `gradient` and
 * `tangent` themselves.
 *
 * The batching rule (vmap) is derived as well: the op applied to the operands' batched values, lined up
 * (ops/batching.ts). An op file then holds its math, its kernel's name and its derivative, and nothing else.
 */
import type { BatchRule } from '../autodiff/batching.js';
import type { OpContext } from '../autodiff/context.js';
import { type DefinedOp, type OpFunction, defineOp } from '../autodiff/define-op.js';
import { type GradMath, type RuleMath, addTangents } from '../autodiff/grad-math.js';
import type { Node, RawValue, TensorNode } from '../autodiff/node.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { type BinaryKernel, binary } from '../ndarray/kernels/binary.js';
import { type UnaryKernel, unary } from '../ndarray/kernels/unary.js';
import { alignElementwise } from './batching.js';

/** What forward keeps for the rule: the inputs, the output, both, or nothing (add's rule needs neither). */
export type Saves = 'inputs' | 'output' | 'both' | 'none';

/** An elementwise kernel: of one operand (UnaryKernel) or of two, broadcasting (BinaryKernel). */
export type ElementwiseKernel = UnaryKernel | BinaryKernel;

type InputsOf<K extends ElementwiseKernel> = K extends BinaryKernel ? readonly [Node, Node] : readonly [Node];

/**
 * `g * f'(x)` for an op of one operand, given `g` and what forward saved (`saved`: the input x when `saves` is
 * 'inputs', the output y when it is 'output', nothing when it is 'none'). Written with `g` in it, as PyTorch's
 * derivatives.yaml writes `grad * ...`, so that the rule keeps its own order of operations (`g / (1 + x^2)` is not
 * `g * (1 / (1 + x^2))` to the last bit) and may fuse (`m.fused(tanhGrad, g, y) ?? ...`).
 */
export type TimesDerivative = <V>(m: RuleMath<V>, g: V, saved: V) => V;

/**
 * `g * df/da` or `g * df/db` for an op of two operands, given `g` and what forward saved: the inputs `a` and `b`
 * (when `saves` keeps them) and the output `y` (when it keeps that).
 */
export type TimesPartial = <V>(m: RuleMath<V>, g: V, a: V, b: V, y: V) => V;

/** An op's own gradient and tangent rules, for an op whose rules are not one product per input (mul, add-relu, ...). */
export interface ExplicitRules<K extends ElementwiseKernel> {
  /** The gradient rule over GradMath: it hands each input's gradient to `m.inputGrad(i, g)`. */
  readonly gradient: <V>(m: GradMath<V>, ctx: OpContext, gradOutput: V) => void;
  /** The forward-mode rule, in the same language, reading saved values as `gradient` does. */
  readonly tangent: ElementwiseTangent<K>;
}

/**
 * How an elementwise op gives its derivative, declared once: for one operand `timesDerivative`, for two
 * `timesPartials` (one per operand), from which `elementwise` derives both rules (see the file comment); or, where
 * the rules are not one product per input, `gradient` and `tangent` written out.
 */
export type ElementwiseRules<K extends ElementwiseKernel> = K extends BinaryKernel
  ? { readonly timesPartials: readonly [TimesPartial, TimesPartial] } | ExplicitRules<K>
  : { readonly timesDerivative: TimesDerivative };

/** What `elementwise` takes. */
export type ElementwiseSpec<K extends ElementwiseKernel> = {
  /** The op's name, also its method name on Scalar and Tensor. */
  readonly name: string;
  /** The forward computation (ndarray/kernels): one value per element. */
  readonly kernel: K;
  /** What the rules read, so that forward saves exactly that. */
  readonly saves: Saves;
} & ElementwiseRules<K>;

/** An elementwise op's tangent rule: of `dx` for one operand, of `da` and `db` (null where not perturbed) for two. */
export type ElementwiseTangent<K extends ElementwiseKernel> = K extends BinaryKernel
  ? <V>(m: RuleMath<V>, ctx: OpContext, da: V | null, db: V | null) => V | null
  : <V>(m: RuleMath<V>, ctx: OpContext, dx: V) => V;

/** An elementwise op's definition: what defineOp keeps, plus the kernel and what forward saves. */
export interface ElementwiseDefinition<K extends ElementwiseKernel> extends DefinedOp<undefined, InputsOf<K>> {
  readonly kernel: K;
  readonly saves: Saves;
  readonly tangent: ElementwiseTangent<K>;
  readonly batch: BatchRule<undefined, InputsOf<K>>;
}

/** An elementwise op: `op(x)` or `op(a, b)` over Scalars or Tensors (plain numbers allowed), with its definition. */
export interface ElementwiseOp<K extends ElementwiseKernel> extends OpFunction<undefined, InputsOf<K>> {
  readonly definition: ElementwiseDefinition<K>;
}

/** An elementwise op of one operand (`x.exp()`). */
export type UnaryOp = ElementwiseOp<UnaryKernel>;
/** An elementwise op of two operands, broadcasting (`a.add(b)`). */
export type BinaryOp = ElementwiseOp<BinaryKernel>;

/**
 * Declares an elementwise op from its kernel and its derivative (see the file comment).
 * @example
 * // y = sin x; y' = cos x
 * export const sin = elementwise({
 *   name: 'sin',
 *   kernel: kernels.sin,
 *   saves: 'inputs',
 *   timesDerivative: (m, g, x) => m.mul(g, m.cos(x)),
 * });
 */
export function elementwise<K extends ElementwiseKernel>(spec: ElementwiseSpec<K>): ElementwiseOp<K> {
  const kernel: ElementwiseKernel = spec.kernel;
  const savesInputs = spec.saves === 'inputs' || spec.saves === 'both';
  const savesOutput = spec.saves === 'output' || spec.saves === 'both';
  const save = (ctx: OpContext): void => {
    if (savesInputs) ctx.saveInputs();
    if (savesOutput) ctx.saveOutput();
  };
  const forward =
    kernel.arity === 1
      ? (ctx: OpContext, x: Node): RawValue => {
          save(ctx);
          return unaryRaw(kernel, x);
        }
      : (ctx: OpContext, a: Node, b: Node): RawValue => {
          save(ctx);
          return binaryRaw(kernel, a, b);
        };
  // Every sample at once: the op itself on the lined-up batched values (vmap).
  const batch: BatchRule = (ctx, ...args) => {
    save(ctx);
    const { values, dim } = alignElementwise(args);
    return { value: (op as (...xs: TensorNode[]) => TensorNode)(...values), dim };
  };
  const rules: ExplicitRules<ElementwiseKernel> =
    'timesDerivative' in spec
      ? fromDerivative(spec.timesDerivative, savesInputs, savesOutput)
      : 'timesPartials' in spec
        ? fromPartials(spec.timesPartials, savesInputs, savesOutput)
        : spec;
  const op = defineOp({ ...spec, forward, batch, gradient: rules.gradient, tangent: rules.tangent }) as unknown as ElementwiseOp<K>;
  return op;
}

// What forward saved, as the rules read it; nothing (undefined) where it saved nothing, which a rule then does not read.
type Reader = <V>(m: RuleMath<V>, ctx: OpContext) => V;
const noValue = (() => undefined) as unknown as Reader;
const readInput =
  (i: number): Reader =>
  (m, ctx) =>
    m.input(ctx, i);
const readOutput: Reader = (m, ctx) => m.output(ctx);

/**
 * Both rules of an op of one operand from `g * f'(x)`. An elementwise op's Jacobian is diagonal, so it is its own
 * transpose: the gradient is the tangent rule run on dy (JAX's defjvp, PyTorch's auto_element_wise).
 */
function fromDerivative(times: TimesDerivative, savesInputs: boolean, savesOutput: boolean): ExplicitRules<UnaryKernel> {
  const saved = savesOutput ? readOutput : savesInputs ? readInput(0) : noValue;
  return {
    gradient: (m, ctx, dy) => m.inputGrad(0, times(m, dy, saved(m, ctx))),
    tangent: (m, ctx, tx) => times(m, tx, saved(m, ctx)),
  };
}

/** Both rules of an op of two operands from `g * df/da` and `g * df/db`: the gradient gives each input its term, the tangent sums them. */
function fromPartials(
  partials: readonly [TimesPartial, TimesPartial],
  savesInputs: boolean,
  savesOutput: boolean,
): ExplicitRules<BinaryKernel> {
  const [timesA, timesB] = partials;
  const a = savesInputs ? readInput(0) : noValue;
  const b = savesInputs ? readInput(1) : noValue;
  const y = savesOutput ? readOutput : noValue;
  return {
    gradient(m, ctx, dy) {
      if (ctx.needsGrad(0)) m.inputGrad(0, timesA(m, dy, a(m, ctx), b(m, ctx), y(m, ctx)));
      if (ctx.needsGrad(1)) m.inputGrad(1, timesB(m, dy, a(m, ctx), b(m, ctx), y(m, ctx)));
    },
    tangent: (m, ctx, ta, tb) =>
      addTangents(m, ta && timesA(m, ta, a(m, ctx), b(m, ctx), y(m, ctx)), tb && timesB(m, tb, a(m, ctx), b(m, ctx), y(m, ctx))),
  };
}

/** A binary kernel on the raw values of two nodes of one kind. */
export function binaryRaw(kernel: BinaryKernel, a: Node, b: Node): RawValue {
  const ra = a.raw;
  const rb = b.raw;
  if (typeof ra === 'number') return kernel.scalar(ra, rb as number);
  return binary(kernel, ra, rb as NDArray);
}

/** A unary kernel on the raw value of a node. */
export function unaryRaw(kernel: UnaryKernel, x: Node): RawValue {
  const r = x.raw;
  return typeof r === 'number' ? kernel.scalar(r) : unary(kernel, r);
}
