import { Generator, tensor, zeros } from '@tapegrad/core';
import {
  AdaGrad,
  Adam,
  CosineAnnealingLR,
  ExponentialLR,
  LinearLR,
  OneCycleLR,
  ReduceLROnPlateau,
  SGD,
  SequentialLR,
  StepLR,
  clipGradNorm,
  clipGradNormTensor,
  clipGradValue,
  fans,
  heNormal,
  heUniform,
  init,
  xavierNormal,
  xavierUniform,
} from '@tapegrad/nn';

const param = () => tensor([1, 2], { requiresGrad: true });

describe('learning-rate schedules', () => {
  it('StepLR multiplies by gamma every stepSize epochs', () => {
    const opt = new SGD([param()], { lr: 1 });
    const sched = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
    const lrs = [];
    for (let e = 0; e < 5; e++) {
      sched.step();
      lrs.push(opt.lr);
    }
    expect(lrs).toEqual([1, 0.5, 0.5, 0.25, 0.25]);
  });

  it('CosineAnnealingLR follows etaMin + (base - etaMin)(1 + cos(pi e / T)) / 2', () => {
    const opt = new SGD([param()], { lr: 0.1 });
    const sched = new CosineAnnealingLR(opt, { tMax: 4, etaMin: 0.02 });
    const lrs = [];
    for (let e = 0; e < 4; e++) {
      sched.step();
      lrs.push(sched.getLastLr()[0]);
    }
    // cos(pi/4) = 0.7071..., cos(pi/2) = 0, cos(3pi/4) = -0.7071..., cos(pi) = -1
    expect(lrs).toBeAllClose([0.02 + (0.08 * (1 + Math.SQRT1_2)) / 2, 0.06, 0.02 + (0.08 * (1 - Math.SQRT1_2)) / 2, 0.02], { rtol: 1e-12 });
  });
});

