// Training an MLP on webgpu: the same model, data and SGD steps on the CPU (float32) and on the device give the same
// losses within float32 tolerance, and a long run makes no new device buffers once the pool has warmed up.
import { type Tensor, noGrad } from '@tapegrad/core';
import { webgpuMemory } from '@tapegrad/webgpu';
import { releaseWebgpuDevice, webgpuDevice } from './webgpu-device';
import { mlp } from './mlp';

let ready = false;
beforeAll(async () => {
  ready = await webgpuDevice();
});
afterAll(releaseWebgpuDevice);

/** The MLP with SGD written as core in-place ops (no optimiser object). */
function model(device: 'cpu' | 'webgpu') {
  const { params, loss } = mlp(device);
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
