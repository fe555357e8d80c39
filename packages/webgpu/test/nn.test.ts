// nn on the device beyond what the op harness compares: where the losses' targets may live, gradient clipping without
// reading values back, and Module.to moving a model's parameters and buffers.
import { DeviceError, tensor } from '@tapegrad/core';
import { binaryCrossEntropy, clipGradNorm, clipGradNormTensor, crossEntropy, softmaxCrossEntropy } from '@tapegrad/nn';
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