describe('the schedules added for issue 14 (closed forms; optim-pytorch.test.ts has PyTorch’s numbers)', () => {
  const trace = (opt: { lr: number }, step: () => void, n: number) => {
    const lrs = [opt.lr];
    for (let i = 0; i < n; i++) {
      step();
      lrs.push(opt.lr);
    }
    return lrs;
  };

  it('ExponentialLR multiplies by gamma every epoch', () => {
    const opt = new SGD([param()], { lr: 2 });
    const sched = new ExponentialLR(opt, { gamma: 0.5 });
    expect(trace(opt, () => sched.step(), 3)).toEqual([2, 1, 0.5, 0.25]);
  });

  it('LinearLR warms up from startFactor * lr at once, reaching lr after totalIters epochs', () => {
    const opt = new SGD([param()], { lr: 1 });
    const sched = new LinearLR(opt, { startFactor: 0.25, totalIters: 3 });
    expect(trace(opt, () => sched.step(), 4)).toEqual([0.25, 0.5, 0.75, 1, 1]);
  });

  it('SequentialLR hands over at the milestone, the next schedule starting from the initial lr', () => {
    const opt = new SGD([param()], { lr: 1 });
    const warmup = new LinearLR(opt, { startFactor: 0.5, totalIters: 2 });
    const decay = new StepLR(opt, { stepSize: 1, gamma: 0.1 });
    const sched = new SequentialLR(opt, [warmup, decay], [2]);
    expect(trace(opt, () => sched.step(), 4)).toBeAllClose([0.5, 0.75, 1, 0.1, 0.01], { rtol: 1e-15 });
  });

  it('OneCycleLR gives finite rates on a cycle too short for its warm-up (pctStart T - 1 = 0, a leg of no length)', () => {
    const opt = new SGD([param()], { lr: 0.1, momentum: 0.9 });
    const sched = new OneCycleLR(opt, { maxLr: 1, totalSteps: 4, pctStart: 0.25, annealStrategy: 'linear' });
    const lrs = trace(opt, () => sched.step(), 4);
    // The warm-up leg is step 0 alone, at its end value maxLr; then linearly down to 1 / 25 / 1e4 at step 3.
    expect(lrs.slice(0, 4)).toBeAllClose([1, 1 + (4e-6 - 1) / 3, 1 + ((4e-6 - 1) * 2) / 3, 4e-6], { rtol: 1e-10 });
    expect(lrs.every((lr) => Number.isFinite(lr))).toBe(true);
  });

  it('OneCycleLR rises from maxLr / divFactor to maxLr at step pctStart T - 1, then falls to its minimum at T - 1', () => {
    const opt = new SGD([param()], { lr: 0.1, momentum: 0.9 });
    const sched = new OneCycleLR(opt, {
      maxLr: 1,
      totalSteps: 11,
      pctStart: 4 / 11,
      divFactor: 10,
      finalDivFactor: 100,
      annealStrategy: 'linear',
    });
    const lrs = trace(opt, () => sched.step(), 10);
    // up over steps 0..3 from 0.1 to 1, down over 3..10 from 1 to 0.001
    expect(lrs.slice(0, 4)).toBeAllClose([0.1, 0.4, 0.7, 1], { rtol: 1e-14 });
    expect(lrs[10]).toBeCloseTo(0.001, 15);
    expect(lrs[5]).toBeCloseTo(1 + ((0.001 - 1) * 2) / 7, 14);
    // momentum goes the other way: 0.95 at the start, 0.85 at the peak, 0.95 at the end
    expect(sched.momentumAt(0)).toBeCloseTo(0.95, 15);
    expect((opt.paramGroups[0] as { momentum: number }).momentum).toBeCloseTo(0.95, 14);
    expect(sched.momentumAt(3)).toBeCloseTo(0.85, 15);
    sched.step();
    expect(() => sched.step()).toThrow(/OneCycleLR: stepped 12 times, past the cycle's totalSteps 11/);
  });

  it("OneCycleLR cycles Adam's beta1 and refuses an optimiser without momentum unless told not to cycle it", () => {
    const adam = new Adam([param()], { betas: [0.9, 0.99] });
    new OneCycleLR(adam, { maxLr: 0.1, totalSteps: 10 });
    expect(adam.paramGroups[0].betas).toEqual([0.95, 0.99]);
    expect(() => new OneCycleLR(new AdaGrad([param()]), { maxLr: 0.1, totalSteps: 10 })).toThrow(
      /AdaGrad has neither momentum nor betas; pass cycleMomentum: false/,
    );
    expect(() => new OneCycleLR(new AdaGrad([param()]), { maxLr: 0.1, totalSteps: 10, cycleMomentum: false })).not.toThrow();
    expect(() => new OneCycleLR(adam, { maxLr: 0.1 })).toThrow(/give totalSteps, or epochs and stepsPerEpoch/);
  });

  it('ReduceLROnPlateau divides the lr after more than `patience` epochs without improvement, then cools down', () => {
    const opt = new SGD([param()], { lr: 1 });
    const sched = new ReduceLROnPlateau(opt, { factor: 0.5, patience: 1, cooldown: 1, minLr: 0.2 });
    const lrs = [1, 2, 2, 2, 2, 2, 2, 2, 2, 2].map((loss) => {
      sched.step(loss);
      return opt.lr;
    });
    // epoch 1 sets best = 1; epochs 2 and 3 are bad (2 > patience 1 after the second): halve; epoch 4 is cooldown
    // (not counted); epochs 5 and 6 are bad: halve to 0.25; 7 cooldown; 8 and 9 bad: max(0.125, minLr 0.2).
    expect(lrs).toEqual([1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2, 0.2]);
    expect(sched.best).toBe(1);
    expect(() => new ReduceLROnPlateau(opt, { factor: 1 })).toThrow(/factor must be in \(0, 1\), got 1/);
  });

  it('a schedule’s base is the lr before the first schedule attached (PyTorch’s initial_lr)', () => {
    const opt = new SGD([param()], { lr: 1 });
    new LinearLR(opt, { startFactor: 0.1 });
    expect(opt.lr).toBeCloseTo(0.1, 15);
    expect(new CosineAnnealingLR(opt, { tMax: 10 }).baseLr).toBe(1);
  });
});

describe('resuming a schedule from state dicts', () => {
  // Train `total` steps; when `resumeAt` is reached, rebuild optimiser and schedule from their state dicts, as
  // a new process would (a fresh optimiser made with the run's options, then its state, then the schedule's).
  const run = (total: number, resumeAt: number | null, make: (opt: Adam) => OneCycleLR | ReduceLROnPlateau) => {
    const w = tensor([1, -2], { requiresGrad: true });
    let opt = new Adam([w], { lr: 0.01 });
    let sched = make(opt);
    const lrs: number[] = [];
    for (let i = 0; i < total; i++) {
      if (i === resumeAt) {
        const saved = { opt: opt.stateDict(), sched: sched.stateDict() };
        opt = new Adam([w], { lr: 0.01 });
        opt.loadStateDict(saved.opt);
        sched = make(opt);
        sched.loadStateDict(saved.sched);
      }
      opt.zeroGrad();
      w.mul(w).sum().backward();
      opt.step();
      if (sched instanceof ReduceLROnPlateau) sched.step(i < 3 ? 1 - i : 1);
      else sched.step();
      lrs.push(opt.paramGroups[0].lr, (opt.paramGroups[0].betas as readonly number[])[0]);
    }
    return [...lrs, ...w.data];
  };

  it('OneCycleLR continues exactly (learning rate, beta1 and the weights)', () => {
    const make = (opt: Adam) => new OneCycleLR(opt, { maxLr: 0.1, totalSteps: 12 });
    expect(run(11, 5, make)).toEqual(run(11, null, make));
  });

  it('ReduceLROnPlateau continues exactly, with its best value and counters', () => {
    const make = (opt: Adam) => new ReduceLROnPlateau(opt, { patience: 1, cooldown: 1, factor: 0.5 });
    const resumed = run(10, 4, make);
    expect(resumed).toEqual(run(10, null, make));
    expect(resumed.slice(0, 20).filter((_, i) => i % 2 === 0)).toContain(0.0025);
  });

  it('a schedule made after loading the optimiser’s state starts from the saved initialLr, not the decayed lr', () => {
    const w = tensor([1], { requiresGrad: true });
    const opt = new SGD([w], { lr: 1 });
    const sched = new ExponentialLR(opt, { gamma: 0.5 });
    sched.step();
    sched.step();
    const fresh = new SGD([w], { lr: 123 });
    fresh.loadStateDict(opt.stateDict());
    expect(fresh.paramGroups[0]).toMatchObject({ lr: 0.25, initialLr: 1 });
    const resumed = new ExponentialLR(fresh, { gamma: 0.5 });
    resumed.loadStateDict(sched.stateDict());
    expect(fresh.lr).toBe(0.25);
    resumed.step();
    expect(fresh.lr).toBe(0.125);
    expect(() => resumed.loadStateDict({})).toThrow(/ExponentialLR\.loadStateDict: missing the 'lastEpoch' entry/);
  });
});

describe('clipGradValue', () => {
  it('clamps each element into new gradient tensors, leaving a shared gradient alone', () => {
    const a = param();
    const b = param();
    const shared = tensor([3, -0.5]);
    a.grad = shared;
    b.grad = shared;
    clipGradValue([a, b], 1);
    expect(a.grad.toArray()).toEqual([1, -0.5]);
    expect(b.grad.toArray()).toEqual([1, -0.5]);
    expect(shared.toArray()).toEqual([3, -0.5]);
    expect(() => clipGradValue([a], -1)).toThrow(/clipGradValue: clipValue must be a finite number >= 0, got -1/);
  });
});

describe('clipGradNorm', () => {
  it('scales all gradients together to maxNorm and returns the norm before clipping', () => {
    const a = param();
    const b = param();
    a.grad = tensor([3, 0]);
    b.grad = tensor([0, 4]);
    const norm = clipGradNorm([a, b], 1);
    expect(norm).toBe(5);
    expect(a.grad).toBeAllClose([3 / 5, 0], { rtol: 1e-6 });
    expect(b.grad).toBeAllClose([0, 4 / 5], { rtol: 1e-6 });
  });

  it('leaves small gradients alone and never mutates a shared gradient tensor', () => {
    const a = param();
    const shared = tensor([30, 40]);
    a.grad = shared;
    expect(clipGradNorm([a], 100)).toBe(50);
    expect(a.grad).toBe(shared);
    clipGradNorm([a], 5);
    expect(shared.toArray()).toEqual([30, 40]);
    expect(a.grad).toBeAllClose([3, 4], { rtol: 1e-6 });
  });

  it('supports the max norm', () => {
    const a = param();
    a.grad = tensor([-6, 2]);
    expect(clipGradNorm([a], 3, { normType: Infinity })).toBe(6);
    expect(a.grad).toBeAllClose([-3, 1], { rtol: 1e-6 });
  });
});

describe('clipGradNormTensor', () => {
  it('clips as clipGradNorm does and returns the norm as a tensor (3-4-5, closed form)', () => {
    const a = param();
    const b = param();
    a.grad = tensor([3, 0]);
    b.grad = tensor([0, 4]);
    const norm = clipGradNormTensor([a, b], 1);
    expect(norm.item()).toBeCloseTo(5, 12);
    expect(a.grad).toBeAllClose([3 / 5, 0], { rtol: 1e-6 });
    expect(b.grad).toBeAllClose([0, 4 / 5], { rtol: 1e-6 });
  });

  it('scales by min(1, maxNorm / norm) always: small gradients keep their values, in new tensors', () => {
    const a = param();
    const shared = tensor([30, 40]);
    a.grad = shared;
    expect(clipGradNormTensor([a], 100).item()).toBeCloseTo(50, 12);
    expect(a.grad.toArray()).toEqual([30, 40]);
    expect(shared.toArray()).toEqual([30, 40]);
  });

  it('supports the max norm and the p-norms, and keeps float32 gradients float32', () => {
    const a = tensor([0, 0], { dtype: 'float32', requiresGrad: true });
    a.grad = tensor([-6, 2], { dtype: 'float32' });
    expect(clipGradNormTensor([a], 3, { normType: Infinity }).item()).toBe(6);
    expect(a.grad.dtype).toBe('float32');
    expect(a.grad).toBeAllClose([-3, 1], { rtol: 1e-6 });
    const b = tensor([0, 0, 0], { requiresGrad: true });
    b.grad = tensor([1, -2, 2]);
    // (1 + 8 + 8)^(1/3)
    expect(clipGradNormTensor([b], 100, { normType: 3 }).item()).toBeCloseTo(17 ** (1 / 3), 12);
    expect(clipGradNormTensor([], 1).item()).toBe(0);
    expect(() => clipGradNormTensor([b], -1)).toThrow(/clipGradNormTensor: maxNorm must be >= 0, got -1/);
  });
});

describe('initialisers', () => {
  const big = () => zeros([200, 300], { requiresGrad: true });
  const stats = (d: ArrayLike<number>) => {
    const v = Array.from(d);
    const mean = v.reduce((a, b) => a + b) / v.length;
    return { mean, variance: v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length, maxAbs: Math.max(...v.map(Math.abs)) };
  };

  it('use PyTorch fans: [out, in] -> fanIn = in, fanOut = out', () => {
    expect(fans([200, 300])).toEqual({ fanIn: 300, fanOut: 200 });
    expect(fans([8, 4, 3, 3])).toEqual({ fanIn: 36, fanOut: 72 });
    expect(() => fans([5])).toThrow(/rank >= 2/);
  });

  it('Xavier: Var = 2 / (fanIn + fanOut), uniform bound sqrt(6 / (fanIn + fanOut))', () => {
    const u = stats(xavierUniform(big(), { generator: new Generator(1) }).data);
    expect(u.maxAbs).toBeLessThanOrEqual(Math.sqrt(6 / 500));
    expect(u.variance).toBeCloseTo(2 / 500, 4);
    expect(stats(xavierNormal(big(), { generator: new Generator(2) }).data).variance).toBeCloseTo(2 / 500, 4);
  });

  it('He: Var = 2 / fanIn, uniform bound sqrt(6 / fanIn)', () => {
    const u = stats(heUniform(big(), { generator: new Generator(3) }).data);
    expect(u.maxAbs).toBeLessThanOrEqual(Math.sqrt(6 / 300));
    expect(u.variance / (2 / 300)).toBeCloseTo(1, 1);
    const n = stats(heNormal(big(), { generator: new Generator(4) }).data);
    expect(n.variance / (2 / 300)).toBeCloseTo(1, 1);
    expect(Math.abs(n.mean)).toBeLessThan(0.002);
  });

  it('are reproducible from the generator and bump the version; zeros clears', () => {
    const a = heNormal(big(), { generator: new Generator(9) });
    const b = heNormal(big(), { generator: new Generator(9) });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(a._version).toBe(1);
    expect(Array.from(init.zeros(a).data).every((v) => v === 0)).toBe(true);
  });
});
