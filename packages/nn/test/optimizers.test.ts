// Each optimiser runs several steps on the same small problem as TensorFlow.js's optimiser of the same name
// (cpu backend, float32; gradients from each library's own autodiff) and must end at the same parameters.
import * as tf from '@tensorflow/tfjs';
import { Generator, type Tensor, tensor } from '@tapegrad/core';
import { AdaGrad, Adam, AdamW, type Optimizer, RMSprop, SGD } from '@tapegrad/nn';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const g = new Generator(5);
const draw = (n: number) => Array.from({ length: n }, () => g.normal());
const X = draw(15);
const Y = draw(10).map((v) => 0.5 * v);
const W0 = draw(6).map((v) => 0.5 * v);
const B0 = draw(2).map((v) => 0.1 * v);
const STEPS = 6;

/** loss = mean((tanh(X W + b) - Y)^2) + (l2 / 2) * |W|^2, X [5, 3], W [3, 2]. */
function runOurs(make: (params: Tensor[]) => Optimizer): number[] {
  const w = tensor(W0, { shape: [3, 2], requiresGrad: true });
  const b = tensor(B0, { shape: [2], requiresGrad: true });
  const opt = make([w, b]);
  const x = tensor(X, { shape: [5, 3] });
  const y = tensor(Y, { shape: [5, 2] });
  for (let i = 0; i < STEPS; i++) {
    opt.zeroGrad();
    x.matmul(w).add(b).tanh().sub(y).square().mean().backward();
    opt.step();
  }
  return [...Array.from(w.data), ...Array.from(b.data)];
}

function runTf(make: () => tf.Optimizer, options: { l2?: number; decoupledDecay?: number; lr?: number } = {}): number[] {
  const w = tf.variable(tf.tensor2d(W0, [3, 2]));
  const b = tf.variable(tf.tensor1d(B0));
  const opt = make();
  const x = tf.tensor2d(X, [5, 3]);
  const y = tf.tensor2d(Y, [5, 2]);
  for (let i = 0; i < STEPS; i++) {
    const { grads } = tf.variableGrads(() => {
      const base = tf.mean(tf.square(tf.sub(tf.tanh(tf.add(tf.matMul(x, w), b)), y)));
      return (options.l2 ? tf.add(base, tf.mul(options.l2 / 2, tf.add(tf.sum(tf.square(w)), tf.sum(tf.square(b))))) : base) as tf.Scalar;
    }, [w, b]);
    if (options.decoupledDecay) {
      // AdamW: shrink the weights by (1 - lr * decay), then take the Adam step with the gradient at the old weights.
      const shrink = 1 - (options.lr ?? 0) * options.decoupledDecay;
      w.assign(tf.mul(w, shrink));
      b.assign(tf.mul(b, shrink));
    }
    opt.applyGradients(grads);
  }
  return [...Array.from(w.dataSync()), ...Array.from(b.dataSync())];
}

function expectSame(ours: number[], theirs: number[]): void {
  expect(ours).toBeAllClose(theirs, { rtol: 2e-5, atol: 2e-6 });
  // The problem must actually move the parameters, or the comparison proves nothing.
  expect(Math.max(...ours.map((v, i) => Math.abs(v - [...W0, ...B0][i])))).toBeGreaterThan(1e-3);
}

