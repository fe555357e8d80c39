/**
 * The playground's MLP trained on the 'webgpu' device with the CPU trainer's code path: a float32 twin of its model
 * (the same starting weights, through loadStateDict) moved to the GPU whole with `Module.to`, nn's softmaxCrossEntropy
 * against the labels (kept on the CPU, where they are checked) and nn's optimiser updating the parameters in place
 * there. Values come back asynchronously: the loss each step, the accuracy and the boundary grid per report, and the
 * parameters only for an ONNX export (into the CPU model, which exports them).
 */
import { Generator, type Tensor, noGrad, tensor } from '@tapegrad/core';
import { Adam, MLP, type Optimizer, SGD, softmaxCrossEntropy } from '@tapegrad/nn';
import type { TrainConfig } from './config.js';
import type { Dataset } from './datasets.js';
import { Trainer, gridPoints } from './trainer.js';

export class DeviceTrainer {
  private readonly cpu: Trainer;
  /** The CPU model's float32 twin, on the device. */
  private readonly model: MLP;
  private readonly optimiser: Optimizer;
  private readonly inputs: Tensor;
  private readonly labels: Tensor;
  steps = 0;

  constructor(readonly config: TrainConfig) {
    this.cpu = new Trainer(config);
    // Its own generator: drawing the twin's (overwritten) initial weights must not move the global one.
    this.model = new MLP(this.cpu.model.sizes, { activation: config.activation, dtype: 'float32', generator: new Generator(0) });
    this.model.loadStateDict(this.cpu.model.stateDict());
    this.model.to('webgpu');
    const params = this.model.parameters();
    this.optimiser = config.optimiser === 'adam' ? new Adam(params, { lr: config.lr }) : new SGD(params, { lr: config.lr, momentum: 0.9 });
    this.inputs = tensor(Float32Array.from(this.data.x), { shape: [this.data.count, 2], device: 'webgpu' });
    this.labels = tensor(this.data.y, { shape: [this.data.count], dtype: 'int32' });
  }

  get data(): Dataset {
    return this.cpu.data;
  }

  /** One optimiser step on the whole data set on the device; resolves to the loss before the step. */
  async step(): Promise<number> {
    this.optimiser.zeroGrad();
    const loss = softmaxCrossEntropy(this.model.forward(this.inputs), this.labels);
    loss.backward();
    this.optimiser.step();
    this.steps++;
    return (await loss.dataAsync())[0];
  }

  async accuracy(): Promise<number> {
    const { classes, count, y } = this.data;
    const logits = await noGrad(() => this.model.forward(this.inputs)).dataAsync();
    let right = 0;
    for (let i = 0; i < count; i++) {
      const row = logits.subarray(i * classes, (i + 1) * classes);
      if (row.indexOf(Math.max(...row)) === y[i]) right++;
    }
    return right / count;
  }

  /** As Trainer.probabilityGrid, computed on the device. */
  async probabilityGrid(resolution: number): Promise<Float32Array> {
    const grid = tensor(Float32Array.from(gridPoints(resolution)), { shape: [resolution * resolution, 2], device: 'webgpu' });
    return Float32Array.from(await noGrad(() => this.model.forward(grid).softmax(-1)).dataAsync());
  }

  /** The network as an ONNX model (as Trainer.toOnnx), after bringing the device's parameters into the CPU model. */
  async toOnnx(): Promise<Uint8Array> {
    const values = await Promise.all(this.model.parameters().map((p) => p.dataAsync()));
    noGrad(() => this.cpu.model.parameters().forEach((p, i) => p.assign(tensor(Float64Array.from(values[i]), { shape: p.shape }))));
    this.cpu.steps = this.steps;
    return this.cpu.toOnnx();
  }
}
