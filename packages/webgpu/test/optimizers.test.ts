// nn's optimisers on webgpu: SGD, Adam, AdamW, RMSprop and AdaGrad update device parameters in place with one fused kernel (nothing is
// read back), and the MLP trained with them follows the CPU's float32 trajectory (nn's loops over `data`, an
// independent implementation of the same update) within float32 tolerance, loss by loss and parameter by parameter.
import { DeviceError, type Tensor, deviceOptimizerStep, tensor } from '@tapegrad/core';
import { AdaGrad, Adam, AdamW, Optimizer, RMSprop, SGD, type UpdateContext } from '@tapegrad/nn';
import { releaseWebgpuDevice, webgpuDevice } from './webgpu-device';
import { mlp } from './mlp';

let ready = false;
beforeAll(async () => {
  ready = await webgpuDevice();
});
afterAll(releaseWebgpuDevice);

const OPTIMISERS: ReadonlyArray<readonly [string, (params: Tensor[]) => Optimizer]> = [
  ['SGD', (ps) => new SGD(ps, { lr: 0.5 })],
  ['SGD, Nesterov momentum and weight decay', (ps) => new SGD(ps, { lr: 0.2, momentum: 0.9, nesterov: true, weightDecay: 1e-2 })],
  ['SGD, momentum with dampening', (ps) => new SGD(ps, { lr: 0.2, momentum: 0.8, dampening: 0.3 })],
  ['Adam with L2 weight decay', (ps) => new Adam(ps, { lr: 0.01, weightDecay: 1e-2 })],
  ['AdamW with amsgrad', (ps) => new AdamW(ps, { lr: 0.01, betas: [0.8, 0.99], amsgrad: true })],
  ['RMSprop', (ps) => new RMSprop(ps, { lr: 0.01 })],
  [
    'RMSprop centered, momentum and weight decay',
    (ps) => new RMSprop(ps, { lr: 0.005, alpha: 0.9, centered: true, momentum: 0.8, weightDecay: 1e-2 }),
  ],
  ['RMSprop with momentum', (ps) => new RMSprop(ps, { lr: 0.005, momentum: 0.5, eps: 1e-6 })],
  ['AdaGrad', (ps) => new AdaGrad(ps, { lr: 0.1 })],
  [
    'AdaGrad with decay, weight decay and a starting accumulator',
    (ps) => new AdaGrad(ps, { lr: 0.2, lrDecay: 0.1, weightDecay: 1e-2, initialAccumulatorValue: 0.1 }),
  ],
];

const STEPS = 10;

async function train(device: 'cpu' | 'webgpu', make: (params: Tensor[]) => Optimizer) {
  const { params, loss } = mlp(device);
  const opt = make(params);
  const losses: number[] = [];
  for (let s = 0; s < STEPS; s++) {
    opt.zeroGrad();
    const l = loss();
    l.backward();
    opt.step();
    losses.push((await l.dataAsync())[0]);
  }
  return { losses, params: await Promise.all(params.map(async (p) => Float32Array.from(await p.dataAsync()))), opt, model: params };
}

describe('nn optimisers on webgpu against the same optimisers on the CPU (float32)', () => {
  it.each(OPTIMISERS)('%s: losses and parameters match step by step', async (_name, make) => {
    if (!ready) return;
    const cpu = await train('cpu', make);
    const gpu = await train('webgpu', make);
    expect(cpu.losses[STEPS - 1]).toBeLessThan(cpu.losses[0] * 0.9); // it learns: the trajectory moves
    gpu.losses.forEach((l, i) => {
      if (!(Math.abs(l - cpu.losses[i]) <= 1e-5 + 1e-4 * cpu.losses[i]))
        throw new Error(`step ${i}: webgpu loss ${l}, cpu ${cpu.losses[i]}`);
    });
    gpu.params.forEach((values, k) =>
      values.forEach((v, i) => {
        const expected = cpu.params[k][i];
        if (!(Math.abs(v - expected) <= 1e-5 + 1e-4 * Math.abs(expected)))
          throw new Error(`parameter ${k}[${i}]: webgpu ${v}, cpu ${expected}`);
      }),
    );
    expect(gpu.model.every((p) => p.device === 'webgpu')).toBe(true);
  });

  it('an Adam state saved on the device resumes to the uninterrupted trajectory', async () => {
    if (!ready) return;
    const make = (ps: Tensor[]) => new Adam(ps, { lr: 0.01 });
    const whole = await train('webgpu', make);
    const { params, loss } = mlp('webgpu');
    const first = make(params);
    const stepOnce = async (opt: Optimizer) => {
      opt.zeroGrad();
      const l = loss();
      l.backward();
      opt.step();
      return (await l.dataAsync())[0];
    };
    for (let s = 0; s < 4; s++) await stepOnce(first);
    // Saved as a file would hold it: every entry read back to the CPU, then loaded into a fresh optimiser.
    const saved = Object.fromEntries(
      await Promise.all(Object.entries(first.stateDict()).map(async ([k, t]) => [k, await t.to('cpu')] as const)),
    );
    expect(saved['0.exp_avg'].device).toBe('cpu');
    const resumed = make(params);
    resumed.loadStateDict(saved);
    const losses: number[] = [];
    for (let s = 4; s < STEPS; s++) losses.push(await stepOnce(resumed));
    losses.forEach((l, i) => expect(l).toBeCloseTo(whole.losses[i + 4], 6));
  });
});