describe('optimisers against TensorFlow.js', () => {
  it('SGD = tf.train.sgd', () => {
    expectSame(
      runOurs((p) => new SGD(p, { lr: 0.3 })),
      runTf(() => tf.train.sgd(0.3)),
    );
  });

  it('SGD with momentum = tf.train.momentum', () => {
    expectSame(
      runOurs((p) => new SGD(p, { lr: 0.2, momentum: 0.9 })),
      runTf(() => tf.train.momentum(0.2, 0.9)),
    );
  });

  it('SGD with Nesterov momentum = tf.train.momentum(useNesterov)', () => {
    expectSame(
      runOurs((p) => new SGD(p, { lr: 0.2, momentum: 0.8, nesterov: true })),
      runTf(() => tf.train.momentum(0.2, 0.8, true)),
    );
  });

  it('SGD weightDecay = an L2 penalty (wd/2)|p|^2 in the loss', () => {
    expectSame(
      runOurs((p) => new SGD(p, { lr: 0.2, momentum: 0.9, weightDecay: 0.1 })),
      runTf(() => tf.train.momentum(0.2, 0.9), { l2: 0.1 }),
    );
  });

  it('AdaGrad = tf.train.adagrad with its accumulator start (0.1) and eps inside the root', () => {
    // TF: p -= lr g / sqrt(sum + 1e-7); ours: p -= lr g / (sqrt(sum) + eps). With sum >= 0.1 the eps placements
    // differ by < 1e-6 relative, below float32 resolution here.
    expectSame(
      runOurs((p) => new AdaGrad(p, { lr: 0.3, initialAccumulatorValue: 0.1, eps: 1e-10 })),
      runTf(() => tf.train.adagrad(0.3, 0.1)),
    );
  });

  it('RMSprop = tf.train.rmsprop (alpha is TF decay)', () => {
    expectSame(
      runOurs((p) => new RMSprop(p, { lr: 0.01, alpha: 0.9, eps: 1e-10 })),
      runTf(() => tf.train.rmsprop(0.01, 0.9, 0, 1e-10)),
    );
  });

  it('RMSprop with momentum = tf.train.rmsprop(momentum)', () => {
    expectSame(
      runOurs((p) => new RMSprop(p, { lr: 0.01, alpha: 0.9, momentum: 0.5, eps: 1e-10 })),
      runTf(() => tf.train.rmsprop(0.01, 0.9, 0.5, 1e-10)),
    );
  });

  it('centered RMSprop = tf.train.rmsprop(centered)', () => {
    expectSame(
      runOurs((p) => new RMSprop(p, { lr: 0.01, alpha: 0.9, centered: true, eps: 1e-10 })),
      runTf(() => tf.train.rmsprop(0.01, 0.9, 0, 1e-10, true)),
    );
  });

  it('Adam = tf.train.adam (same eps placement)', () => {
    expectSame(
      runOurs((p) => new Adam(p, { lr: 0.05, betas: [0.9, 0.99], eps: 1e-8 })),
      runTf(() => tf.train.adam(0.05, 0.9, 0.99, 1e-8)),
    );
  });

  it('Adam weightDecay = an L2 penalty in the loss', () => {
    expectSame(
      runOurs((p) => new Adam(p, { lr: 0.05, weightDecay: 0.2 })),
      runTf(() => tf.train.adam(0.05, 0.9, 0.999, 1e-8), { l2: 0.2 }),
    );
  });

  it('AdamW = decoupled shrink by (1 - lr wd) followed by tf.train.adam', () => {
    expectSame(
      runOurs((p) => new AdamW(p, { lr: 0.05, weightDecay: 0.5 })),
      runTf(() => tf.train.adam(0.05, 0.9, 0.999, 1e-8), { decoupledDecay: 0.5, lr: 0.05 }),
    );
  });
});

describe('optimiser behaviour', () => {
  it('bumps parameter versions, so a graph that saved the old value refuses to backward', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const opt = new SGD([w], { lr: 0.1 });
    w.mul(w).sum().backward();
    const stale = w.mul(w).sum();
    opt.step();
    expect(() => stale.backward()).toThrow(/modified in place/);
  });

  it('skips parameters without a gradient and counts steps', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([1], { requiresGrad: true });
    const opt = new Adam([a, b], { lr: 0.1 });
    a.mul(3).sum().backward();
    opt.step();
    expect(b.item()).toBe(1);
    expect(a.item()).toBeCloseTo(1 - (0.1 * 3) / (3 + 1e-8), 14); // Adam's first step: lr * g / (|g| + eps)
    expect(opt.stepCount).toBe(1);
  });

  it('restores its state from stateDict, continuing exactly', () => {
    const run = (resumeAfter: number | null) => {
      const w = tensor([0.5, -1.5], { requiresGrad: true });
      let opt = new Adam([w], { lr: 0.1 });
      for (let i = 0; i < 4; i++) {
        if (i === resumeAfter) {
          const saved = opt.stateDict();
          opt = new Adam([w], { lr: 0.1 });
          opt.loadStateDict(saved);
        }
        opt.zeroGrad();
        w.mul(w).mul(w).sum().backward();
        opt.step();
      }
      return Array.from(w.data);
    };
    expect(run(2)).toEqual(run(null));
  });

  it('rejects bad options with messages naming them', () => {
    const w = tensor([1], { requiresGrad: true });
    expect(() => new SGD([w], { lr: -1 })).toThrow(/SGD: lr must be a finite number >= 0/);
    expect(() => new SGD([w], { nesterov: true })).toThrow(/nesterov needs momentum > 0/);
    expect(() => new Adam([w], { betas: [1, 0.9] })).toThrow(/betas\[0\] must be/);
    expect(() => new Adam([tensor([1])])).toThrow(/does not require grad/);
    expect(() => new Adam([])).toThrow(/empty parameter list/);
  });
});
