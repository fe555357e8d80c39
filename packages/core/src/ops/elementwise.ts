/**
 * Elementwise ops declared once. `elementwise({ name, kernel, saves, gradient })` makes the op function: forward is
 * derived from the kernel (its number form for Scalars, its typed-array loop for Tensors) and from `saves`, and the
 * kernel stays on the definition, so a Scalar method runs it directly when nothing is recorded. The batching rule
 * (vmap) is derived too: the op applied to the operands' batched values, lined up (ops/batching.ts). An op file
 * then holds its math, its kernel's name and its rule, and nothing else.
 */
import type { BatchRule } from '../autodiff/batching.js';
import type { OpContext } from '../autodiff/context.js';
import { type DefinedOp, type OpFunction, defineOp } from '../autodiff/define-op.js';
import type { GradMath, RuleMath } from '../autodiff/grad-math.js';
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

/** What `elementwise` takes. */
export interface ElementwiseSpec<K extends ElementwiseKernel> {
  /** The op's name, also its method name on Scalar and Tensor. */
  readonly name: string;
  /** The forward computation (ndarray/kernels): one value per element. */
  readonly kernel: K;
  /** What the rules read through `m.input` / `m.output`, so that forward saves exactly that. */
  readonly saves: Saves;
  /** The gradient rule over GradMath: it hands each input's gradient to `m.inputGrad(i, g)`. */
  gradient<V>(m: GradMath<V>, ctx: OpContext, gradOutput: V): void;
  /**
   * The forward-mode rule, in the same language: the tangent of each input (for an op of two operands, null for
   * one that is not perturbed) gives the output's, reading saved values as `gradient` does. For sin:
   * `tangent: (m, ctx, dx) => m.mul(dx, m.cos(m.input(ctx, 0)))`; for mul,
   * `(m, ctx, da, db) => addTangents(m, da && m.mul(da, m.input(ctx, 1)), db && m.mul(db, m.input(ctx, 0)))`.
   */
  readonly tangent: ElementwiseTangent<K>;
}

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
 * Declares an elementwise op from its kernel and its rule (see the file comment).
 * @example
 * // y = sin x; dx = dy * cos x (backward), dy = dx * cos x (forward)
 * export const sin = elementwise({
 *   name: 'sin',
 *   kernel: kernels.sin,
 *   saves: 'inputs',
 *   gradient: (m, ctx, dy) => m.inputGrad(0, m.mul(dy, m.cos(m.input(ctx, 0)))),
 *   tangent: (m, ctx, dx) => m.mul(dx, m.cos(m.input(ctx, 0))),
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
  const op = defineOp({ ...spec, forward, batch }) as unknown as ElementwiseOp<K>;
  return op;
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
