/**
 * gradcheck compares the tape's gradients with central differences for every input that requires grad;
 * gradgradcheck does the same for second derivatives (the gradient of <df/dx, v> for a random v). With
 * `mode: 'forward'` the derivatives come from forward mode (jvp, one per element) instead of the backward sweep;
 * with `fast: true`, one random direction per input replaces the per-element differences (PyTorch's fast mode).
 */
import { DTypeError, Generator, GradError, Node, Scalar, Tensor, enableGrad, jvp, noGrad, sweep } from '@tapegrad/core';
import { numericalGradients, scalarValue } from './numerical.js';
import { shifted } from './perturb.js';
import { GradcheckReport, type InputReport, compareInput } from './report.js';

/** Options of `gradcheck` and `gradgradcheck` (defaults: eps 1e-6, atol 1e-5, rtol 1e-3). */
export interface GradcheckOptions {
  /** Central-difference step (default 1e-6). */
  readonly eps?: number;
  /** Absolute tolerance (default 1e-5). */
  readonly atol?: number;
  /** Relative tolerance (default 1e-3). */
  readonly rtol?: number;
  /** Check float32 inputs anyway (their differences are too coarse to prove much). Default false. */
  readonly allowFloat32?: boolean;
  /** Seed of the random projection used for non-scalar outputs, and of fast mode's directions (default 0). */
  readonly seed?: number;
  /**
   * Which derivatives to check against central differences: 'reverse' (the backward sweep, the default) or
   * 'forward' (forward mode: one jvp per element, each giving one column of the Jacobian).
   */
  readonly mode?: 'reverse' | 'forward';
  /**
   * Fast mode, for large inputs (PyTorch's fast gradcheck): per input, one random direction u and one central
   * difference along it, (F(x + eps u) - F(x - eps u)) / 2 eps, compared with <grad F, u> from the backward sweep
   * and with J u from forward mode. Two evaluations per input instead of two per element. Default false.
   */
  readonly fast?: boolean;
}

type Fn = (...inputs: any[]) => unknown;

function checkedInputs(inputs: readonly unknown[], options: GradcheckOptions, what: string): Node[] {
  const nodes = inputs.map((x, i) => {
    if (!(x instanceof Node)) throw new DTypeError(`${what}: input ${i} is ${typeof x}; pass Scalars or Tensors`);
    if (x.requiresGrad && x.dtype === 'float32' && !options.allowFloat32) {
      throw new DTypeError(
        `${what}: input ${i} (${x.label}) is float32; float32 central differences are too coarse to check a gradient. ` +
          `Use float64 inputs, or pass { allowFloat32: true } with a looser eps and tolerance.`,
      );
    }
    return x;
  });
  const checked = nodes.filter((x) => x.requiresGrad);
  if (checked.length === 0) throw new GradError(`${what}: no input requires grad, so there is nothing to check`);
  return checked;
}

/** f's output reduced to one value: itself if single, else <f(x), r> for a fixed random r (a random projection). */
function projector(options: GradcheckOptions): (out: unknown) => Node | number {
  let r: Tensor | null = null;
  return (out) => {
    if (!(out instanceof Tensor) || out.size === 1) return out as Node;
    if (r === null || r.size !== out.size) {
      const g = new Generator(options.seed ?? 0);
      r = noGrad(() => out.detach().zerosLike());
      for (let i = 0; i < r.size; i++) r.data[i] = g.normal();
    }
    return out.mul(r.cast(out.dtype)).sum();
  };
}

function analyticGradients(evaluate: () => unknown, targets: readonly Node[], what: string, createGraph = false): Node[] {
  return enableGrad(() => {
    const out = evaluate();
    scalarValue(out, what);
    if (!(out instanceof Node) || !out.requiresGrad) return targets.map((t) => t.zerosLike());
    const seed = out instanceof Scalar ? new Scalar(1, false) : (out as Tensor).zerosLike().add(1);
    return sweep({ roots: [out], seeds: [seed], targets, createGraph });
  });
}

function flat(n: Node): ArrayLike<number> {
  return n instanceof Scalar ? [n.value] : (n as Tensor).data;
}

/** Forward mode's gradient of the single value F(...inputs): element j is the tangent of F along the unit vector e_j. */
function forwardGradients(F: (...xs: Node[]) => unknown, inputs: readonly Node[], checked: readonly Node[], what: string): Float64Array[] {
  return checked.map((x) => {
    const i = inputs.indexOf(x);
    const grad = new Float64Array(x.size);
    for (let j = 0; j < x.size; j++) grad[j] = directional(F, inputs, i, unitLike(x, j), what);
    return grad;
  });
}

/** The tangent of the single value F along `u` on input `i` (the other inputs held still), by jvp. */
function directional(F: (...xs: Node[]) => unknown, inputs: readonly Node[], i: number, u: Node, what: string): number {
  const tangents = inputs.map((y, k) => (k === i ? u : y.zerosLike()));
  const [out, t] = jvp(((...xs: Node[]) => F(...xs)) as never, inputs as never, tangents as never) as unknown as [unknown, Node];
  scalarValue(out, what);
  return t.item();
}

function unitLike(x: Node, j: number): Node {
  if (x instanceof Scalar) return new Scalar(1, false);
  const e = (x as Tensor).zerosLike();
  e.data[j] = 1;
  return e;
}

