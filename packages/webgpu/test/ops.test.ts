// Every op with a webgpu kernel, run on the device and on the CPU's float32 kernels from the same inputs: values,
// and the gradients a random upstream gradient sends back through the op's (unchanged) rule, agree within float32
// tolerances. The CPU side is core's reference; the device side shares none of its kernel code.
import { DTypeError, DeviceError, Generator, type Tensor, noGrad, tensor } from '@tapegrad/core';
import { releaseWebgpuDevice, webgpuDevice } from './webgpu-device';

let ready = false;
beforeAll(async () => {
  ready = await webgpuDevice();
});
afterAll(releaseWebgpuDevice);

interface Input {
  readonly shape: readonly number[];
  readonly lo?: number;
  readonly hi?: number;
}

/** A case: inputs (seeded uniform values in [lo, hi)) and the function of them to run on both devices. */
interface Case {
  readonly name: string;
  readonly inputs: readonly Input[];
  readonly f: (...xs: Tensor[]) => Tensor;
}

const u = (...shape: number[]): Input => ({ shape });
const pos = (...shape: number[]): Input => ({ shape, lo: 0.2, hi: 3 });

const CASES: readonly Case[] = [
  // unary (elementwise kernels by name)
  ...(['neg', 'exp', 'sin', 'cos', 'tanh', 'abs', 'relu', 'sigmoid', 'softplus', 'erf'] as const).map((op) => ({
    name: op,
    inputs: [u(3, 5)],
    f: (x: Tensor) => x[op](),
  })),
  { name: 'log', inputs: [pos(4, 3)], f: (x) => x.log() },
  { name: 'sqrt', inputs: [pos(4, 3)], f: (x) => x.sqrt() },
  { name: 'leakyRelu (mask form)', inputs: [u(6)], f: (x) => x.relu().add(x.neg().relu().mul(-0.1)) },
  // binary, broadcasting
  { name: 'add [3,4] + [4]', inputs: [u(3, 4), u(4)], f: (a, b) => a.add(b) },
  { name: 'sub [2,1,3] - [4,1]', inputs: [u(2, 1, 3), u(4, 1)], f: (a, b) => a.sub(b) },
  { name: 'mul [3,4] * [3,1]', inputs: [u(3, 4), u(3, 1)], f: (a, b) => a.mul(b) },
  { name: 'div', inputs: [u(3, 4), pos(3, 4)], f: (a, b) => a.div(b) },
  { name: 'pow', inputs: [pos(5), u(5)], f: (a, b) => a.pow(b) },
  { name: 'maximum', inputs: [u(4, 3), u(3)], f: (a, b) => a.maximum(b) },
  { name: 'minimum', inputs: [u(4, 3), u(4, 3)], f: (a, b) => a.minimum(b) },
  { name: 'addRelu (bias)', inputs: [u(5, 4), u(4)], f: (a, b) => a.addRelu(b) },
  { name: 'number operands', inputs: [u(2, 3)], f: (x) => x.mul(3).add(1).div(2).sub(0.5) },
  // matrix products and the transposed variants backward uses
  { name: 'matmul', inputs: [u(5, 7), u(7, 3)], f: (a, b) => a.matmul(b) },
  { name: 'matmul transposeA', inputs: [u(7, 5), u(7, 3)], f: (a, b) => a.matmul(b, { transposeA: true }) },
  { name: 'matmul transposeB', inputs: [u(5, 7), u(3, 7)], f: (a, b) => a.matmul(b, { transposeB: true }) },
  { name: 'matmul both', inputs: [u(7, 5), u(3, 7)], f: (a, b) => a.matmul(b, { transposeA: true, transposeB: true }) },
  { name: 'matmul tiles (37x41 . 41x19)', inputs: [u(37, 41), u(41, 19)], f: (a, b) => a.matmul(b) },
  { name: 'batched matmul, batch broadcast', inputs: [u(2, 3, 5, 4), u(4, 6)], f: (a, b) => a.matmul(b) },
  { name: 'matrix . vector', inputs: [u(4, 6), u(6)], f: (a, b) => a.matmul(b) },
  // reductions
  { name: 'sum all', inputs: [u(3, 4, 5)], f: (x) => x.sum() },
  { name: 'sum axis 0', inputs: [u(3, 4)], f: (x) => x.sum(0) },
  { name: 'sum axes [0, 2] keepDims', inputs: [u(3, 4, 5)], f: (x) => x.sum([0, 2], true) },
  { name: 'sum of 5000', inputs: [u(5000)], f: (x) => x.sum() },
  { name: 'mean axis -1', inputs: [u(4, 6)], f: (x) => x.mean(-1) },
  { name: 'max axis 1', inputs: [u(4, 6)], f: (x) => x.max(1) },
  { name: 'min all', inputs: [u(4, 6)], f: (x) => x.min() },
  // softmax family
  { name: 'softmax -1', inputs: [u(4, 5)], f: (x) => x.softmax(-1) },
  { name: 'softmax 0', inputs: [u(4, 5)], f: (x) => x.softmax(0) },
  { name: 'logSoftmax', inputs: [u(3, 7)], f: (x) => x.logSoftmax(-1) },
  // layout
  { name: 'transpose', inputs: [u(3, 4)], f: (x) => x.transpose() },
  { name: 'transpose [2, 0, 1]', inputs: [u(2, 3, 4)], f: (x) => x.transpose([2, 0, 1]) },
  { name: 'reshape', inputs: [u(3, 4)], f: (x) => x.reshape([2, 6]).mul(x.reshape([2, 6])) },
  { name: 'broadcastTo', inputs: [u(3, 1)], f: (x) => x.broadcastTo([2, 3, 4]) },
  { name: 'slice (and pad, its gradient)', inputs: [u(4, 5)], f: (x) => x.slice([1, 2], [2, 3]) },
];

