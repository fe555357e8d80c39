/**
 * The webgpu op harness's cases, shared by the Node test (ops.test.ts, Dawn) and the Chromium page
 * (packages/playground/test/pages/webgpu-ops, driven by the e2e test webgpu-ops.test.ts): every op with a webgpu kernel,
 * run on the device and on the CPU's float32 kernels from the same inputs. Values, and the gradients a random upstream
 * gradient sends back through the op's (unchanged) rule, must agree within float32 tolerances. The CPU side is core's
 * reference; the device side shares none of its kernel code. No test framework here: `checkOpCase` reports the first
 * disagreement as text, and each runner decides.
 */
import {
  Generator,
  type Tensor,
  avgPool2d,
  batchNorm,
  concat,
  conv2d,
  embedding,
  fuse,
  layerNorm,
  maxPool2d,
  scaledDotProductAttention,
  tensor,
  topk,
  where,
} from '@tapegrad/core';
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  Dropout,
  crossEntropy,
  huberLoss,
  mseLoss,
  nllLoss,
  softmaxCrossEntropy,
} from '@tapegrad/nn';

export interface Input {
  readonly shape: readonly number[];
  readonly lo?: number;
  readonly hi?: number;
}

/** A case: inputs (seeded uniform values in [lo, hi)) and the function of them to run on both devices. */
export interface OpCase {
  readonly name: string;
  readonly inputs: readonly Input[];
  readonly f: (...xs: Tensor[]) => Tensor;
}

/** Class labels of four samples of five classes, on the CPU as the losses take them. */
const LABELS = tensor([3, 0, 4, 1], { dtype: 'int32' });

const u = (...shape: number[]): Input => ({ shape });
const pos = (...shape: number[]): Input => ({ shape, lo: 0.2, hi: 3 });

/** Fused chains (core's fuse): on the device one generated kernel forward and one backward. */
export const FUSED = {
  chain: fuse((x, w, b) => x.mul(w).add(b).tanh().mul(x)),
  summed: fuse((x, y) => x.sub(y).mul(x.sub(y)).sum()),
  activations: fuse((x) => x.sigmoid().mul(x).add(x.relu().mul(0.5)).exp()),
};