function tolerance(options: GradcheckOptions): { eps: number; atol: number; rtol: number } {
  return { eps: options.eps ?? 1e-6, atol: options.atol ?? 1e-5, rtol: options.rtol ?? 1e-3 };
}

function run(
  evaluate: () => unknown,
  inputs: readonly Node[],
  checked: readonly Node[],
  options: GradcheckOptions,
  title: string,
  forward?: (...xs: Node[]) => unknown,
): GradcheckReport {
  const tol = tolerance(options);
  const analytic = forward ? forwardGradients(forward, inputs, checked, title) : analyticGradients(evaluate, checked, title).map(flat);
  const numeric = numericalGradients(evaluate, checked, { eps: tol.eps });
  const reports = checked.map((x, k) => compareInput(inputs.indexOf(x), x.label, x.shape, analytic[k], numeric[k], tol));
  return new GradcheckReport(reports, tol, forward ? `${title} (forward mode)` : title);
}

/**
 * Fast mode: for each checked input, a random direction u; the central difference of F along u against <grad F, u>
 * (reverse mode) and the tangent of F along u (forward mode).
 */
function runFast(
  F: (...xs: Node[]) => unknown,
  inputs: readonly Node[],
  checked: readonly Node[],
  options: GradcheckOptions,
  title: string,
) {
  const tol = tolerance(options);
  const g = new Generator((options.seed ?? 0) + 7);
  const evaluate = () => F(...inputs);
  const grads = options.mode === 'forward' ? null : analyticGradients(evaluate, checked, title);
  const reports = checked.map((x, k): InputReport => {
    const i = inputs.indexOf(x);
    const u = x.zerosLike();
    const ud = u instanceof Scalar ? null : (u as Tensor).data;
    if (u instanceof Scalar) u.value = g.normal();
    else for (let j = 0; j < ud!.length; j++) ud![j] = g.normal();
    const uv = ud ?? [(u as Scalar).value];
    const value = () => noGrad(() => scalarValue(evaluate(), title));
    const numeric = (shifted(x, uv, tol.eps, value, title) - shifted(x, uv, -tol.eps, value, title)) / (2 * tol.eps);
    const analytic: number[] = [];
    const labels: string[] = [];
    if (grads !== null) {
      const gv = flat(grads[k]);
      let s = 0;
      for (let j = 0; j < uv.length; j++) s += gv[j] * uv[j];
      analytic.push(s);
      labels.push('reverse mode <grad, u>');
    }
    analytic.push(directional(F, inputs, i, u, title));
    labels.push('forward mode J u');
    return compareInput(
      i,
      x.label,
      x.shape,
      analytic,
      analytic.map(() => numeric),
      tol,
      labels,
    );
  });
  return new GradcheckReport(reports, tol, `${title} (fast: one random direction per input)`);
}

/**
 * Checks f's gradients against central differences for every input that requires grad.
 * Non-scalar outputs are checked through a fixed random projection <f(x), r>.
 * @example
 * const r = gradcheck((a, b) => a.mul(b).sum(), [a, b]);
 * r.ok; r.inputs[0].maxAbsError; console.log(r.toString());
 * gradcheck(f, [big], { fast: true });        // one random direction per input (reverse and forward mode)
 * gradcheck(f, [a, b], { mode: 'forward' });  // the same check of forward mode, one jvp per element
 */
export function gradcheck(f: Fn, inputs: readonly unknown[], options: GradcheckOptions = {}): GradcheckReport {
  const checked = checkedInputs(inputs, options, 'gradcheck');
  const project = projector(options);
  const F = (...xs: Node[]) => project(f(...xs));
  if (options.fast) return runFast(F, inputs as Node[], checked, options, 'gradcheck');
  return run(() => F(...(inputs as Node[])), inputs as Node[], checked, options, 'gradcheck', options.mode === 'forward' ? F : undefined);
}

/**
 * Checks second derivatives: the gradient of <df/dx, v> (v random, fixed) against central differences,
 * so a backward rule that is itself differentiated wrongly is caught.
 * @example
 * gradgradcheck((x) => x.tanh().sum(), [x]).ok;
 */
export function gradgradcheck(f: Fn, inputs: readonly unknown[], options: GradcheckOptions = {}): GradcheckReport {
  const checked = checkedInputs(inputs, options, 'gradgradcheck');
  const project = projector(options);
  const g = new Generator((options.seed ?? 0) + 1);
  const directions = checked.map((x) => x.zerosLike());
  for (const v of directions) {
    if (v instanceof Scalar) v.value = g.normal();
    else for (let i = 0; i < v.size; i++) (v as Tensor).data[i] = g.normal();
  }
  const firstOrder = (): Node | number =>
    enableGrad(() => {
      const out = project(f(...inputs));
      if (!(out instanceof Node) || !out.requiresGrad) return 0;
      const seed = out instanceof Scalar ? new Scalar(1, false) : (out as Tensor).zerosLike().add(1);
      const grads = sweep({ roots: [out], seeds: [seed], targets: checked, createGraph: true });
      let total: Node | null = null;
      grads.forEach((gr, k) => {
        const term = gr instanceof Scalar ? gr.mul(directions[k] as Scalar) : (gr as Tensor).mul(directions[k] as Tensor).sum();
        total = total === null ? term : total.add(term);
      });
      return total!;
    });
  return run(firstOrder, inputs as Node[], checked, options, 'gradgradcheck');
}
