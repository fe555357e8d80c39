import { Generator, tensor, zeros } from '@tapegrad/core';
import { CosineAnnealingLR, SGD, StepLR, clipGradNorm, fans, heNormal, heUniform, init, xavierNormal, xavierUniform } from '@tapegrad/nn';

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
      lrs.push(sched.getLastLr());
    }
    // cos(pi/4) = 0.7071..., cos(pi/2) = 0, cos(3pi/4) = -0.7071..., cos(pi) = -1
    expect(lrs).toBeAllClose([0.02 + (0.08 * (1 + Math.SQRT1_2)) / 2, 0.06, 0.02 + (0.08 * (1 - Math.SQRT1_2)) / 2, 0.02], { rtol: 1e-12 });
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
