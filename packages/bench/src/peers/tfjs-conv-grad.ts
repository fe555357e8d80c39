/**
 * A 2-D convolution for TF.js backends that lack `Conv2DBackpropFilter` (tfjs-backend-wasm 4.22 registers no such
 * kernel, so `tf.conv2d`'s gradient throws there), with its backward composed from kernels the backend does have.
 * NHWC input x [N, H, W, Ci], filter w [kh, kw, Ci, Co], stride 1, no dilation, padding 'same' (odd kernels) or
 * 'valid'; y = conv2d(x, w) is [N, Ho, Wo, Co].
 *
 *   dW[a, b, i, o] = sum over n, p, q of xp[n, p + a, q + b, i] · dy[n, p, q, o]      (xp: x zero-padded)
 *
 * is itself a 'valid' convolution with the batch as the channel axis: input transpose(xp) [Ci, Hp, Wp, N], filter
 * transpose(dy) [Ho, Wo, N, Co], output [Ci, kh, kw, Co], transposed back to [kh, kw, Ci, Co]. The same FLOPs as a
 * backprop-filter kernel, through the backend's own (XNNPACK) forward convolution. dx is `tf.conv2dTranspose`, which
 * is the backend's `Conv2DBackpropInput` kernel, the one `tf.conv2d`'s own gradient calls.
 */
import * as tf from '@tensorflow/tfjs';

/** The zero padding 'same' adds before and after along one axis, for stride 1 (PyTorch and TF put the extra at the end). */
function samePadding(k: number): [number, number] {
  return [(k - 1) >> 1, k - 1 - ((k - 1) >> 1)];
}

/** dW of y = conv2d(x, w) with upstream dy, from a forward convolution over the batch axis. */
export function conv2dFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: readonly number[], pad: 'same' | 'valid'): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = filterShape;
    const padded = pad === 'same' ? tf.pad(x, [[0, 0], samePadding(kh), samePadding(kw), [0, 0]]) : x;
    const input = tf.transpose(padded, [3, 1, 2, 0]);
    const filter = tf.transpose(dy, [1, 2, 0, 3]);
    return tf.transpose(tf.conv2d(input, filter, 1, 'valid'), [1, 2, 0, 3]);
  });
}

/**
 * `tf.conv2d(x, w, 1, pad)` with a gradient that needs no `Conv2DBackpropFilter`. `inputNeedsGrad: false` (the
 * network's first layer, whose input is data) computes only dW, as TF.js's own gradient would: it evaluates dx only
 * when something asks for it.
 */
export function composedConv2d(x: tf.Tensor4D, w: tf.Tensor4D, pad: 'same' | 'valid', inputNeedsGrad: boolean): tf.Tensor4D {
  // tf.customGrad hands its function the inputs and then `save`, all as one untyped list.
  if (!inputNeedsGrad) {
    const f = tf.customGrad<tf.Tensor4D>((...args) => {
      const filter = args[0] as tf.Tensor4D;
      return { value: tf.conv2d(x, filter, 1, pad), gradFunc: (dy) => conv2dFilterGrad(x, dy, filter.shape, pad) };
    });
    return f(w);
  }
  const f = tf.customGrad<tf.Tensor4D>((...args) => {
    const [input, filter, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([input, filter]);
    return {
      value: tf.conv2d(input, filter, 1, pad),
      gradFunc: (dy, saved) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        return [tf.conv2dTranspose(dy, ws, xs.shape, 1, pad), conv2dFilterGrad(xs, dy, ws.shape, pad)];
      },
    };
  });
  return f(x, w);
}
