// Y = conv2d(X, W) + b (PyTorch's conv2d with its bias): Y[n, o, y, x] = conv2d(X, W)[n, o, y, x] + b[o].
//   dX, dW as conv2d's (the bias does not enter them); db[o] = sum over n, y, x of dY[n, o, y, x]
// Fused because a convolution layer adds its bias to every output: here in the pass that writes Y (no second pass
// over the output and no second array), and its gradient is one pass of per-channel sums over dY instead of a
// broadcast add's backward reduction (measured on LeNet-5, docs/decisions.md). Y's values are conv2d's plus b, the
// same bits as conv2d(X, W).add(b reshaped [O, 1, 1]), which its test checks, with db against that composite.
// Forward mode: tY = conv2d(tX, W) + conv2d(X, tW) + tb. Batched (vmap): the batch folded into the images when only X
// is batched; otherwise conv2d's rule and the bias added to its result.
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import { addTangents } from '../autodiff/grad-math.js';
import { isGradEnabled } from '../autodiff/mode.js';
import type { TensorNode } from '../autodiff/node.js';
import { type ConvGeometry, channelSums } from '../ndarray/kernels/conv.js';
import { batchFirst, batchSize } from './batching.js';
import { bilinearTangent } from './bilinear.js';
import { conv2d, convolutionGrads, convolve, intoGroups, intoImages } from './conv2d.js';

export const conv2dBias: OpWithRules<ConvGeometry, [TensorNode, TensorNode, TensorNode]> = defineOp({
  name: 'conv2dBias',
  forward(ctx, x, w, b) {
    if (x.raw.device === undefined) return convolve(ctx, x, w, b.raw);
    // On a device the kernel takes no bias: the convolution, then the device's broadcast add.
    return x.make(convolve(ctx, x, w, null)).add(b.reshape([ctx.attrs.outChannels, 1, 1])).raw;
  },
  backward(ctx, dy) {
    const channels = () => (isGradEnabled() || dy.raw.device !== undefined ? dy.sum([0, 2, 3]) : dy.make(channelSums(dy.raw)));
    return [...convolutionGrads(ctx, dy), ctx.needsGrad(2) ? channels() : null];
  },
  tangent(m, ctx, tx, tw, tb) {
    return addTangents(m, bilinearTangent(m, ctx, conv2d, tx, tw), tb && tb.reshape([ctx.attrs.outChannels, 1, 1]));
  },
  batch(ctx, x, w, b) {
    ctx.saveInputs();
    const g = ctx.attrs;
    if (w.dim === null && b.dim === null)
      return intoImages((images, weight, geometry) => conv2dBias(images, weight, b.value, geometry), g, x, w);
    const y = intoGroups(conv2d, g, [x, 'images'], [w, 'weight'], 'images'); // [N, B, O, h, w], batch at 1
    const bias = batchFirst(b, batchSize([x, w, b])); // [B, O]
    return { value: y.value.add(bias.reshape([1, ...bias.shape, 1, 1])), dim: y.dim };
  },
});
