// nn on the device beyond what the op harness compares: where the losses' targets may live, gradient clipping without
// reading values back, and Module.to moving a model's parameters and buffers.
import { DTypeError, DeviceError, Generator, type Tensor, noGrad, randn, tensor } from '@tapegrad/core';
import {
  Adam,
  BatchNorm2d,
  Linear,
  MLP,
  Sequential,
  TransformerBlock,
  binaryCrossEntropy,
  clipGradNorm,
  clipGradNormTensor,
  crossEntropy,
  softmaxCrossEntropy,
} from '@tapegrad/nn';
import { releaseWebgpuDevice, webgpuDevice } from './webgpu-device';

let ready = false;
beforeAll(async () => {
  ready = await webgpuDevice();
});
afterAll(releaseWebgpuDevice);

describe("nn's losses on webgpu: where the targets live", () => {
  it('takes class labels on the CPU (checked there) and refuses them on the device, naming the loss', () => {
    if (!ready) return;
    const logits = tensor([[1, 2, 3]], { device: 'webgpu' });
    expect(() => softmaxCrossEntropy(logits, tensor([3], { dtype: 'int32' }))).toThrow(/label 3 at position 0 is outside \[0, 3\)/);
    expect(() => crossEntropy(logits, tensor([-1], { dtype: 'int32' }))).toThrow(/label -1 at position 0 is outside/);
    const onDevice = tensor([2], { dtype: 'int32', device: 'webgpu' });
    expect(() => softmaxCrossEntropy(logits, onDevice)).toThrow(DeviceError);
    expect(() => crossEntropy(logits, onDevice)).toThrow(/crossEntropy: int32 class labels are checked .* on the CPU.*on 'webgpu'/);
    expect(() => softmaxCrossEntropy(logits, tensor([[0, 0, 1]], { dtype: 'float32' }))).toThrow(
      /softmaxCrossEntropy: the input is on 'webgpu' and the target on 'cpu'/,
    );
  });

  it('binaryCrossEntropy on the device turns a p outside [0, 1] into NaN (it cannot read p to refuse it)', async () => {
    if (!ready) return;
    const t = tensor([0.5, 0.5], { device: 'webgpu' });
    const bad = binaryCrossEntropy(tensor([0.5, 1.5], { device: 'webgpu' }), t, { reduction: 'none' });
    const got = Array.from(await bad.dataAsync());
    expect(got[0]).toBeCloseTo(Math.LN2, 5); // -(0.5 log 0.5 + 0.5 log 0.5)
    expect(got[1]).toBeNaN();
  });
});

describe('gradient clipping on webgpu', () => {
  it('clipGradNormTensor clips on the device as on the CPU and returns the norm there; clipGradNorm refuses, naming it', async () => {
    if (!ready) return;
    const values = [
      [3, -1, 2],
      [0.5, 4, -2],
    ];
    const run = async (device: 'cpu' | 'webgpu', maxNorm: number, normType: number) => {
      const ps = values.map((v) =>
        tensor(
          v.map(() => 0),
          { dtype: 'float32', device, requiresGrad: true },
        ),
      );
      ps.forEach((p, i) => (p.grad = tensor(values[i], { dtype: 'float32', device })));
      const norm = clipGradNormTensor(ps, maxNorm, { normType });
      expect(norm.device).toBe(device);
      return { norm: (await norm.dataAsync())[0], grads: await Promise.all(ps.map(async (p) => Array.from(await p.grad!.dataAsync()))) };
    };
    for (const [maxNorm, normType] of [
      [1, 2],
      [100, 2],
      [2, Infinity],
      [1, 1],
    ]) {
      const cpu = await run('cpu', maxNorm, normType);
      const gpu = await run('webgpu', maxNorm, normType);
      expect(gpu.norm).toBeCloseTo(cpu.norm, 5);
      gpu.grads.flat().forEach((g, i) => expect(g).toBeCloseTo(cpu.grads.flat()[i], 5));
    }
    // closed form: the 2-norm of all six is sqrt(9 + 1 + 4 + 0.25 + 16 + 4)
    expect((await run('webgpu', 1, 2)).norm).toBeCloseTo(Math.sqrt(34.25), 5);
    const p = tensor([0, 0], { device: 'webgpu', requiresGrad: true });
    p.grad = tensor([1, 1], { device: 'webgpu' });
    expect(() => clipGradNorm([p], 1)).toThrow(DeviceError);
    expect(() => clipGradNorm([p], 1)).toThrow(/clipGradNorm: a gradient is on 'webgpu'.*use clipGradNormTensor/);
  });
});

