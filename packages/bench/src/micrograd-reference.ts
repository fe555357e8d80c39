/**
 * The W3 yardstick: a minimal closure-based scalar autodiff, a line-for-line port of Karpathy's micrograd
 * (each node keeps a `backward` closure; the sweep is a topological sort then a reverse walk). It is what a
 * JavaScript user would write by hand, so tapegrad's Scalar path should stay within 1.5x of it.
 */
import type { ScalarMlpData } from './data.js';

let created = 0;

/** A scalar node: its value, its accumulated gradient and the closure that pushes its gradient to its inputs. */
export class Value {
  grad = 0;
  backwardStep: () => void = noop;

  constructor(
    public data: number,
    readonly prev: readonly Value[] = [],
  ) {
    created++;
  }

  add(other: Value | number): Value {
    const o = typeof other === 'number' ? new Value(other) : other;
    const out = new Value(this.data + o.data, [this, o]);
    out.backwardStep = () => {
      this.grad += out.grad;
      o.grad += out.grad;
    };
    return out;
  }

  mul(other: Value | number): Value {
    const o = typeof other === 'number' ? new Value(other) : other;
    const out = new Value(this.data * o.data, [this, o]);
    out.backwardStep = () => {
      this.grad += o.data * out.grad;
      o.grad += this.data * out.grad;
    };
    return out;
  }

  sub(other: Value | number): Value {
    return this.add(typeof other === 'number' ? -other : other.mul(-1));
  }

  tanh(): Value {
    const t = Math.tanh(this.data);
    const out = new Value(t, [this]);
    out.backwardStep = () => {
      this.grad += (1 - t * t) * out.grad;
    };
    return out;
  }

  backward(): void {
    const topo: Value[] = [];
    const visited = new Set<Value>();
    const build = (v: Value): void => {
      if (visited.has(v)) return;
      visited.add(v);
      for (const child of v.prev) build(child);
      topo.push(v);
    };
    build(this);
    this.grad = 1;
    for (let i = topo.length - 1; i >= 0; i--) topo[i].backwardStep();
  }
}

function noop(): void {}

/**
 * The shared W3 program, written once against the few methods both Scalar and Value have, so the
 * reference and tapegrad build the same graph node for node.
 */
export interface ScalarLike<T> {
  add(o: T | number): T;
  mul(o: T | number): T;
  sub(o: T | number): T;
  tanh(): T;
}

/** Forward pass of the scalar MLP and its squared-error loss over every sample. */
export function scalarMlpLoss<T extends ScalarLike<T>>(params: readonly (readonly (readonly T[])[])[], data: ScalarMlpData): T {
  let loss: T | null = null;
  for (let s = 0; s < data.xs.length; s++) {
    let acts: (T | number)[] = data.xs[s].slice();
    for (const layer of params) {
      acts = layer.map((neuron) => {
        const nin = neuron.length - 1;
        let act = neuron[nin];
        for (let i = 0; i < nin; i++) act = act.add(neuron[i].mul(acts[i]));
        return act.tanh();
      });
    }
    const diff = (acts[0] as T).sub(data.ys[s]);
    const sq = diff.mul(diff);
    loss = loss === null ? sq : loss.add(sq);
  }
  return loss as T;
}

/** The reference's parameters, as `Value`s holding the seeded starting weights. */
export function referenceParams(data: ScalarMlpData): Value[][][] {
  return data.weights.map((layer) => layer.map((neuron) => neuron.map((w) => new Value(w))));
}

/** How many nodes one forward pass creates (ops and the constants they wrap), counted by running it. */
export function countScalarMlpNodes(data: ScalarMlpData): number {
  const params = referenceParams(data);
  const before = created;
  scalarMlpLoss(params, data);
  return created - before;
}
