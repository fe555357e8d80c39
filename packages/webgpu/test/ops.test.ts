// Every op with a webgpu kernel against the CPU's float32 kernels, in Node on Dawn (op-cases.ts holds the cases, which
// the Chromium page of the e2e tests runs too), then the behaviours a case table does not cover: ties, collisions,
// in-place updates, moves and their errors.
import { DTypeError, DeviceError, type Tensor, concat, maxPool2d, noGrad, tensor } from '@tapegrad/core';
import { FUSED, checkOpCase, OP_CASES } from './op-cases';
import { releaseWebgpuDevice, webgpuDevice } from './webgpu-device';

let ready = false;
beforeAll(async () => {
  ready = await webgpuDevice();
});
afterAll(releaseWebgpuDevice);

describe('ops on webgpu against the CPU float32 kernels (values and gradients)', () => {
  it.each(OP_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    if (!ready) return;
    expect(await checkOpCase(c)).toBeNull();
  });
});

describe('fused chains on webgpu', () => {
  it('run fused on the device (one generated kernel), not op by op', () => {
    if (!ready) return;
    const x = tensor([1, -2, 3], { device: 'webgpu', requiresGrad: true });
    FUSED.chain(x, x, tensor([0.5], { device: 'webgpu' }))
      .sum()
      .backward();
    expect(FUSED.chain.lastUnfusedReason).toBeNull();
  });
});

describe('pooling ties and scatter collisions on webgpu', () => {
  it('maxPool2d picks the first maximum of a tie (its gradient goes there alone), as the CPU', async () => {
    if (!ready) return;
    // Windows of 2x2, stride 1: every window holds several 5s; the first in row-major order takes the gradient.
    const values = [5, 5, 1, 5, 5, 5, 2, 5, 5];
    const grads = async (device: 'cpu' | 'webgpu') => {
      const x = tensor(values, { shape: [1, 1, 3, 3], device, dtype: 'float32', requiresGrad: true });
      maxPool2d(x, 2, { stride: 1 })
        .mul(tensor([1, 10, 100, 1000], { shape: [1, 1, 2, 2], device, dtype: 'float32' }))
        .sum()
        .backward();
      return Array.from(await x.grad!.dataAsync());
    };
    const expected = [1, 10, 0, 100, 1000, 0, 0, 0, 0]; // window (r, c) picks x[r, c]: the first 5 of each
    expect(await grads('cpu')).toEqual(expected);
    expect(await grads('webgpu')).toEqual(expected);
  });

  it('scatterAdd sums every gradient sent to one place (atomic adds)', async () => {
    if (!ready) return;
    const x = tensor([1, 2, 3], { device: 'webgpu', requiresGrad: true });
    const picks = Array.from({ length: 3000 }, (_, i) => i % 3);
    x.gather(picks).sum().backward();
    expect(Array.from(await x.grad!.dataAsync())).toEqual([1000, 1000, 1000]);
  });
});

describe('edge values of concat, logSumExp, clamp and leakyRelu on webgpu', () => {
  it('logSumExp: -Infinity rows stay -Infinity, +Infinity and NaN propagate, large values do not overflow', async () => {
    if (!ready) return;
    const x = tensor([-Infinity, -Infinity, Infinity, 1, NaN, 0, 100, 100], { shape: [4, 2], device: 'webgpu' });
    // closed forms: log(0) = -Infinity; Infinity; NaN; 100 + log 2
    const got = Array.from(await x.logSumExp(-1).dataAsync());
    expect(got.slice(0, 3)).toEqual([-Infinity, Infinity, NaN]);
    expect(got[3]).toBeCloseTo(100 + Math.LN2, 4);
  });

  it('log and log1p give IEEE values at their edges (NaN below the domain, -Infinity at its end), as the CPU', async () => {
    if (!ready) return;
    const x = tensor([-2, 0, Infinity, NaN, 1], { device: 'webgpu' });
    expect(Array.from(await x.log().dataAsync())).toEqual([NaN, -Infinity, Infinity, NaN, 0]);
    const y = tensor([-2, -1, Infinity], { device: 'webgpu' });
    expect(Array.from(await y.log1p().dataAsync())).toEqual([NaN, -Infinity, Infinity]);
  });

  it('clamp keeps NaN and the bounds; leakyRelu keeps NaN and sends 0 to 0', async () => {
    if (!ready) return;
    const x = tensor([NaN, -5, -1, 0, 2, 9], { device: 'webgpu' });
    expect(Array.from(await x.clamp(-1, 2).dataAsync())).toEqual([NaN, -1, -1, 0, 2, 2]);
    expect(Array.from(await x.leakyRelu(0.5).dataAsync())).toEqual([NaN, -2.5, -0.5, 0, 2, 9]);
    // the gradient passes at the bounds themselves, as PyTorch's clamp (and the CPU rule)
    const y = tensor([-1, 0.5, 2, 3], { device: 'webgpu', requiresGrad: true });
    y.clamp(-1, 2).sum().backward();
    expect(Array.from(await y.grad!.dataAsync())).toEqual([1, 1, 1, 0]);
  });

  it('expm1 and log1p keep their relative accuracy for tiny x (where exp(x) - 1 and log(1 + x) cancel)', async () => {
    if (!ready) return;
    const x = tensor([1e-6, -3e-7, 2e-8], { device: 'webgpu' });
    const f32 = Array.from(new Float32Array([1e-6, -3e-7, 2e-8]));
    const [e, l] = await Promise.all([x.expm1().dataAsync(), x.log1p().dataAsync()]);
    f32.forEach((v, i) => {
      expect(Math.abs(e[i] - Math.expm1(v)) / Math.abs(Math.expm1(v))).toBeLessThan(1e-6);
      expect(Math.abs(l[i] - Math.log1p(v)) / Math.abs(Math.log1p(v))).toBeLessThan(1e-6);
    });
  });

  it('concat joins int32 tensors, promotes int32 and float32, moves a one-element CPU operand and refuses a larger one', async () => {
    if (!ready) return;
    const i = tensor([1, 2], { dtype: 'int32', device: 'webgpu' });
    const f = tensor([0.5], { device: 'webgpu' });
    const joinedInts = concat([i, i]);
    expect(joinedInts.dtype).toBe('int32');
    expect(await joinedInts.toArrayAsync()).toEqual([1, 2, 1, 2]);
    const mixed = concat([i, f]);
    expect(mixed.dtype).toBe('float32');
    expect(await mixed.toArrayAsync()).toEqual([1, 2, 0.5]);
    expect(await concat([f, tensor([7], { dtype: 'float32' })]).toArrayAsync()).toEqual([0.5, 7]);
    expect(() => concat([f, tensor([1, 2], { dtype: 'float32' })])).toThrow(/concat: an operand of shape \[2\] is on 'cpu'/);
  });
});