describe('Module.to on webgpu', () => {
  /** The same seeded MLP, a fixed batch of four and its labels (on the CPU, as the losses take them). */
  const setup = () => {
    const model = new MLP([3, 8, 4], { dtype: 'float32', generator: new Generator(5) });
    const x = tensor(
      Array.from({ length: 12 }, (_, i) => Math.sin(i + 1)),
      { shape: [4, 3], dtype: 'float32' },
    );
    return { model, x, labels: tensor([0, 3, 1, 2], { dtype: 'int32' }) };
  };
  const train = async (model: MLP, opt: Adam, x: Tensor, labels: Tensor, steps: number): Promise<number[]> => {
    const losses: number[] = [];
    const device = model.parameters()[0].device;
    const input = device === 'cpu' ? x : x.to(device);
    for (let s = 0; s < steps; s++) {
      opt.zeroGrad();
      const loss = softmaxCrossEntropy(model.forward(input), labels);
      loss.backward();
      opt.step();
      losses.push((await loss.dataAsync())[0]);
    }
    return losses;
  };
  const values = async (model: MLP) => Promise.all(model.parameters().map(async (p) => Array.from(await p.dataAsync())));

  it('moves the parameters in place (same tensors), and the optimiser made before follows with its state', async () => {
    if (!ready) return;
    // The reference: six Adam steps on the CPU.
    const cpu = setup();
    const cpuLosses = await train(cpu.model, new Adam(cpu.model.parameters(), { lr: 0.05 }), cpu.x, cpu.labels, 6);
    // The same, two steps on the CPU, then moved (optimiser made before the move), four on the device, and back.
    const { model, x, labels } = setup();
    const params = model.parameters();
    const opt = new Adam(params, { lr: 0.05 });
    const before = await train(model, opt, x, labels, 2);
    expect(model.to('webgpu')).toBe(model);
    expect(model.parameters()).toEqual(params);
    model.parameters().forEach((p, i) => {
      expect(p).toBe(params[i]);
      expect(p.device).toBe('webgpu');
      expect(p.grad!.device).toBe('webgpu'); // the gradients moved with them
    });
    const after = await train(model, opt, x, labels, 4);
    expect(cpuLosses[5]).toBeLessThan(cpuLosses[0] * 0.9); // it learns: the comparison is of a moving trajectory
    [...before, ...after].forEach((l, i) => expect(l).toBeCloseTo(cpuLosses[i], 4));
    expect(await model.to('cpu')).toBe(model);
    model.parameters().forEach((p, i) => {
      expect(p).toBe(params[i]);
      expect(p.device).toBe('cpu');
    });
    const [mine, reference] = [await values(model), await values(cpu.model)];
    mine.flat().forEach((v, i) => expect(v).toBeCloseTo(reference.flat()[i], 4));
  });

  it('back on the CPU, the optimiser refuses its device state until restored through its state dict', async () => {
    if (!ready) return;
    const { model, x, labels } = setup();
    const opt = new Adam(model.to('webgpu').parameters(), { lr: 0.05 });
    await train(model, opt, x, labels, 2);
    await model.to('cpu');
    expect(() => opt.step()).toThrow(/on 'cpu' and its optimiser state on 'webgpu' \(moved by Module.to\?\)/);
    const state = opt.stateDict();
    for (const key of Object.keys(state)) state[key] = await state[key].to('cpu');
    opt.loadStateDict(state);
    const reference = setup();
    const referenceOpt = new Adam(reference.model.parameters(), { lr: 0.05 });
    const expected = await train(reference.model, referenceOpt, reference.x, reference.labels, 3);
    const resumed = await train(model, opt, x, labels, 1);
    expect(resumed[0]).toBeCloseTo(expected[2], 4);
  });

  it('moves buffers, refuses float64 before moving anything, and leaves what is there already', () => {
    if (!ready) return;
    const norm = new BatchNorm2d(3, { dtype: 'float32' }).to('webgpu');
    expect(norm.namedBuffers().map(([name, b]) => [name, b.device])).toEqual([
      ['running_mean', 'webgpu'],
      ['running_var', 'webgpu'],
      ['num_batches_tracked', 'webgpu'],
    ]);
    expect(norm.to('webgpu')).toBe(norm);
    const mixed = new Sequential(new Linear(2, 2, { dtype: 'float32' }), new Linear(2, 2));
    expect(() => mixed.to('webgpu')).toThrow(DTypeError);
    expect(mixed.parameters().map((p) => p.device)).toEqual(['cpu', 'cpu', 'cpu', 'cpu']);
  });
});

