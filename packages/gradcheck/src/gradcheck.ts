/**
 * gradcheck compares the tape's gradients with central differences for every input that requires grad;
 * gradgradcheck does the same for second derivatives (the gradient of <df/dx, v> for a random v).
 */
import { DTypeError, Generator, GradError, Node, Scalar, Tensor, enableGrad, noGrad, sweep } from '@tapegrad/core';
import { numericalGradients, scalarValue } from './numerical.js';
import { GradcheckReport, compareInput } from './report.js';

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
  /** Seed of the random projection used for non-scalar outputs (default 0). */
  readonly seed?: number;
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

function run(
  evaluate: () => unknown,
  inputs: readonly Node[],
  checked: readonly Node[],
  options: GradcheckOptions,
  title: string,
): GradcheckReport {
  const tol = { eps: options.eps ?? 1e-6, atol: options.atol ?? 1e-5, rtol: options.rtol ?? 1e-3 };
  const analytic = analyticGradients(evaluate, checked, title);
  const numeric = numericalGradients(evaluate, checked, { eps: tol.eps });
  const reports = checked.map((x, k) => compareInput(inputs.indexOf(x), x.label, x.shape, flat(analytic[k]), numeric[k], tol));
  return new GradcheckReport(reports, tol, title);
}

/**
 * Checks f's gradients against central differences for every input that requires grad.
 * Non-scalar outputs are checked through a fixed random projection <f(x), r>.
 * @example
 * const r = gradcheck((a, b) => a.mul(b).sum(), [a, b]);
 * r.ok; r.inputs[0].maxAbsError; console.log(r.toString());
 */
export function gradcheck(f: Fn, inputs: readonly unknown[], options: GradcheckOptions = {}): GradcheckReport {
  const checked = checkedInputs(inputs, options, 'gradcheck');
  const project = projector(options);
  return run(() => project(f(...inputs)), inputs as Node[], checked, options, 'gradcheck');
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
