/**
 * The playground's MLP trained on the 'webgpu' device: float32 copies of the CPU trainer's starting parameters live
 * on the GPU, the forward pass is the MLP's own (Linear: x W^T + b, then the hidden activation), the loss is softmax
 * cross-entropy taken as the mean of -log_softmax at the labels, and nn's optimiser updates the parameters in place
 * there. Values come back asynchronously: the loss each step, the accuracy and the boundary grid per report, and the
 * parameters only for an ONNX export (into the CPU model, which exports them).
 */
import { type Tensor, noGrad, tensor } from '@tapegrad/core';
import { Adam, type Optimizer, SGD } from '@tapegrad/nn';
import type { TrainConfig } from './config.js';
import type { Dataset } from './datasets.js';
import { Trainer, gridPoints } from './trainer.js';

const ACTIVATE: Record<TrainConfig['activation'], (h: Tensor) => Tensor> = {
  relu: (h) => h.relu(),
  tanh: (h) => h.tanh(),
  sigmoid: (h) => h.sigmoid(),
};

export class DeviceTrainer {
  private readonly cpu: Trainer;
  /** [W1, b1, W2, b2, ...] on the device, W as Linear's [out, in]. */
  private readonly params: Tensor[];
  private readonly optimiser: Optimizer;
  private readonly inputs: Tensor;
  private readonly labels: Tensor;
  steps = 0;

  constructor(readonly config: TrainConfig) {
    this.cpu = new Trainer(config);
    this.params = noGrad(() => this.cpu.model.parameters().map((p) => p.cast('float32').to('webgpu').setRequiresGrad()));
    this.optimiser =
      config.optimiser === 'adam' ? new Adam(this.params, { lr: config.lr }) : new SGD(this.params, { lr: config.lr, momentum: 0.9 });
    this.inputs = tensor(Float32Array.from(this.data.x), { shape: [this.data.count, 2], device: 'webgpu' });
    this.labels = tensor(this.data.y, { shape: [this.data.count, 1], dtype: 'int32' });
  }

  get data(): Dataset {
    return this.cpu.data;
  }

  private forward(x: Tensor): Tensor {
    let h = x;
    for (let i = 0; i < this.params.length; i += 2) {
      h = h.matmul(this.params[i], { transposeB: true }).add(this.params[i + 1]);
      if (i + 2 < this.params.length) h = ACTIVATE[this.config.activation](h);
    }
    return h;
  }

  /** One optimiser step on the whole data set on the device; resolves to the loss before the step. */
  async step(): Promise<number> {
    this.optimiser.zeroGrad();
    const loss = this.forward(this.inputs).logSoftmax(-1).takeAlongAxis(this.labels, -1).mean().neg();
    loss.backward();
    this.optimiser.step();
    this.steps++;
    return (await loss.dataAsync())[0];
  }

  async accuracy(): Promise<number> {
    const { classes, count, y } = this.data;
    const logits = await noGrad(() => this.forward(this.inputs)).dataAsync();
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
    return Float32Array.from(await noGrad(() => this.forward(grid).softmax(-1)).dataAsync());
  }

  /** The network as an ONNX model (as Trainer.toOnnx), after bringing the device's parameters into the CPU model. */
  async toOnnx(): Promise<Uint8Array> {
    const values = await Promise.all(this.params.map((p) => p.dataAsync()));
    noGrad(() => this.cpu.model.parameters().forEach((p, i) => p.assign(tensor(Float64Array.from(values[i]), { shape: p.shape }))));
    this.cpu.steps = this.steps;
    return this.cpu.toOnnx();
  }
}