describe('optimiser errors on webgpu', () => {
  it('an optimiser without a device update refuses before any parameter changes', async () => {
    if (!ready) return;
    /** A user's own optimiser, with only the CPU loop. */
    class SignDescent extends Optimizer<{ lr: number }> {
      constructor(params: Tensor[]) {
        super('SignDescent', params, { lr: 0.1 }, {});
      }
      protected update({ p, g, lr }: UpdateContext): void {
        for (let i = 0; i < p.length; i++) p[i] -= lr * Math.sign(g[i]);
      }
    }
    const w = tensor([1, 2, 3], { device: 'webgpu', requiresGrad: true });
    w.mul(w).sum().backward();
    const opt = new SignDescent([w]);
    expect(() => opt.step()).toThrow(DeviceError);
    expect(() => opt.step()).toThrow(/parameter 0 .* is on 'webgpu': SignDescent has no device update yet/);
    expect(await w.toArrayAsync()).toEqual([1, 2, 3]);
  });

  it('an AdaGrad and a centered RMSprop step by hand match the closed forms', async () => {
    if (!ready) return;
    const g = tensor([0.5, -4], { device: 'webgpu' });
    // AdaGrad: sum = 0.1 + g^2, p -= 0.3 g / (sqrt(sum) + 1e-10)
    const w = tensor([1, -2], { device: 'webgpu' });
    const sum = tensor([0.1, 0.1], { device: 'webgpu' });
    deviceOptimizerStep('test', { rule: 'adagrad', lr: 0.3, weightDecay: 0, eps: 1e-10 }, w, g, [sum]);
    const adagrad = [1 - (0.3 * 0.5) / Math.sqrt(0.35), -2 + (0.3 * 4) / Math.sqrt(16.1)];
    (await w.dataAsync()).forEach((v, i) => expect(v).toBeCloseTo(adagrad[i], 5));
    // RMSprop centered, alpha 0.5, from zero state: v = g^2 / 2, gAvg = g / 2, denom = sqrt(v - gAvg^2) + eps = |g| / 2 + eps
    const u = tensor([1, -2], { device: 'webgpu' });
    const [v, avg] = [tensor([0, 0], { device: 'webgpu' }), tensor([0, 0], { device: 'webgpu' })];
    const rms = { rule: 'rmsprop', lr: 0.1, alpha: 0.5, eps: 1e-3, weightDecay: 0, momentum: 0, centered: true } as const;
    deviceOptimizerStep('test', rms, u, g, [v, avg]);
    const rmsprop = [1 - (0.1 * 0.5) / (0.25 + 1e-3), -2 + (0.1 * 4) / (2 + 1e-3)];
    (await u.dataAsync()).forEach((x, i) => expect(x).toBeCloseTo(rmsprop[i], 5));
    expect(() => deviceOptimizerStep('test', rms, u, g, [v])).toThrow(/takes 2 state tensors, got 1/);
  });

  it('a gradient on another device, shared storage and a wrong state count are named', () => {
    if (!ready) return;
    const w = tensor([1, 2], { device: 'webgpu', requiresGrad: true });
    w.grad = tensor([1, 1], { dtype: 'float32' });
    expect(() => new SGD([w], { lr: 0.1 }).step()).toThrow(/is on 'webgpu' and its \.grad on 'cpu'/);
    const sgd = { rule: 'sgd', lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0, firstStep: true } as const;
    const g = tensor([1, 1], { device: 'webgpu' });
    expect(() => deviceOptimizerStep('test', sgd, w, g, [])).toThrow(/takes 1 state tensors, got 0/);
    expect(() => deviceOptimizerStep('test', sgd, w, g, [g])).toThrow(/must not share storage/);
    expect(() => deviceOptimizerStep('test', sgd, w, g, [tensor([0, 0, 0], { device: 'webgpu' })])).toThrow(/state 0 .* has shape \[3\]/);
    expect(() => deviceOptimizerStep('test', sgd, tensor([1, 2], { requiresGrad: true }), g, [g])).toThrow(/is on the CPU/);
  });

  it('a momentum step by hand matches the closed form', async () => {
    if (!ready) return;
    // buf = g on the first step, then 0.9 buf + g; p -= 0.1 (g + 0.9 buf) with Nesterov.
    const w = tensor([1, -2], { device: 'webgpu' });
    const buf = tensor([0, 0], { device: 'webgpu' });
    const g = tensor([0.5, 4], { device: 'webgpu' });
    const update = { rule: 'sgd', lr: 0.1, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 0 } as const;
    deviceOptimizerStep('test', { ...update, firstStep: true }, w, g, [buf]);
    deviceOptimizerStep('test', { ...update, firstStep: false }, w, g, [buf]);
    const b2 = [0.5 * 1.9, 4 * 1.9];
    const expected = [1 - 0.1 * (0.5 + 0.9 * 0.5) - 0.1 * (0.5 + 0.9 * b2[0]), -2 - 0.1 * (4 + 0.9 * 4) - 0.1 * (4 + 0.9 * b2[1])];
    const got = await w.dataAsync();
    expected.forEach((e, i) => expect(got[i]).toBeCloseTo(e, 5));
    (await buf.dataAsync()).forEach((v, i) => expect(v).toBeCloseTo(b2[i], 5));
  });
});
