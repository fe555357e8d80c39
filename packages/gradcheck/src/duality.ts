/**
 * The duality check: forward and reverse mode must compute transposes of one linear map, J. For random u (one input
 * at a time) and v (one per output), <v, J u> from forward mode (jvp) must equal <J^T v, u> from reverse mode (a
 * backward sweep seeded with v) up to float64 rounding: two independent computations of one number, with no finite
 * difference and so no step size to choose. A tangent rule that disagrees with its gradient rule fails it.
 *
 * With `secondOrder`, the same for the gradient of <f, w> (its Jacobian is the Hessian H, which is symmetric):
 * <v, H u> by forward-over-reverse (jvp of the gradient) against <H v, u> by reverse-over-reverse.
 */
import { DTypeError, Generator, GradError, Node, Scalar, type Tensor, enableGrad, jvp, sweep } from '@tapegrad/core';

/** Options of `checkDuality`. */
export interface DualityOptions {
  /**
   * Relative tolerance on |forward - reverse|, measured against the Cauchy-Schwarz scale of the products
   * (max of |v| |J u| and |J^T v| |u|), so cancellation in the inner product does not inflate it. Default 1e-12.
   */
  readonly rtol?: number;
  /** Seed of the random directions u and v (default 0). */
  readonly seed?: number;
  /** Also check second order: forward-over-reverse against reverse-over-reverse (default false). */
  readonly secondOrder?: boolean;
  /** Check float32 inputs anyway (pass a looser rtol). Default false. */
  readonly allowFloat32?: boolean;
}

/** The duality check of one input (with the other inputs held still). */
export interface DualityInput {
  /** Position of the input in the argument list. */
  readonly input: number;
  /** The input's label (its name, or `%id`). */
  readonly label: string;
  /** Which map: 'J' (first order) or 'H' (second order, the Jacobian of the gradient). */
  readonly map: 'J' | 'H';
  /** <v, J u> by forward mode. */
  readonly forward: number;
  /** <J^T v, u> by reverse mode. */
  readonly reverse: number;
  /** |forward - reverse|. */
  readonly absError: number;
  /** |forward - reverse| over the Cauchy-Schwarz scale of the two products. */
  readonly relError: number;
  /** Whether relError is within rtol. */
  readonly ok: boolean;
}

/**
 * The result of `checkDuality`: one entry per checked input (and per order).
 * @example
 * const r = checkDuality((x) => x.tanh().sum(), [x]);
 * if (!r.ok) console.log(r.toString());
 */
export class DualityReport {
  constructor(
    /** One entry per checked input (first order, then second order when asked). */
    readonly inputs: readonly DualityInput[],
    /** The relative tolerance used. */
    readonly rtol: number,
  ) {}

  /** True when every entry is within tolerance. */
  get ok(): boolean {
    return this.inputs.every((r) => r.ok);
  }

  /** One line per entry: both inner products and their relative difference. */
  toString(): string {
    const lines = [`checkDuality: ${this.ok ? 'passed' : 'FAILED'} (rtol ${this.rtol})`];
    for (const r of this.inputs) {
      const [fwd, rev] = r.map === 'J' ? ['<v, J u>', '<J^T v, u>'] : ['<v, H u>', '<H v, u>'];
      lines.push(
        `  input ${r.input} ${r.label} (${r.map}): ${r.ok ? 'ok' : 'FAIL'}  forward ${fwd} = ${r.forward}  reverse ${rev} = ${r.reverse}  rel error ${r.relError.toExponential(2)}`,
      );
    }
    return lines.join('\n');
  }
}

type Fn = (...inputs: any[]) => unknown;

/**
 * Checks that forward mode (jvp) and reverse mode (backward) agree: <v, J u> = <J^T v, u> for random u and v, one
 * input at a time, to float64 rounding. Inputs that require grad are checked; `f` may return a node or a list.
 * @example
 * const r = checkDuality((a, b) => a.matmul(b).tanh(), [a, b]);
 * r.ok; r.inputs[0].relError;
 */
export function checkDuality(f: Fn, inputs: readonly unknown[], options: DualityOptions = {}): DualityReport {
  const nodes = inputs.map((x, i) => {
    if (!(x instanceof Node)) throw new DTypeError(`checkDuality: input ${i} is ${typeof x}; pass Scalars or Tensors`);
    if (x.requiresGrad && x.dtype === 'float32' && !options.allowFloat32)
      throw new DTypeError(
        `checkDuality: input ${i} (${x.label}) is float32; check in float64, or pass { allowFloat32: true } with a looser rtol`,
      );
    return x;
  });
  const checked = nodes.filter((x) => x.requiresGrad);
  if (checked.length === 0) throw new GradError('checkDuality: no input requires grad, so there is nothing to check');
  const rtol = options.rtol ?? 1e-12;
  const g = new Generator(options.seed ?? 0);
  const entries = firstOrder(f, nodes, checked, g, rtol);
  if (options.secondOrder) entries.push(...secondOrder(f, nodes, checked, g, rtol));
  return new DualityReport(entries, rtol);
}

