/**
 * W6 in TensorFlow.js ops, as a TF.js user would write PyTorch's pre-norm encoder layer: layer norm from
 * tf.moments, the fused input projection split into heads, a causal additive mask before tf.softmax, exact GELU from
 * tf.erf, and tf.valueAndGrads for the gradients of the input and every weight.
 */
import * as tf from '@tensorflow/tfjs';
import { W6, blockData } from '../block-data.js';
import type { Runner } from './peer.js';

/** The loss of W6 with its gradients (tf.valueAndGrads), its inputs (x, then every weight) and what to dispose. */
export function w6Loss(): {
  f: (inputs: tf.Tensor[]) => { value: tf.Scalar; grads: tf.Tensor[] };
  inputs: tf.Tensor[];
  dispose: () => void;
} {
  const d = blockData();
  const { batch: B, length: L, width: E, heads: H, eps } = W6;
  const D = E / H;
  const names = Object.keys(d.weights);
  const inputs = [
    tf.tensor(d.x.data, d.x.shape.slice(), 'float32'),
    ...names.map((k) => tf.tensor(d.weights[k].data, d.weights[k].shape.slice(), 'float32')),
  ];
  const causal = tf.tidy(() => tf.sub(tf.linalg.bandPart(tf.ones([L, L]), -1, 0), 1).mul(1e30)); // 0 on and below the diagonal, -1e30 above
  const layerNorm = (t: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(t, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(t, mean), tf.rsqrt(tf.add(variance, eps))), w), b);
  };
  const linear = (t: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.add(tf.matMul(t, w, false, true), b);
  const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [B, L, H, D]), [0, 2, 1, 3]);
  const gelu = (t: tf.Tensor) => tf.mul(tf.mul(t, 0.5), tf.add(1, tf.erf(tf.mul(t, Math.SQRT1_2))));
  // The gradients are taken of the input and of every weight, in block-data's order; the loss reads them by name.
  const loss = (x: tf.Tensor, ...weights: tf.Tensor[]): tf.Scalar => {
    const w = (name: string) => {
      if (!names.includes(name)) throw new Error(`W6: block-data has no weight '${name}' (it has ${names.join(', ')})`);
      return weights[names.indexOf(name)];
    };
    const h = tf.reshape(layerNorm(x, w('norm1.weight'), w('norm1.bias')), [B * L, E]);
    const [q, k, v] = tf.split(linear(h, w('self_attn.in_proj_weight'), w('self_attn.in_proj_bias')), 3, -1).map(heads);
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(D)), causal);
    const attended = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), v), [0, 2, 1, 3]), [B * L, E]);
    const y = tf.add(x, tf.reshape(linear(attended, w('self_attn.out_proj.weight'), w('self_attn.out_proj.bias')), [B, L, E]));
    const normed = tf.reshape(layerNorm(y, w('norm2.weight'), w('norm2.bias')), [B * L, E]);
    const f = linear(gelu(linear(normed, w('linear1.weight'), w('linear1.bias'))), w('linear2.weight'), w('linear2.bias'));
    const out = tf.add(y, tf.reshape(f, [B, L, E]));
    return tf.mean(tf.square(out));
  };
  return { f: tf.valueAndGrads(loss), inputs, dispose: () => tf.dispose([...inputs, causal]) };
}

export function blockRunner(): Runner {
  const { f, inputs, dispose } = w6Loss();
  return {
    step() {
      return tf.tidy(() => {
        const { value, grads } = f(inputs);
        for (const g of grads) g.dataSync();
        return value.dataSync()[0];
      });
    },
    dispose,
  };
}
