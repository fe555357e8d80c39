// Each optimiser runs several steps on the same small problem as TensorFlow.js's optimiser of the same name
// (cpu backend, float32; gradients from each library's own autodiff) and must end at the same parameters.
import * as tf from '@tensorflow/tfjs';
import { DTypeError, Generator, ShapeError, type Tensor, TapegradError, tensor } from '@tapegrad/core';
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

  it('skips parameters without a gradient and counts calls to step', () => {
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
    expect(() => new Adam([w, w])).toThrow(/parameter 1 \(%\d+\) appears twice/);
  });
});

describe('per-parameter steps (issue 12)', () => {
  it('Adam: a parameter whose first gradient arrives at step 2 takes a first step, ending at 0.9 with lr 0.1', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([1], { requiresGrad: true });
    const opt = new Adam([a, b], { lr: 0.1 });
    a.grad = tensor([1]);
    opt.step();
    a.grad = tensor([1]);
    b.grad = tensor([1]);
    opt.step();
    // Adam's first step is lr * g / (|g| + eps) whatever g is: bias correction makes m and sqrt(v) equal |g|.
    expect(b.item()).toBeCloseTo(1 - 0.1 / (1 + 1e-8), 15);
    expect(opt.stateDict()['1.step'].item()).toBe(1);
    expect(opt.stateDict()['0.step'].item()).toBe(2);
    expect(opt.stepCount).toBe(2);
  });

  it('AdamW and AdaGrad (lrDecay) also count per parameter', () => {
    const late = (make: (p: Tensor[]) => Optimizer) => {
      const a = tensor([1], { requiresGrad: true });
      const b = tensor([2], { requiresGrad: true });
      const opt = make([a, b]);
      for (let i = 0; i < 3; i++) {
        a.grad = tensor([0.5]);
        b.grad = i === 2 ? tensor([0.5]) : null;
        opt.step();
      }
      return b.item();
    };
    // b's only step is its first: AdamW shrinks by (1 - lr wd), then moves lr * sign(g).
    expect(late((p) => new AdamW(p, { lr: 0.1, weightDecay: 0.5 }))).toBeCloseTo(2 * (1 - 0.05) - 0.1 / (1 + 2e-8), 7);
    // AdaGrad's first step uses lr / (1 + 0 * lrDecay) and sum = g^2: lr * g / |g|.
    expect(late((p) => new AdaGrad(p, { lr: 0.1, lrDecay: 1 }))).toBeCloseTo(2 - 0.1, 9);
  });

  it('skips parameters without a gradient: their state and step count stay put', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3], { requiresGrad: true });
    const opt = new RMSprop([a, b], { lr: 0.1 });
    a.grad = tensor([1, 1]);
    opt.step();
    opt.step();
    expect(b.item()).toBe(3);
    expect(Object.keys(opt.stateDict()).filter((k) => k.startsWith('1.'))).toEqual([]);
  });
});

describe('a gradient of the wrong shape or dtype (issue 12)', () => {
  const all: Array<[string, (p: Tensor[]) => Optimizer]> = [
    ['SGD', (p) => new SGD(p, { momentum: 0.9 })],
    ['AdaGrad', (p) => new AdaGrad(p)],
    ['RMSprop', (p) => new RMSprop(p)],
    ['Adam', (p) => new Adam(p)],
    ['AdamW', (p) => new AdamW(p)],
  ];

  // The grad setter refuses a mismatched gradient at the source; each optimiser checks again before it reads
  // the arrays, so a gradient that reaches it another way (here the internal field, written directly) can never
  // be read past its end or into NaN weights.
  const plant = (p: Tensor, g: Tensor) => ((p as unknown as { _grad: Tensor })._grad = g);

  it('is refused by the grad setter first', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    expect(() => (a.grad = tensor([1, 2, 3]))).toThrow(ShapeError);
  });

  it.each(all)('%s refuses it with a ShapeError naming itself, the parameter and both shapes, before changing anything', (name, make) => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([[1, 2]], { requiresGrad: true });
    const opt = make([a, b]);
    a.grad = tensor([0.1, 0.2]);
    plant(b, tensor([1, 2, 3]));
    const message = new RegExp(`^${name}: parameter 1 \\(%\\d+, shape \\[1, 2\\], float64\\) has a \\.grad of shape \\[3\\]`);
    expect(() => opt.step()).toThrow(ShapeError);
    expect(() => opt.step()).toThrow(message);
    expect([...a.data, ...b.data]).toEqual([1, 2, 1, 2]);
    plant(b, tensor(new Float32Array([1, 2]), { shape: [1, 2] }));
    expect(() => opt.step()).toThrow(DTypeError);
    expect(() => opt.step()).toThrow(/has a \.grad of dtype float32; it must have the parameter's dtype/);
    expect([...a.data, ...b.data]).toEqual([1, 2, 1, 2]);
  });
});

