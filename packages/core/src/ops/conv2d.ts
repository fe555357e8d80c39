// Y = conv2d(X, W), NCHW cross-correlation (PyTorch's conv2d without bias), for o in group p:
//   Y[n, o, y, x] = sum over c in group p, i, j of W[o, c, i, j] X[n, p * C/g + c, y * sh - pt + i * dh, x * sw - pl + j * dw]
// (X read as 0 outside its extent). Y is linear in X and in W, so each gradient is the adjoint in that argument:
//   dX = conv2dInputGrad(dY, W)     a transposed convolution, col2im(W^T dY)
//   dW = conv2dWeightGrad(X, dY)    dY im2col(X)^T
// Those two are bilinear as well, and their gradients are again among the three ops (every order differentiates):
//   conv2dInputGrad(G, W) with upstream H:   dG = conv2d(H, W),            dW = conv2dWeightGrad(H, G)
//   conv2dWeightGrad(X, G) with upstream H:  dX = conv2dInputGrad(G, H),   dG = conv2d(X, H)
// Forward mode (bilinear): tY = conv2d(tX, W) + conv2d(X, tW), and likewise for the other two.
import { type OpWithTangent, defineOp } from '../autodiff/define-op.js';
import { addTangents } from '../autodiff/grad-math.js';
import type { TensorNode } from '../autodiff/node.js';
import {
  type ConvGeometry,
  conv2dForward,
  conv2dInputGrad as inputGradKernel,
  conv2dWeightGrad as weightGradKernel,
} from '../ndarray/kernels/conv.js';

type ConvOp = OpWithTangent<ConvGeometry, [TensorNode, TensorNode]>;

export const conv2d: ConvOp = defineOp<ConvGeometry, [TensorNode, TensorNode]>({
  name: 'conv2d',
  forward(ctx, x, w) {
    ctx.saveInputs();
    return conv2dForward(x.raw, w.raw, ctx.attrs);
  },
  backward(ctx, dy) {
    const [x, w] = ctx.saved;
    return [ctx.needsGrad(0) ? conv2dInputGrad(dy, w, ctx.attrs) : null, ctx.needsGrad(1) ? conv2dWeightGrad(x, dy, ctx.attrs) : null];
  },
  tangent(m, ctx, tx, tw) {
    const [x, w] = ctx.inputs;
    return addTangents(m, tx && conv2d(tx, w, ctx.attrs), tw && conv2d(x, tw, ctx.attrs));
  },
});

/** The adjoint of conv2d in its input: dY, W -> dX (a transposed convolution). */
export const conv2dInputGrad: ConvOp = defineOp<ConvGeometry, [TensorNode, TensorNode]>({
  name: 'conv2dInputGrad',
  forward(ctx, dy, w) {
    ctx.saveInputs();
    return inputGradKernel(dy.raw, w.raw, ctx.attrs);
  },
  backward(ctx, h) {
    const [g, w] = ctx.saved;
    return [ctx.needsGrad(0) ? conv2d(h, w, ctx.attrs) : null, ctx.needsGrad(1) ? conv2dWeightGrad(h, g, ctx.attrs) : null];
  },
  tangent(m, ctx, tg, tw) {
    const [g, w] = ctx.inputs;
    return addTangents(m, tg && conv2dInputGrad(tg, w, ctx.attrs), tw && conv2dInputGrad(g, tw, ctx.attrs));
  },
});

/** The adjoint of conv2d in its weight: X, dY -> dW. */
export const conv2dWeightGrad: ConvOp = defineOp<ConvGeometry, [TensorNode, TensorNode]>({
  name: 'conv2dWeightGrad',
  forward(ctx, x, dy) {
    ctx.saveInputs();
    return weightGradKernel(x.raw, dy.raw, ctx.attrs);
  },
  backward(ctx, h) {
    const [x, g] = ctx.saved;
    return [ctx.needsGrad(0) ? conv2dInputGrad(g, h, ctx.attrs) : null, ctx.needsGrad(1) ? conv2d(x, h, ctx.attrs) : null];
  },
  tangent(m, ctx, tx, tg) {
    const [x, g] = ctx.inputs;
    return addTangents(m, tx && conv2dWeightGrad(tx, g, ctx.attrs), tg && conv2dWeightGrad(x, tg, ctx.attrs));
  },
});
