// The tests' MLP: two layers (Linear, ReLU, Linear) with softmax cross-entropy, built from core ops only, with the same
// seeded parameters and batch on either device, so a run on webgpu can be compared step by step with one on the CPU.
import { Generator, type Tensor, tensor } from '@tapegrad/core';

/** The sizes of the layers and the batch. */
export interface MlpSizes {
  readonly batch: number;
  readonly inputs: number;
  readonly hidden: number;
  readonly classes: number;
}

export const SMALL: MlpSizes = { batch: 16, inputs: 20, hidden: 32, classes: 10 };

function uniform(n: number, scale: number, g: Generator): Float32Array {
  return Float32Array.from({ length: n }, () => scale * (2 * g.uniform() - 1));
}

/** The parameters [w1, b1, w2, b2] (float32 leaves on `device`) and the loss on one fixed batch. */
export function mlp(device: 'cpu' | 'webgpu', sizes: MlpSizes = SMALL): { params: Tensor[]; loss: () => Tensor } {
  const { batch, inputs, hidden, classes } = sizes;
  const g = new Generator(7);
  const leaf = (data: Float32Array, shape: number[]) => tensor(data, { shape, device, requiresGrad: true });
  const params = [
    leaf(uniform(hidden * inputs, 1 / Math.sqrt(inputs), g), [hidden, inputs]),
    leaf(uniform(hidden, 0.1, g), [hidden]),
    leaf(uniform(classes * hidden, 1 / Math.sqrt(hidden), g), [classes, hidden]),
    leaf(uniform(classes, 0.1, g), [classes]),
  ];
  const x = tensor(uniform(batch * inputs, 1, g), { shape: [batch, inputs], device });
  const oneHot = new Float32Array(batch * classes);
  for (let i = 0; i < batch; i++) oneHot[i * classes + g.int(classes)] = 1;
  const target = tensor(oneHot, { shape: [batch, classes], device });
  const [w1, b1, w2, b2] = params;
  const loss = (): Tensor => {
    const h = x.matmul(w1, { transposeB: true }).addRelu(b1);
    const logits = h.matmul(w2, { transposeB: true }).add(b2);
    return logits.logSoftmax(-1).mul(target).sum().div(-batch);
  };
  return { params, loss };
}