export const OP_CASES: readonly OpCase[] = [
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
  { name: 'matmul of several 64x64 blocks (70x33 . 33x130)', inputs: [u(70, 33), u(33, 130)], f: (a, b) => a.matmul(b) },
  {
    name: 'matmul of several blocks, both transposed',
    inputs: [u(33, 70), u(130, 33)],
    f: (a, b) => a.matmul(b, { transposeA: true, transposeB: true }),
  },
  { name: 'batched matmul, batch broadcast', inputs: [u(2, 3, 5, 4), u(4, 6)], f: (a, b) => a.matmul(b) },
  // vec4 loads: A's rows when K is a multiple of 4, B's when N is (and both, batched)
  { name: 'matmul, vec4 loads of both (70x36 . 36x132)', inputs: [u(70, 36), u(36, 132)], f: (a, b) => a.matmul(b) },
  { name: 'matmul, vec4 loads of A (transposeB, K 20)', inputs: [u(9, 20), u(7, 20)], f: (a, b) => a.matmul(b, { transposeB: true }) },
  { name: 'matmul, vec4 loads of B (transposeA, N 8)', inputs: [u(12, 5), u(12, 8)], f: (a, b) => a.matmul(b, { transposeA: true }) },
  { name: 'batched matmul, vec4 loads, batch broadcast', inputs: [u(3, 1, 6, 8), u(2, 8, 12)], f: (a, b) => a.matmul(b) },
  { name: 'matrix . vector', inputs: [u(4, 6), u(6)], f: (a, b) => a.matmul(b) },
  // reductions
  { name: 'sum all', inputs: [u(3, 4, 5)], f: (x) => x.sum() },
  { name: 'sum axis 0', inputs: [u(3, 4)], f: (x) => x.sum(0) },
  { name: 'sum axes [0, 2] keepDims', inputs: [u(3, 4, 5)], f: (x) => x.sum([0, 2], true) },
  { name: 'sum of 5000', inputs: [u(5000)], f: (x) => x.sum() },
  { name: 'mean axis -1', inputs: [u(4, 6)], f: (x) => x.mean(-1) },
  { name: 'max axis 1', inputs: [u(4, 6)], f: (x) => x.max(1) },
  { name: 'min all', inputs: [u(4, 6)], f: (x) => x.min() },
  // a workgroup per output past 64 elements each, a thread per output up to that
  { name: 'max and min of 300 per output (a workgroup each)', inputs: [u(2, 300)], f: (x) => x.max(1).add(x.min(1)) },
  { name: 'sum over the batch of a broadcast weight (a thread each)', inputs: [u(8, 40, 30)], f: (x) => x.sum(0) },
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
  // convolutions (im2col + matmul; col2im for the input gradient) and pooling
  { name: 'conv2d', inputs: [u(2, 3, 7, 6), u(4, 3, 3, 2)], f: (x, w) => conv2d(x, w) },
  {
    name: 'conv2d stride 2, padding 1, dilation 2',
    inputs: [u(2, 2, 9, 8), u(3, 2, 3, 3)],
    f: (x, w) => conv2d(x, w, { stride: 2, padding: 1, dilation: 2 }),
  },
  {
    name: 'conv2d groups 2, stride [1, 2]',
    inputs: [u(1, 4, 6, 7), u(6, 2, 3, 3)],
    f: (x, w) => conv2d(x, w, { groups: 2, stride: [1, 2] }),
  },
  { name: 'conv2d 5x5 padding 2 (LeNet)', inputs: [u(3, 1, 12, 12), u(6, 1, 5, 5)], f: (x, w) => conv2d(x, w, { padding: 2 }) },
  { name: 'maxPool2d 2', inputs: [u(2, 3, 6, 6)], f: (x) => maxPool2d(x, 2) },
  { name: 'maxPool2d 3, stride 2, padding 1', inputs: [u(1, 2, 7, 6)], f: (x) => maxPool2d(x, 3, { stride: 2, padding: 1 }) },
  { name: 'maxPool2d overlapping, dilation 2', inputs: [u(1, 2, 8, 8)], f: (x) => maxPool2d(x, 2, { stride: 1, dilation: 2 }) },
  { name: 'avgPool2d 2', inputs: [u(2, 3, 6, 6)], f: (x) => avgPool2d(x, 2) },
  {
    name: 'avgPool2d 3, stride 2, padding 1, pad not counted',
    inputs: [u(1, 2, 7, 6)],
    f: (x) => avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }),
  },
  { name: 'avgPool2d 3, stride 1, padding 1, pad counted', inputs: [u(1, 2, 5, 5)], f: (x) => avgPool2d(x, 3, { stride: 1, padding: 1 }) },
  // layer norm: the fused forward on the device, its backward through the device's elementwise and reduction kernels
  { name: 'layerNorm with weight and bias', inputs: [u(3, 4, 6), u(6), u(6)], f: (x, w, b) => layerNorm(x, 6, { weight: w, bias: b }) },
  { name: 'layerNorm over two axes, no affine', inputs: [u(2, 3, 5)], f: (x) => layerNorm(x, [3, 5]) },
  { name: 'layerNorm with a weight only, eps 0.1', inputs: [u(5, 7), u(7)], f: (x, w) => layerNorm(x, 7, { weight: w, eps: 0.1 }) },
  { name: 'layerNorm of 300 rows of 70', inputs: [u(300, 70), u(70), u(70)], f: (x, w, b) => layerNorm(x, 70, { weight: w, bias: b }) },
  // batch norm with the batch's statistics: fused forward and backward on the device
  {
    name: 'batchNorm [N, C, H, W] with weight and bias',
    inputs: [u(3, 4, 5, 2), u(4), u(4)],
    f: (x, w, b) => batchNorm(x, { weight: w, bias: b, training: true }),
  },
  { name: 'batchNorm [N, C] (BatchNorm1d), no affine', inputs: [u(6, 5)], f: (x) => batchNorm(x, { training: true, eps: 0.1 }) },
  { name: 'batchNorm [N, C, L] with a weight only', inputs: [u(2, 3, 7), u(3)], f: (x, w) => batchNorm(x, { weight: w, training: true }) },
  {
    name: 'batchNorm of 2 channels of 900 values, offset',
    inputs: [{ shape: [9, 2, 10, 10], lo: 40, hi: 44 }, u(2), u(2)],
    f: (x, w, b) => batchNorm(x, { weight: w, bias: b, training: true }),
  },
  // where, and attention (the composite on the device: scores, mask, softmax, product)
  { name: 'where, broadcast condition', inputs: [u(3, 4), u(4)], f: (a, b) => where(a.gt(0), a, b) },
  {
    name: 'comparisons and logical ops as masks',
    inputs: [u(3, 4), u(4)],
    f: (a, b) =>
      a
        .mul(
          a
            .lt(b)
            .add(a.le(0.5))
            .add(a.ge(b).mul(2))
            .add(a.ne(b).logicalAnd(a.gt(-1)))
            .add(a.eq(a).logicalNot()),
        )
        .add(b),
  },
  { name: 'attention', inputs: [u(2, 5, 4), u(2, 6, 4), u(2, 6, 3)], f: (q, k, v) => scaledDotProductAttention(q, k, v) },
  {
    name: 'attention causal, heads broadcast',
    inputs: [u(2, 2, 5, 4), u(1, 2, 5, 4), u(2, 1, 5, 3)],
    f: (q, k, v) => scaledDotProductAttention(q, k, v, { causal: true }),
  },
  {
    name: 'attention with a boolean mask and a scale',
    inputs: [u(3, 4), u(5, 4), u(5, 2)],
    f: (q, k, v) => scaledDotProductAttention(q, k, v, { mask: tensor([1, 0, 1, 1, 0], { dtype: 'int32' }).reshape([1, 5]), scale: 0.3 }),
  },
  // the other elementwise kernels
  ...(['silu', 'sinh', 'cosh', 'atan', 'asinh'] as const).map((op) => ({ name: op, inputs: [u(3, 5)], f: (x: Tensor) => x[op]() })),
  {
    name: 'expm1 and log1p, tiny values too',
    inputs: [{ shape: [12], lo: -1e-5, hi: 1e-5 }, u(6)],
    f: (t, x) => concat([t.expm1(), t.log1p(), x.expm1(), x.abs().log1p()]),
  },
  {
    name: 'asin, acos, atanh inside (-1, 1)',
    inputs: [{ shape: [8], lo: -0.9, hi: 0.9 }],
    f: (x) => concat([x.asin(), x.acos(), x.atanh()]),
  },
  { name: 'acosh', inputs: [{ shape: [6], lo: 1.2, hi: 4 }], f: (x) => x.acosh() },
  { name: 'atan2, broadcast', inputs: [u(3, 4), u(4)], f: (a, b) => a.atan2(b) },
  { name: 'gelu', inputs: [u(4, 5)], f: (x) => x.gelu() },
  { name: 'gelu tanh form', inputs: [u(4, 5)], f: (x) => x.gelu({ approximate: 'tanh' }) },
  // the ops training needs beyond those: concat, logSumExp, clamp, leakyRelu
  { name: 'concat axis 0', inputs: [u(2, 3), u(4, 3)], f: (a, b) => concat([a, b]) },
  { name: 'concat axis 1 of three', inputs: [u(2, 3, 2), u(2, 1, 2), u(2, 4, 2)], f: (a, b, c) => concat([a, b, c], 1) },
  { name: 'concat last axis', inputs: [u(3, 2), u(3, 5)], f: (a, b) => concat([a, b], -1) },
  { name: 'logSumExp all', inputs: [u(4, 6)], f: (x) => x.logSumExp() },
  { name: 'logSumExp axis -1, large values', inputs: [{ shape: [3, 5], lo: 60, hi: 90 }], f: (x) => x.logSumExp(-1) },
  { name: 'logSumExp axes [0, 2] keepDims', inputs: [u(3, 4, 5)], f: (x) => x.logSumExp([0, 2], true) },
  { name: 'clamp both bounds', inputs: [u(4, 5)], f: (x) => x.clamp(-0.7, 1.1) },
  { name: 'clamp min only', inputs: [u(4, 5)], f: (x) => x.clamp(0.3) },
  { name: 'clamp max only', inputs: [u(4, 5)], f: (x) => x.clamp(undefined, -0.2) },
  { name: 'leakyRelu', inputs: [u(4, 5)], f: (x) => x.leakyRelu(0.1) },
  { name: 'leakyRelu slope 2', inputs: [u(3, 3)], f: (x) => x.leakyRelu(2) },
  // nn's losses: class labels stay on the CPU (checked there), probability targets on the logits' device
  { name: 'softmaxCrossEntropy, labels', inputs: [u(4, 5)], f: (x) => softmaxCrossEntropy(x, LABELS) },
  {
    name: 'softmaxCrossEntropy, probabilities',
    inputs: [u(4, 5), pos(4, 5)],
    f: (x, t) => softmaxCrossEntropy(x, t.div(t.sum(-1, true)).detach()),
  },
  {
    name: 'crossEntropy, weights, ignoreIndex and label smoothing',
    inputs: [u(4, 5), pos(5)],
    f: (x, w) => crossEntropy(x, tensor([1, -100, 4, 0], { dtype: 'int32' }), { weight: w.detach(), labelSmoothing: 0.1 }),
  },
  {
    name: 'nllLoss of [N, C, d]',
    inputs: [u(2, 5, 3)],
    f: (x) =>
      nllLoss(
        x.logSoftmax(1),
        tensor(
          [
            [3, 0, 4],
            [1, 2, 0],
          ],
          { dtype: 'int32' },
        ),
      ),
  },
  { name: 'binaryCrossEntropy', inputs: [u(3, 4), pos(3, 4)], f: (x, t) => binaryCrossEntropy(x.sigmoid(), t.div(3).detach()) },
  { name: 'binaryCrossEntropyWithLogits', inputs: [u(3, 4), pos(3, 4)], f: (x, t) => binaryCrossEntropyWithLogits(x, t.div(3).detach()) },
  { name: 'mseLoss and huberLoss', inputs: [u(3, 4), u(3, 4)], f: (a, b) => mseLoss(a, b).add(huberLoss(a, b, { delta: 0.5 })) },
  // nn's layers that draw or look up: an embedding's indices on the CPU (checked there), dropout's mask drawn on the CPU
  {
    name: 'embedding with a padding row',
    inputs: [u(6, 3)],
    f: (w) =>
      embedding(
        tensor(
          [
            [1, 5, 0],
            [5, 2, 2],
          ],
          { dtype: 'int32' },
        ),
        w,
        { paddingIdx: 2 },
      ),
  },
  {
    name: 'dropout (the same mask from the same seed)',
    inputs: [u(5, 4)],
    f: (x) => new Dropout(0.4, { generator: new Generator(3) }).forward(x),
  },
  // fused attention: additive and key-padding masks, L != S with causality, several workgroups of rows
  {
    name: 'attention with an additive mask, keys and values broadcast',
    inputs: [u(2, 3, 4, 5), u(3, 6, 5), u(1, 3, 6, 2), u(4, 6)],
    f: (q, k, v, m) => scaledDotProductAttention(q, k, v, { mask: m.detach() }),
  },
  {
    name: 'attention with a key-padding mask [1, S] per batch',
    inputs: [u(2, 4, 3), u(2, 5, 3), u(2, 5, 4)],
    f: (q, k, v) =>
      scaledDotProductAttention(q, k, v, { mask: tensor([[[1, 1, 0, 1, 0]], [[0, 1, 1, 1, 1]]], { dtype: 'int32', device: q.device }) }),
  },
  {
    name: 'attention causal, more queries than keys',
    inputs: [u(6, 4), u(3, 4), u(3, 5)],
    f: (q, k, v) => scaledDotProductAttention(q, k, v, { causal: true }),
  },
  {
    name: 'attention causal, fewer queries than keys',
    inputs: [u(3, 4), u(7, 4), u(7, 2)],
    f: (q, k, v) => scaledDotProductAttention(q, k, v, { causal: true }),
  },
  { name: 'attention of 300 rows', inputs: [u(3, 100, 8), u(3, 40, 8), u(3, 40, 8)], f: (q, k, v) => scaledDotProductAttention(q, k, v) },
  // the tiled kernels across several key tiles (online softmax) and query blocks, and the row kernels past their width
  {
    name: 'attention tiled: 130 queries, 150 keys in tiles of 64, causal',
    inputs: [u(2, 130, 8), u(2, 150, 8), u(2, 150, 4)],
    f: (q, k, v) => scaledDotProductAttention(q, k, v, { causal: true }),
  },
  {
    name: 'attention tiled with wide heads (D 100, Dv 60: tiles of 25 keys), an additive mask',
    inputs: [u(70, 100), { shape: [80, 100], lo: -0.5, hi: 0.5 }, u(80, 60), u(70, 80)],
    f: (q, k, v, m) => scaledDotProductAttention(q, k, v, { mask: m.detach() }),
  },
  {
    name: 'attention wider than the tiled kernels (D 260): the row kernels',
    inputs: [u(2, 5, 260), { shape: [2, 6, 260], lo: -0.3, hi: 0.3 }, u(2, 6, 3)],
    f: (q, k, v) => scaledDotProductAttention(q, k, v, { causal: true }),
  },
  // along one axis: the running sum, the stable sort (its values through takeAlongAxis, whose gradient scatters back)
  { name: 'cumsum axis 1', inputs: [u(3, 5, 2)], f: (x) => x.cumsum(1) },
  { name: 'cumsum last axis, long lines', inputs: [u(4, 300)], f: (x) => x.cumsum(-1) },
  { name: 'cumprod axis 0', inputs: [{ shape: [5, 3], lo: 0.5, hi: 1.5 }], f: (x) => x.cumprod(0) },
  {
    name: 'cumprod with zeros (the gradient exact, without a division)',
    inputs: [u(2, 6)],
    f: (x) => x.mul(tensor([1, 0, 1, 1, 0, 1], { dtype: 'float32', device: x.device })).cumprod(-1),
  },
  { name: 'sort ascending, last axis', inputs: [u(4, 7)], f: (x) => x.sort()[0] },
  { name: 'sort descending along axis 0', inputs: [u(6, 3, 2)], f: (x) => x.sort({ axis: 0, descending: true })[0] },
  {
    name: 'sort indices of ties, NaN and -Infinity, both directions',
    inputs: [u(2, 7)],
    f: (x) => {
      const ties = tensor([1, NaN, 1, 2, NaN, 1, -Infinity], { dtype: 'float32', device: x.device });
      const order = (descending: boolean) => ties.sort({ descending })[1].cast('float32');
      return x.sort()[0].add(order(false)).add(order(true).mul(10));
    },
  },
  { name: 'topk 3 of 9', inputs: [u(5, 9)], f: (x) => topk(x, 3)[0] },
  { name: 'topk smallest 2 along axis 0', inputs: [u(6, 4)], f: (x) => topk(x, 2, { axis: 0, largest: false })[0] },
  // fused chains: one kernel each way on the device
  { name: 'fuse: x w + b, tanh, times x (bias broadcast)', inputs: [u(4, 6), u(4, 6), u(6)], f: (x, w, b) => FUSED.chain(x, w, b) },
  { name: 'fuse: a sum of squares at the end', inputs: [u(5, 7), u(5, 7)], f: (x, y) => FUSED.summed(x, y) },
  { name: 'fuse: sigmoid, relu, a constant, exp', inputs: [{ shape: [3, 50], lo: -1, hi: 1 }], f: (x) => FUSED.activations(x) },
  // gather and its gradient scatterAdd (an index taken twice gets both gradients)
  { name: 'gather axis 1, repeated index', inputs: [u(3, 4, 2)], f: (x) => x.gather([2, 0, 2, 3], 1) },
  {
    name: 'takeAlongAxis (the loss picks)',
    inputs: [u(4, 5)],
    f: (x) => x.takeAlongAxis(tensor([[1], [4], [0], [1]], { dtype: 'int32' }), -1),
  },
];

