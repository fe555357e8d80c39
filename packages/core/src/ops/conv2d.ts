// Y = conv2d(X, W), NCHW cross-correlation (PyTorch's conv2d without bias), for o in group p:
//   Y[n, o, y, x] = sum over c in group p, i, j of W[o, c, i, j] X[n, p * C/g + c, y * sh - pt + i * dh, x * sw - pl + j * dw]
// (X read as 0 outside its extent). Y is linear in X and in W, so each gradient is the adjoint in that argument:
//   dX = conv2dInputGrad(dY, W)     a transposed convolution, col2im(W^T dY)
//   dW = conv2dWeightGrad(X, dY)    dY im2col(X)^T
// Those two are bilinear as well, and their gradients are again among the three ops (every order differentiates):
//   conv2dInputGrad(G, W) with upstream H:   dG = conv2d(H, W),            dW = conv2dWeightGrad(H, G)
//   conv2dWeightGrad(X, G) with upstream H:  dX = conv2dInputGrad(G, H),   dG = conv2d(X, H)
// conv2d keeps its patch matrices (im2col of X) from the forward for dW when the weight needs a gradient and they
// fit the kernel's limit on kept patches (docs/decisions.md, "The convolution keeps its patches").
// Forward mode (bilinear): tY = conv2d(tX, W) + conv2d(X, tW), and likewise for the other two.
// Batched (vmap): with only the image (or dY) batched, the batch folds into N: one convolution of B * N images. Else
// the batch goes into the groups: every sample's channels side by side (C -> B * C, O -> B * O, groups -> B * groups),
// so each sample's images meet only that sample's weights, and one grouped convolution computes every sample.
import type { BatchArg, BatchResult } from '../autodiff/batching.js';
import type { OpContext } from '../autodiff/context.js';
import { type OpWithRules, defineOp } from '../autodiff/define-op.js';
import type { TensorNode } from '../autodiff/node.js';
import { isGradEnabled } from '../autodiff/mode.js';
import { NDArray } from '../ndarray/ndarray.js';
import {
  type ConvGeometry,
  conv2dForward,
  conv2dForwardKeepingPatches,
  conv2dInputGrad as inputGradKernel,
  conv2dWeightGrad as weightGradKernel,
} from '../ndarray/kernels/conv.js';
import { batchFirst, batchSize } from './batching.js';
import { bilinear, bilinearTangent } from './bilinear.js';

type ConvOp = OpWithRules<ConvGeometry, [TensorNode, TensorNode]>;

export const conv2d: ConvOp = defineOp({
  name: 'conv2d',
  forward: (ctx, x, w) => convolve(ctx, x, w, null),
  backward: (ctx, dy) => convolutionGrads(ctx, dy),
  tangent: (m, ctx, tx, tw) => bilinearTangent(m, ctx, conv2d, tx, tw),
  batch(ctx, x, w) {
    ctx.saveInputs();
    return w.dim === null ? intoImages(conv2d, ctx.attrs, x, w) : intoGroups(conv2d, ctx.attrs, [x, 'images'], [w, 'weight'], 'images');
  },
});

type ConvContext = OpContext<ConvGeometry, TensorNode>;

/**
 * conv2d's forward (plus `bias` on each channel, for conv2dBias): saves X and W, and the patch matrices (within the
 * limit on kept patches) when the weight needs a gradient, which reads them instead of building them again.
 */
export function convolve(ctx: ConvContext, x: TensorNode, w: TensorNode, bias: NDArray | null): NDArray {
  if (!ctx.recording || !ctx.needsGrad(1)) {
    ctx.save(x, w);
    return conv2dForward(x.raw, w.raw, ctx.attrs, bias);
  }
  // Saved as a node, so that memory scopes (tidy, dispose) account for it as for any value saved for backward.
  const { y, patches } = conv2dForwardKeepingPatches(x.raw, w.raw, ctx.attrs, bias);
  ctx.save(x, w, patches && x.make(new NDArray(patches.data, [patches.data.length])), patches?.rowsPerChunk);
  return y;
}