describe('in-place updates on webgpu', () => {
  it('addInPlace, mulInPlace and assign write the tensor’s own storage', async () => {
    if (!ready) return;
    const w = tensor([1, 2, 3, 4], { device: 'webgpu', shape: [2, 2] });
    const g = tensor([10, 20], { device: 'webgpu' });
    noGrad(() => w.addInPlace(g, -0.5).mulInPlace(2));
    expect(await w.toArrayAsync()).toEqual([
      [-8, -16],
      [-4, -12],
    ]);
    w.addInPlace(w);
    expect(await w.toArrayAsync()).toEqual([
      [-16, -32],
      [-8, -24],
    ]);
    w.assign(tensor([[7], [9]], { device: 'webgpu' }));
    expect(await w.toArrayAsync()).toEqual([
      [7, 7],
      [9, 9],
    ]);
    w.assign(5);
    expect(await w.toArrayAsync()).toEqual([
      [5, 5],
      [5, 5],
    ]);
  });
});

describe('moving between devices and the errors on the way', () => {
  it('to() round-trips values; dataAsync works on both devices', async () => {
    if (!ready) return;
    const x = tensor(
      [
        [1.5, -2],
        [3, 4],
      ],
      { dtype: 'float32' },
    );
    const onGpu = x.to('webgpu');
    expect(onGpu.device).toBe('webgpu');
    expect(x.device).toBe('cpu');
    const back = await onGpu.to('cpu');
    expect(back.device).toBe('cpu');
    expect(back.toArray()).toEqual(x.toArray());
    expect(Array.from(await x.dataAsync())).toEqual([1.5, -2, 3, 4]);
    expect(tensor([1, 2], { device: 'webgpu' }).dtype).toBe('float32');
    const labels = tensor([2, 0, 1], { dtype: 'int32', device: 'webgpu' });
    expect(await labels.toArrayAsync()).toEqual([2, 0, 1]);
    expect(await labels.cast('float32').toArrayAsync()).toEqual([2, 0, 1]);
  });

  it('refuses synchronous reads, float64, mixed devices and ops without a kernel, naming them', () => {
    if (!ready) return;
    const x = tensor([1, 2, 3], { device: 'webgpu' });
    expect(() => x.data).toThrow(DeviceError);
    expect(() => x.data).toThrow(/on 'webgpu' has no synchronous values.*dataAsync/);
    expect(() => x.sum().item()).toThrow(DeviceError);
    expect(() => tensor([1, 2]).to('webgpu')).toThrow(DTypeError);
    expect(() => tensor([1, 2], { device: 'webgpu', dtype: 'float64' })).toThrow(/float64/);
    expect(() => x.add(tensor([1, 2, 3], { dtype: 'float32' }))).toThrow(/on 'cpu' and another on 'webgpu'/);
    expect(() => x.cast('float64')).toThrow(DTypeError);
    expect(() => x.flip(0)).toThrow(DeviceError);
    expect(String(x)).toBe('tensor(<on webgpu>, shape=[3], dtype=float32)');
    expect(() => tensor([1], { device: 'tpu' })).toThrow(/no device 'tpu' is registered/);
  });
});

describe('the harness itself', () => {
  it('reports a case that differs on the device, naming the element (so every case above can fail)', async () => {
    if (!ready) return;
    const planted = { name: 'planted', inputs: [{ shape: [4, 3] }], f: (x: Tensor) => (x.device === 'webgpu' ? x.mul(1.001) : x) };
    expect(await checkOpCase(planted)).toMatch(/^planted value\[\d+\]: webgpu .*, cpu /);
    const gradientOnly = {
      name: 'gradient',
      inputs: [{ shape: [5] }],
      f: (x: Tensor) => (x.device === 'webgpu' ? x.mul(1.001).sub(x.mul(0.001).detach()) : x),
    };
    expect(await checkOpCase(gradientOnly)).toMatch(/^gradient gradient of input 0\[\d+\]: webgpu/);
  });
});