describe('batch norm on webgpu', () => {
  it('BatchNorm2d trains on the device as on the CPU: outputs, gradients, running statistics and the batch count', async () => {
    if (!ready) return;
    const run = async (device: 'cpu' | 'webgpu') => {
      const norm = new BatchNorm2d(3, { dtype: 'float32', momentum: 0.2 });
      const g = new Generator(5);
      noGrad(() => norm.weight!.assign(tensor([0.5, 2, -1], { dtype: 'float32' })));
      const on = (t: Tensor) => (device === 'cpu' ? t : t.to(device));
      if (device === 'webgpu') norm.to(device);
      const upstream = on(randn([4, 3, 5, 5], { dtype: 'float32', generator: g }));
      const outs: Float32Array[] = [];
      for (let step = 0; step < 3; step++) {
        const x = on(
          randn([4, 3, 5, 5], { dtype: 'float32', generator: g })
            .mul(step + 1)
            .add(step),
        );
        norm.zeroGrad();
        const y = norm.forward(x);
        y.mul(upstream).sum().backward();
        outs.push(Float32Array.from(await y.dataAsync()));
      }
      await norm.to('cpu');
      const [mean, variance, count] = norm.namedBuffers().map(([, b]) => Array.from(b.data));
      return { outs, mean, variance, count, dw: Array.from(norm.weight!.grad!.data), db: Array.from(norm.bias!.grad!.data) };
    };
    const cpu = await run('cpu');
    const gpu = await run('webgpu');
    const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) =>
      Array.from(b).forEach((e, i) => {
        if (!(Math.abs(a[i] - e) <= 1e-5 + 2e-4 * Math.abs(e))) throw new Error(`${what}[${i}]: webgpu ${a[i]}, cpu ${e}`);
      });
    gpu.outs.forEach((o, s) => close(o, cpu.outs[s], `output of step ${s}`));
    close(gpu.mean, cpu.mean, 'running_mean');
    close(gpu.variance, cpu.variance, 'running_var');
    close(gpu.dw, cpu.dw, 'weight gradient');
    close(gpu.db, cpu.db, 'bias gradient');
    expect(gpu.count).toEqual([3]);
    expect(cpu.count).toEqual([3]);
    // the running statistics moved: the third batch has mean about 2 and variance about 9
    expect(cpu.mean[0]).toBeGreaterThan(0.5);
  });
});

describe('a transformer block on webgpu', () => {
  it('trains as on the CPU: TransformerBlock (gelu, causal, pre-norm) moved with Module.to, loss and gradients alike', async () => {
    if (!ready) return;
    const make = () =>
      new TransformerBlock(8, 2, {
        dimFeedforward: 16,
        activation: 'gelu',
        dropout: 0,
        causal: true,
        dtype: 'float32',
        generator: new Generator(2),
      });
    const x = randn([2, 5, 8], { dtype: 'float32', generator: new Generator(4) });
    const run = async (block: TransformerBlock, input: Tensor) => {
      const loss = block.forward(input).square().mean();
      loss.backward();
      return {
        loss: (await loss.dataAsync())[0],
        grads: await Promise.all(block.parameters().map(async (p) => Array.from(await p.grad!.dataAsync()))),
      };
    };
    const cpu = await run(make(), x);
    const gpu = await run(make().to('webgpu'), x.to('webgpu'));
    expect(gpu.loss).toBeCloseTo(cpu.loss, 5);
    gpu.grads.flat().forEach((g, i) => expect(Math.abs(g - cpu.grads.flat()[i])).toBeLessThan(1e-5 + 1e-3 * Math.abs(cpu.grads.flat()[i])));
  });
});