function draw(input: Input, seed: number): Float32Array {
  const g = new Generator(seed);
  const lo = input.lo ?? -2;
  const hi = input.hi ?? 2;
  const n = input.shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * g.uniform());
}

/** f's value and the gradients of <f(x), upstream> with respect to every input, on `device`. */
async function run(c: OpCase, device: 'cpu' | 'webgpu'): Promise<{ value: Float32Array; grads: (Float32Array | null)[] }> {
  const xs = c.inputs.map((input, i) => tensor(draw(input, 11 + i), { shape: input.shape, device, requiresGrad: true }));
  const y = c.f(...xs);
  const upstream = tensor(draw({ shape: y.shape, lo: 0.5, hi: 1.5 }, 99), { shape: y.shape, device });
  y.mul(upstream).sum().backward();
  const value = Float32Array.from(await y.dataAsync());
  // An input the case detaches (a target) gets no gradient, on either device.
  const grads = await Promise.all(xs.map(async (x) => (x.grad === null ? null : Float32Array.from(await x.grad.dataAsync()))));
  return { value, grads };
}

/** The first element of `actual` outside float32 tolerance of `expected`, described; null when all agree. */
function firstMismatch(actual: Float32Array | null, expected: Float32Array | null, what: string): string | null {
  if (actual === null || expected === null)
    return actual === expected
      ? null
      : `${what}: ${actual === null ? 'none' : 'one'} on webgpu, ${expected === null ? 'none' : 'one'} on the cpu`;
  if (actual.length !== expected.length) return `${what}: webgpu has ${actual.length} elements, cpu ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    const tol = 2e-5 + 2e-4 * Math.abs(expected[i]);
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) return `${what}[${i}]: webgpu ${actual[i]}, cpu ${expected[i]}`;
  }
  return null;
}

/**
 * Runs `c` on the CPU and on the 'webgpu' device (which must be initialised) and compares value and gradients:
 * null when they agree, else the first disagreement (an error thrown on either side propagates).
 */
export async function checkOpCase(c: OpCase): Promise<string | null> {
  const cpu = await run(c, 'cpu');
  const gpu = await run(c, 'webgpu');
  return (
    firstMismatch(gpu.value, cpu.value, `${c.name} value`) ??
    gpu.grads.reduce<string | null>((found, g, i) => found ?? firstMismatch(g, cpu.grads[i], `${c.name} gradient of input ${i}`), null)
  );
}
