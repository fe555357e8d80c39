/**
 * The models of W1 and W5 in tapegrad's functional ops, as a user writes them: shared by the CPU peer (tapegrad.ts)
 * and the device peer (tapegrad-webgpu.ts), which differ only in where the tensors live and how they step.
 */
import { type Tensor, conv2d, maxPool2d } from '@tapegrad/core';

/** W1's MLP: the logits of x under [w1, b1, w2, b2, w3, b3] (weights [in, out]), ReLU between. */
export function mlpLogits(x: Tensor, params: readonly Tensor[]): Tensor {
  const [w1, b1, w2, b2, w3, b3] = params;
  const h1 = x.matmul(w1).add(b1).relu();
  const h2 = h1.matmul(w2).add(b2).relu();
  return h2.matmul(w3).add(b3);
}

/**
 * W5's LeNet-5: the logits of x [batch, 1, 28, 28] under [conv1, its bias, conv2, its bias, fc1, ..., fc3's bias]
 * (PyTorch's layouts: conv weights [out, in, k, k], linear weights [out, in]), with conv2d, maxPool2d and matmul.
 * The convolutions take their biases as PyTorch's F.conv2d(x, w, b) does (and nn's Conv2d passes its own).
 */
export function lenetLogits(x: Tensor, params: readonly Tensor[]): Tensor {
  const [c1, c1b, c2, c2b, f1, f1b, f2, f2b, f3, f3b] = params;
  let h = maxPool2d(conv2d(x, c1, { padding: 2, bias: c1b }).relu(), 2);
  h = maxPool2d(conv2d(h, c2, { bias: c2b }).relu(), 2).reshape([x.shape[0], 400]);
  h = h.matmul(f1, { transposeB: true }).add(f1b).relu();
  h = h.matmul(f2, { transposeB: true }).add(f2b).relu();
  return h.matmul(f3, { transposeB: true }).add(f3b);
}

/** The mean cross-entropy of `logits` at `labels` ([batch, 1] int32). */
export function meanCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  return logits.logSoftmax(-1).takeAlongAxis(labels, -1).mean().neg();
}