/** conv2d's gradients in X and W (conv2dBias's too), from what `convolve` saved. */
export function convolutionGrads(ctx: ConvContext, dy: TensorNode): [TensorNode | null, TensorNode | null] {
  const [x, w, kept, rowsPerChunk] = ctx.saved as unknown as [TensorNode, TensorNode, TensorNode | null | undefined, number];
  // Recorded (createGraph), dW is the differentiable op; otherwise the kernel, on the kept patches if any.
  const weightGrad = () =>
    isGradEnabled() || kept == null
      ? conv2dWeightGrad(x, dy, ctx.attrs)
      : (w.make(weightGradKernel(x.raw, dy.raw, ctx.attrs, { data: kept.raw.data, rowsPerChunk })) as TensorNode);
  return [ctx.needsGrad(0) ? conv2dInputGrad(dy, w, ctx.attrs) : null, ctx.needsGrad(1) ? weightGrad() : null];
}

/** The adjoint of conv2d in its input: dY, W -> dX (a transposed convolution). */
export const conv2dInputGrad: ConvOp = bilinear<ConvGeometry>({
  name: 'conv2dInputGrad',
  kernel: inputGradKernel,
  backward(ctx, h) {
    const [g, w] = ctx.saved;
    return [ctx.needsGrad(0) ? conv2d(h, w, ctx.attrs) : null, ctx.needsGrad(1) ? conv2dWeightGrad(h, g, ctx.attrs) : null];
  },
  batch(ctx, g, w) {
    ctx.saveInputs();
    return w.dim === null
      ? intoImages(conv2dInputGrad, ctx.attrs, g, w)
      : intoGroups(conv2dInputGrad, ctx.attrs, [g, 'images'], [w, 'weight'], 'images');
  },
});

/** The adjoint of conv2d in its weight: X, dY -> dW. */
export const conv2dWeightGrad: ConvOp = bilinear<ConvGeometry>({
  name: 'conv2dWeightGrad',
  kernel: weightGradKernel,
  backward(ctx, h) {
    const [x, g] = ctx.saved;
    return [ctx.needsGrad(0) ? conv2dInputGrad(g, h, ctx.attrs) : null, ctx.needsGrad(1) ? conv2d(x, h, ctx.attrs) : null];
  },
  batch(ctx, x, g) {
    ctx.saveInputs();
    return intoGroups(conv2dWeightGrad, ctx.attrs, [x, 'images'], [g, 'images'], 'weight');
  },
});

export type Conv = (a: TensorNode, b: TensorNode, geometry: ConvGeometry) => TensorNode;

/** `op` with only its [N, C, H, W] operand batched: the batch folded into N. */
export function intoImages(op: Conv, geometry: ConvGeometry, images: BatchArg, other: BatchArg): BatchResult {
  const front = batchFirst(images, batchSize([images]));
  const [size, n] = front.shape;
  const y = op(front.reshape([size * n, ...front.shape.slice(2)]), other.value, { ...geometry, batch: size * n });
  return { value: y.reshape([size, n, ...y.shape.slice(1)]), dim: 0 };
}

/** Whether an operand (or the result) is images [N, channels, h, w] or a weight [O, C / groups, kh, kw]. */
type Layout = 'images' | 'weight';

/** `op` with the batch in the groups (see the file comment): images [N, B * C, h, w], weights [B * O, C / g, kh, kw]. */
export function intoGroups(op: Conv, geometry: ConvGeometry, a: [BatchArg, Layout], b: [BatchArg, Layout], result: Layout): BatchResult {
  const size = batchSize([a[0], b[0]]);
  const side = ([arg, layout]: [BatchArg, Layout]): TensorNode => {
    const front = batchFirst(arg, size); // [B, N, C, h, w] or [B, O, C / g, kh, kw]
    const s = front.shape;
    if (layout === 'weight') return front.reshape([size * s[1], ...s.slice(2)]);
    return front.transpose([1, 0, 2, 3, 4]).reshape([s[1], size * s[2], s[3], s[4]]);
  };
  const grouped = {
    ...geometry,
    inChannels: size * geometry.inChannels,
    outChannels: size * geometry.outChannels,
    groups: size * geometry.groups,
  };
  const y = op(side(a), side(b), grouped);
  if (result === 'weight') return { value: y.reshape([size, y.shape[0] / size, ...y.shape.slice(1)]), dim: 0 };
  return { value: y.reshape([y.shape[0], size, y.shape[1] / size, y.shape[2], y.shape[3]]), dim: 1 };
}