function draw(input: Input, seed: number): Float32Array {
  const g = new Generator(seed);
  const lo = input.lo ?? -2;
  const hi = input.hi ?? 2;
  const n = input.shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * g.uniform());
}

/** f's value and the gradients of <f(x), upstream> with respect to every input, on `device`. */
async function run(c: Case, device: 'cpu' | 'webgpu'): Promise<{ value: Float32Array; grads: Float32Array[] }> {
  const xs = c.inputs.map((input, i) => tensor(draw(input, 11 + i), { shape: input.shape, device, requiresGrad: true }));
  const y = c.f(...xs);
  const upstream = tensor(draw({ shape: y.shape, lo: 0.5, hi: 1.5 }, 99), { shape: y.shape, device });
  y.mul(upstream).sum().backward();
  const value = Float32Array.from(await y.dataAsync());
  const grads = await Promise.all(xs.map(async (x) => Float32Array.from(await x.grad!.dataAsync())));
  return { value, grads };
}

function expectClose(actual: Float32Array, expected: Float32Array, what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = 2e-5 + 2e-4 * Math.abs(expected[i]);
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) throw new Error(`${what}[${i}]: webgpu ${actual[i]}, cpu ${expected[i]}`);
  }
}

describe('ops on webgpu against the CPU float32 kernels (values and gradients)', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    if (!ready) return;
    const cpu = await run(c, 'cpu');
    const gpu = await run(c, 'webgpu');
    expectClose(gpu.value, cpu.value, `${c.name} value`);
    gpu.grads.forEach((g, i) => expectClose(g, cpu.grads[i], `${c.name} gradient of input ${i}`));
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
    expect(() => x.logSumExp()).toThrow(DeviceError);
    expect(String(x)).toBe('tensor(<on webgpu>, shape=[3], dtype=float32)');
    expect(() => tensor([1], { device: 'tpu' })).toThrow(/no device 'tpu' is registered/);
  });
});
