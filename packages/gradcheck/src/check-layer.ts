/**
 * checkLayer verifies a hand-written layer object (forward(...) / backward(dout), the textbook style) against
 * central differences of L = <forward(inputs), dout>, for its inputs and optionally its parameters.
 */
import { DTypeError, type Node, Scalar, Tensor, noGrad, scalar } from '@tapegrad/core';
import { numericalGradients } from './numerical.js';
import { GradcheckReport, type InputReport, compareInput } from './report.js';

/** A hand-written layer in the textbook style. */
export interface Layer {
  /** Computes the output from the inputs (numbers or tensors), keeping what backward needs. */
  forward(...inputs: any[]): unknown;
  /** Given dL/dout, returns dL/dinput: one gradient, or one per input. */
  backward(dout: unknown): unknown;
}

/** Options of `checkLayer` (defaults: eps 1e-6, atol 1e-5, rtol 1e-3). */
export interface CheckLayerOptions {
  /** Central-difference step (default 1e-6). */
  readonly eps?: number;
  /** Absolute tolerance (default 1e-5). */
  readonly atol?: number;
  /** Relative tolerance (default 1e-3). */
  readonly rtol?: number;
  /**
   * Parameters to check as well: parameter property -> the property holding its gradient after backward,
   * e.g. `{ W: 'dW', b: 'db' }` for an Affine layer.
   */
  readonly params?: Readonly<Record<string, string>>;
}

type Value = number | Tensor;

function asNode(v: Value, what: string): Node {
  if (typeof v === 'number') return scalar(v);
  if (v instanceof Tensor) {
    if (v.dtype !== 'float64') throw new DTypeError(`checkLayer: ${what} is ${v.dtype}; use float64 so differences mean something`);
    return v;
  }
  throw new DTypeError(`checkLayer: ${what} must be a number or a Tensor, got ${typeof v}`);
}

function values(n: Node): ArrayLike<number> {
  return n instanceof Scalar ? [n.value] : (n as Tensor).data;
}

function dot(out: unknown, dout: Value): number {
  if (typeof out === 'number') {
    if (typeof dout !== 'number') throw new DTypeError('checkLayer: forward returned a number, so dout must be a number');
    return out * dout;
  }
  if (out instanceof Tensor) {
    const d = typeof dout === 'number' ? null : dout.data;
    if (d !== null && d.length !== out.size)
      throw new DTypeError(`checkLayer: dout has ${d.length} elements, forward returned ${out.size}`);
    let s = 0;
    for (let i = 0; i < out.size; i++) s += out.data[i] * (d === null ? (dout as number) : d[i]);
    return s;
  }
  if (out instanceof Scalar) return dot(out.value, dout);
  throw new DTypeError(`checkLayer: forward returned ${typeof out}; expected a number or a Tensor`);
}

/**
 * @example
 * const r = checkLayer(new MulLayer(), [100, 2], 1.1);   // dx = dout*y, dy = dout*x
 * r.ok;
 */
export function checkLayer(layer: Layer, inputs: readonly Value[], dout: Value, options: CheckLayerOptions = {}): GradcheckReport {
  const tol = { eps: options.eps ?? 1e-6, atol: options.atol ?? 1e-5, rtol: options.rtol ?? 1e-3 };
  const nodes = inputs.map((v, i) => asNode(v, `input ${i}`));
  const current = (): unknown[] => nodes.map((n) => (n instanceof Scalar ? n.value : n));
  noGrad(() => layer.forward(...current()));
  const raw = layer.backward(dout);
  const grads = (Array.isArray(raw) ? raw : [raw]) as Value[];
  if (grads.length !== inputs.length) {
    throw new DTypeError(`checkLayer: backward returned ${grads.length} gradients for ${inputs.length} inputs`);
  }
  const params = Object.entries(options.params ?? {}).map(([p, g]) => {
    const holder = layer as unknown as Record<string, unknown>;
    const value = holder[p];
    const gradient = holder[g];
    if (!(value instanceof Tensor) || !(gradient instanceof Tensor)) {
      throw new DTypeError(`checkLayer: layer.${p} and layer.${g} must both be Tensors after backward`);
    }
    return { name: p, node: asNode(value, `layer.${p}`), gradient };
  });
  const evaluate = () => dot(layer.forward(...current()), dout);
  const all = [...nodes, ...params.map((p) => p.node)];
  const numeric = numericalGradients(evaluate, all, { eps: tol.eps });
  const reports: InputReport[] = nodes.map((n, i) =>
    compareInput(
      i,
      `input ${i}`,
      n.shape,
      typeof grads[i] === 'number' ? [grads[i]] : values(asNode(grads[i], `gradient ${i}`)),
      numeric[i],
      tol,
    ),
  );
  params.forEach((p, k) =>
    reports.push(compareInput(nodes.length + k, p.name, p.node.shape, p.gradient.data, numeric[nodes.length + k], tol)),
  );
  // Leave the layer as backward left it, for the caller.
  noGrad(() => layer.forward(...current()));
  layer.backward(dout);
  return new GradcheckReport(reports, tol, 'checkLayer');
}