function firstOrder(f: Fn, inputs: readonly Node[], checked: readonly Node[], g: Generator, rtol: number): DualityInput[] {
  const outs = leaves(
    enableGrad(() => f(...inputs)),
    'checkDuality',
  );
  const vs = outs.map((o) => randomLike(o, g));
  const reverse = pullback(outs, vs, checked);
  return checked.map((x, k) => {
    const u = randomLike(x, g);
    const i = inputs.indexOf(x);
    const [, tangentOut] = jvp(
      (...xs: Node[]) => f(...xs) as never,
      inputs as never,
      inputs.map((y, j) => (j === i ? u : zeroLike(y))) as never,
    );
    const ju = leaves(tangentOut, 'checkDuality');
    return entry(i, x.label, 'J', dotAll(vs, ju), dot(reverse[k], u), norm(vs) * norm(ju), norm([reverse[k]]) * norm([u]), rtol);
  });
}

/** H is the Jacobian of x -> grad <f(x), w>, w random; forward-over-reverse and reverse-over-reverse must agree. */
function secondOrder(f: Fn, inputs: readonly Node[], checked: readonly Node[], g: Generator, rtol: number): DualityInput[] {
  const ws = leaves(
    enableGrad(() => f(...inputs)),
    'checkDuality',
  ).map((o) => randomLike(o, g));
  const gradient = (...xs: Node[]): Node[] =>
    enableGrad(() => {
      const outs = leaves(f(...xs), 'checkDuality');
      const targets = checked.map((x) => xs[inputs.indexOf(x)]);
      return pullback(outs, ws, targets, true);
    });
  return checked.map((x) => {
    const i = inputs.indexOf(x);
    const u = randomLike(x, g);
    const vs = checked.map((c) => randomLike(c, g));
    const [, hu] = jvp(gradient as never, inputs as never, inputs.map((y, j) => (j === i ? u : zeroLike(y))) as never);
    // <H v, u>: the gradient of <grad, v> with respect to input i, dotted with u.
    const hv = enableGrad(() => {
      const grads = gradient(...inputs);
      let total: Node | null = null;
      grads.forEach((gr, j) => {
        const term = inner(gr, vs[j]);
        total = total === null ? term : total.add(term);
      });
      return pullback([total!], [oneLike(total!)], [x])[0];
    });
    const huList = hu as unknown as Node[];
    return entry(i, x.label, 'H', dotAll(vs, huList), dot(hv, u), norm(vs) * norm(huList), norm([hv]) * norm([u]), rtol);
  });
}

function entry(
  input: number,
  label: string,
  map: 'J' | 'H',
  forward: number,
  reverse: number,
  scaleF: number,
  scaleR: number,
  rtol: number,
): DualityInput {
  const absError = Math.abs(forward - reverse);
  const relError = absError / Math.max(scaleF, scaleR, Number.MIN_VALUE);
  return { input, label, map, forward, reverse, absError, relError, ok: relError <= rtol };
}

/** The gradients of sum_k <outs[k], seeds[k]> with respect to `targets`, by one backward sweep. */
function pullback(outs: readonly Node[], seeds: readonly Node[], targets: readonly Node[], createGraph = false): Node[] {
  const live = outs.map((o, k) => [o, seeds[k]] as const).filter(([o]) => o.requiresGrad);
  if (live.length === 0) return targets.map((t) => t.zerosLike());
  return sweep({ roots: live.map(([o]) => o), seeds: live.map(([, s]) => s), targets, createGraph });
}

function leaves(out: unknown, what: string): Node[] {
  if (out instanceof Node) return [out];
  if (Array.isArray(out)) return out.flatMap((o) => leaves(o, what));
  throw new GradError(`${what}: the function must return a Scalar, a Tensor or a list of them, got ${typeof out}`);
}

function values(n: Node): ArrayLike<number> {
  return n instanceof Scalar ? [n.value] : (n as Tensor).data;
}

function randomLike(n: Node, g: Generator): Node {
  if (n instanceof Scalar) return new Scalar(g.normal(), false);
  const t = (n as Tensor).zerosLike();
  for (let i = 0; i < t.size; i++) t.data[i] = g.normal();
  return t;
}

function zeroLike(n: Node): Node {
  return n.zerosLike();
}

function oneLike(n: Node): Node {
  return n instanceof Scalar ? new Scalar(1, false) : (n as Tensor).zerosLike().add(1);
}

/** <a, b> as a node (recorded when either takes part in a graph). */
function inner(a: Node, b: Node): Node {
  const p = a.mul(b);
  return p instanceof Scalar ? p : (p as Tensor).sum();
}

function dot(a: Node, b: Node): number {
  const x = values(a);
  const y = values(b);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

function dotAll(as: readonly Node[], bs: readonly Node[]): number {
  return as.reduce((s, a, k) => s + dot(a, bs[k]), 0);
}

function norm(ns: readonly Node[]): number {
  let s = 0;
  for (const n of ns) for (const v of Array.from(values(n))) s += v * v;
  return Math.sqrt(s);
}
