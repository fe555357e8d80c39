// The playground's GPU trainer in Node (Dawn; SwiftShader without a GPU): the same data, starting weights and optimiser
// as the CPU trainer, so its losses follow the CPU's (float32 against float64) step by step, and its ONNX export
// carries the trained weights. The e2e test (test/e2e/webgpu.test.ts) runs it in chromium.
import { parseTrainConfig } from '../src/train/config';
import { DeviceTrainer } from '../src/train/device-trainer';
import { Trainer } from '../src/train/trainer';
import { releaseWebgpuDevice, webgpuDevice } from '../../webgpu/test/webgpu-device';

let ready = false;
beforeAll(async () => {
  ready = await webgpuDevice();
});
afterAll(releaseWebgpuDevice);

const CONFIG = parseTrainConfig({
  model: 'mlp',
  dataset: 'spiral',
  seed: '3',
  hidden: '12',
  activation: 'tanh',
  optimiser: 'adam',
  lr: '0.05',
});

describe('the playground trainer on webgpu', () => {
  it("follows the CPU trainer's losses, reports accuracy and the boundary grid, and exports what it learnt", async () => {
    if (!ready) return;
    const cpu = new Trainer(CONFIG);
    const gpu = new DeviceTrainer(CONFIG);
    const cpuLosses: number[] = [];
    const gpuLosses: number[] = [];
    for (let s = 0; s < 12; s++) {
      cpuLosses.push(cpu.step());
      gpuLosses.push(await gpu.step());
    }
    expect(cpuLosses[11]).toBeLessThan(cpuLosses[0]); // it learns: the comparison is of a moving trajectory
    gpuLosses.forEach((l, i) => expect(Math.abs(l - cpuLosses[i])).toBeLessThan(2e-4 * Math.max(1, cpuLosses[i])));
    expect(await gpu.accuracy()).toBeCloseTo(cpu.accuracy(), 1);
    const grid = await gpu.probabilityGrid(4);
    const reference = cpu.probabilityGrid(4);
    grid.forEach((p, i) => expect(p).toBeCloseTo(reference[i], 3));
    // The export carries the trained weights: the same layout and step count as an untrained one's, other bytes.
    const fresh = new DeviceTrainer(CONFIG);
    fresh.steps = gpu.steps;
    const [trained, untrained] = [await gpu.toOnnx(), await fresh.toOnnx()];
    expect(trained.length).toBe(untrained.length);
    expect(Buffer.from(trained).equals(Buffer.from(untrained))).toBe(false);
  });
});
