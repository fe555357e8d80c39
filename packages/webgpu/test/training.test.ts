// Training an MLP on webgpu: the same model, data and SGD steps on the CPU (float32) and on the device give the same
// losses within float32 tolerance, and a long run makes no new device buffers once the pool has warmed up.
import { Generator, type Tensor, noGrad, tensor } from '@tapegrad/core';
import { webgpuMemory } from '@tapegrad/webgpu';
import { releaseWebgpuDevice, webgpuDevice } from './webgpu-device';

let ready = false;
beforeAll(async () => {
  ready = await webgpuDevice();
});
afterAll(releaseWebgpuDevice);

const [BATCH, IN, HIDDEN, CLASSES] = [16, 20, 32, 10];

function uniform(n: number, scale: number, g: Generator): Float32Array {
  return Float32Array.from({ length: n }, () => scale * (2 * g.uniform() - 1));
}

/** A two-layer MLP (Linear, ReLU, Linear) with softmax cross-entropy, built from core ops only. */
function model(device: 'cpu' | 'webgpu') {
  const g = new Generator(7);
  const leaf = (data: Float32Array, shape: number[]) => tensor(data, { shape, device, requiresGrad: true });
  const params = [
    leaf(uniform(HIDDEN * IN, 1 / Math.sqrt(IN), g), [HIDDEN, IN]),
    leaf(uniform(HIDDEN, 0.1, g), [HIDDEN]),
    leaf(uniform(CLASSES * HIDDEN, 1 / Math.sqrt(HIDDEN), g), [CLASSES, HIDDEN]),
    leaf(uniform(CLASSES, 0.1, g), [CLASSES]),
  ];
  const x = tensor(uniform(BATCH * IN, 1, g), { shape: [BATCH, IN], device });
  const oneHot = new Float32Array(BATCH * CLASSES);
  for (let i = 0; i < BATCH; i++) oneHot[i * CLASSES + g.int(CLASSES)] = 1;
  const target = tensor(oneHot, { shape: [BATCH, CLASSES], device });
  const [w1, b1, w2, b2] = params;
  const loss = (): Tensor => {
    const h = x.matmul(w1, { transposeB: true }).addRelu(b1);
    const logits = h.matmul(w2, { transposeB: true }).add(b2);
    return logits.logSoftmax(-1).mul(target).sum().div(-BATCH);
  };
  const step = (lr: number): Tensor => {
    for (const p of params) p.zeroGrad();
    const l = loss();
    l.backward();
    noGrad(() => params.forEach((p) => p.addInPlace(p.grad!, -lr)));
    return l;
  };
  return { step };
}

describe('an MLP trained on webgpu', () => {
  it('matches the CPU float32 losses step by step', async () => {
    if (!ready) return;
    const cpu = model('cpu');
    const gpu = model('webgpu');
    const cpuLosses: number[] = [];
    const gpuLosses: number[] = [];
    for (let s = 0; s < 8; s++) {
      cpuLosses.push(cpu.step(0.5).item());
      gpuLosses.push((await gpu.step(0.5).dataAsync())[0]);
    }
    expect(cpuLosses[7]).toBeLessThan(cpuLosses[0] * 0.8); // it learns: the comparison is of a moving trajectory
    gpuLosses.forEach((l, i) => expect(Math.abs(l - cpuLosses[i])).toBeLessThan(1e-5 + 1e-4 * cpuLosses[i]));
  });

  it('makes no new device buffers after warming up (80 steps, collected every 10)', async () => {
    if (!ready) return;
    const gpu = model('webgpu');
    const collect = global.gc;
    if (collect === undefined) throw new Error('run Jest with node --expose-gc (pnpm test does)');
    const settle = async () => {
      collect();
      await new Promise((resolve) => setTimeout(resolve, 0)); // the FinalizationRegistry hands buffers back here
    };
    let warm = 0;
    for (let s = 0; s < 80; s++) {
      await gpu.step(0.1).dataAsync();
      if (s % 10 !== 9) continue;
      await settle();
      if (s === 29) warm = webgpuMemory().created;
    }
    const after = webgpuMemory();
    expect(warm).toBeGreaterThan(0);
    expect(after.created).toBe(warm);
    expect(after.live).toBeLessThan(warm);
  });
});