describe('parameter groups', () => {
  const params = () => [tensor([1], { requiresGrad: true }), tensor([2], { requiresGrad: true }), tensor([3], { requiresGrad: true })];

  it('take their own options, the rest from the defaults (PyTorch’s paramGroups)', () => {
    const [w, b, c] = params();
    const opt = new Adam(
      [
        { params: [w], lr: 0.5 },
        { params: [b, c], weightDecay: 0, betas: [0.5, 0.9] },
      ],
      { lr: 0.1, weightDecay: 0.2 },
    );
    expect(opt.paramGroups.map(({ params: p, ...o }) => [p.length, o])).toEqual([
      [1, { lr: 0.5, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.2, amsgrad: false }],
      [2, { lr: 0.1, betas: [0.5, 0.9], eps: 1e-8, weightDecay: 0, amsgrad: false }],
    ]);
    expect(opt.params).toEqual([w, b, c]);
    expect(opt.defaults.lr).toBe(0.1);
  });

  it('each move with their own learning rate', () => {
    const [w, b] = params();
    const opt = new SGD([{ params: [w] }, { params: [b], lr: 1 }], { lr: 0.1 });
    w.grad = tensor([1]);
    b.grad = tensor([1]);
    opt.step();
    expect([w.item(), b.item()]).toEqual([0.9, 1]);
  });

  it('lr reads one learning rate only when all groups share it, and sets all of them', () => {
    const [w, b] = params();
    const opt = new SGD([{ params: [w] }, { params: [b], lr: 1 }], { lr: 0.1 });
    expect(() => opt.lr).toThrow(/SGD\.lr: the groups have different learning rates \(0\.1, 1\); read paramGroups\[i\]\.lr/);
    opt.lr = 0.3;
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.3, 0.3]);
    expect(opt.lr).toBe(0.3);
  });

  it('addParamGroup adds parameters with their own options, checked like the first', () => {
    const [w, b, c] = params();
    const opt = new SGD([w], { lr: 0.1, momentum: 0.9 });
    opt.addParamGroup({ params: [b], lr: 0.01 });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.01, momentum: 0.9 });
    expect(() => opt.addParamGroup({ params: [w] })).toThrow(/SGD \(param group 2\): parameter 0 \(%\d+\) appears twice/);
    expect(() => opt.addParamGroup({ params: [c], momentum: -1 })).toThrow(
      /SGD \(param group 2\): momentum must be a finite number >= 0, got -1/,
    );
  });

  it('refuse bad groups: an empty group, a mix of tensors and groups, a parameter in two groups', () => {
    const [w, b] = params();
    expect(() => new Adam([{ params: [] }])).toThrow(/Adam \(param group 0\): got an empty parameter list/);
    expect(() => new Adam([w, { params: [b] }] as never)).toThrow(/mixes tensors and param groups/);
    expect(() => new Adam([{ params: [w] }, { params: [w, b] }])).toThrow(TapegradError);
    expect(() => new Adam([{ params: [w], betas: [1.5, 0.9] }])).toThrow(/Adam \(param group 0\): betas\[0\] must be/);
  });

  it('an lr set out of range between steps is refused at the next step', () => {
    const [w] = params();
    const opt = new SGD([w]);
    opt.paramGroups[0].lr = NaN;
    w.grad = tensor([1]);
    expect(() => opt.step()).toThrow(/SGD: lr must be a finite number >= 0, got NaN/);
  });
});

describe('stateDict with groups and per-parameter steps', () => {
  const run = (resumeAfter: number | null, fromOldFormat = false) => {
    const w = tensor([0.5, -1.5], { requiresGrad: true });
    const b = tensor([0.25], { requiresGrad: true });
    const make = () =>
      new Adam(
        [
          { params: [w], amsgrad: true },
          { params: [b], lr: 0.05 },
        ],
        { lr: 0.1 },
      );
    let opt = make();
    for (let i = 0; i < 5; i++) {
      if (i === resumeAfter) {
        const saved = opt.stateDict();
        if (fromOldFormat) for (const k of Object.keys(saved)) if (/^\d+\.step$|^paramGroups/.test(k)) delete saved[k];
        opt = make();
        opt.paramGroups[1].lr = 1; // restored from the state dict, as PyTorch restores a group's options
        if (fromOldFormat) opt.paramGroups[1].lr = 0.05;
        opt.loadStateDict(saved);
      }
      opt.zeroGrad();
      w.mul(w).mul(w).sum().backward();
      if (i >= 2) b.mul(b).sum().backward(); // b starts late, so its step count differs from w's
      opt.step();
    }
    return [...w.data, ...b.data];
  };

  it('resumes exactly: moments, each parameter’s step, the groups’ options', () => {
    expect(run(3)).toEqual(run(null));
  });

  it('loads a state saved before steps were counted per parameter (each takes the global step)', () => {
    // Before b has state the global step is every parameter's step, so the old format resumes exactly here.
    expect(run(2, true)).toEqual(run(null));
  });

  it('names unexpected keys and bad step counts', () => {
    const w = tensor([1], { requiresGrad: true });
    const opt = new Adam([w]);
    expect(() => opt.loadStateDict({ step: tensor(1), 'paramGroups.3.lr': tensor(0.1) })).toThrow(
      /unexpected key 'paramGroups\.3\.lr' \(this optimiser has 1 param groups\)/,
    );
    expect(() => opt.loadStateDict({ step: tensor(1), '0.step': tensor(1.5) })).toThrow(/'0\.step' must be a step count/);
    expect(() => opt.loadStateDict({ step: tensor(1), '4.exp_avg': tensor([1]) })).toThrow(/unexpected key '4\.exp_avg'/);
  });
});
