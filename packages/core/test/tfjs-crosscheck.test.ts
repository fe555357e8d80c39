// Cross-check against TensorFlow.js (cpu backend): composite functions evaluated in tapegrad (float64 and
// float32) and in tfjs on the same seeded inputs; values and gradients agree within float32 tolerance.
import * as tf from '@tensorflow/tfjs';
import { Generator, type Tensor, concat, stack, tensor, where } from '@tapegrad/core';

interface Case {
  readonly name: string;
  readonly shapes: number[][];
  /** Inputs drawn from [0.5, 2) instead of [-2, 2) (logs, square roots, powers). */
  readonly positive?: boolean;
  readonly ours: (...xs: Tensor[]) => Tensor;
  readonly theirs: (...xs: tf.Tensor[]) => tf.Tensor;
}

const labels = [2, 0, 1, 2];
const oneHot = labels.map((l) => [0, 1, 2].map((k) => (k === l ? 1 : 0)));
const gatherIdx = [3, 0, 3, 1];
const cond = [
  [1, 0, 1],
  [0, 0, 1],
];

const CASES: Case[] = [
  {
    name: 'an MLP layer with tanh and a squared loss',
    shapes: [[4, 3], [3, 5], [5]],
    ours: (x, w, b) => x.matmul(w).add(b).tanh().square().mean(),
    theirs: (x, w, b) => tf.mean(tf.square(tf.tanh(tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b)))),
  },
  {
    name: 'softmax cross-entropy with one-hot labels',
    shapes: [[4, 3]],
    ours: (z) =>
      z
        .logSoftmax(-1)
        .mul(tensor(oneHot, { dtype: z.dtype }))
        .sum(1)
        .mean()
        .neg(),
    theirs: (z) => tf.losses.softmaxCrossEntropy(tf.tensor2d(oneHot), z),
  },
  {
    name: 'cross-entropy through takeAlongAxis with integer labels vs tfjs one-hot',
    shapes: [[4, 3]],
    ours: (z) =>
      z
        .logSoftmax()
        .takeAlongAxis(
          tensor(
            labels.map((l) => [l]),
            { dtype: 'int32' },
          ),
          1,
        )
        .mean()
        .neg(),
    theirs: (z) => tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(z), tf.oneHot(tf.tensor1d(labels, 'int32'), 3)), 1))),
  },
  {
    name: 'logSumExp over each axis, weighted',
    shapes: [[3, 4]],
    ours: (x) =>
      x
        .logSumExp(1)
        .mul(tensor([1, -2, 0.5], { dtype: x.dtype }))
        .sum()
        .add(x.logSumExp(0, true).sum()),
    theirs: (x) => tf.add(tf.sum(tf.mul(tf.logSumExp(x, 1), tf.tensor1d([1, -2, 0.5]))), tf.sum(tf.logSumExp(x, 0, true))),
  },
  {
    name: 'broadcasting arithmetic: (a + b) * c / (d + 3) - a',
    shapes: [[2, 3], [3], [2, 1], []],
    ours: (a, b, c, d) => a.add(b).mul(c).div(d.add(3)).sub(a).square().sum(),
    theirs: (a, b, c, d) => tf.sum(tf.square(tf.sub(tf.div(tf.mul(tf.add(a, b), c), tf.add(d, 3)), a))),
  },
  {
    name: 'a matmul chain',
    shapes: [
      [2, 3],
      [3, 4],
      [4, 2],
    ],
    ours: (a, b, c) => a.matmul(b).matmul(c).square().sum(),
    theirs: (a, b, c) => tf.sum(tf.square(tf.matMul(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), c as tf.Tensor2D))),
  },
  {
    name: 'batched matmul with broadcast batch dims',
    shapes: [
      [2, 1, 3, 4],
      [3, 4, 2],
    ],
    ours: (a, b) => a.matmul(b).sin().sum(),
    // tfjs's BatchMatMul gradient does not un-broadcast batch dims, so its side broadcasts explicitly.
    theirs: (a, b) => tf.sum(tf.sin(tf.matMul(tf.broadcastTo(a, [2, 3, 3, 4]), tf.broadcastTo(b, [2, 3, 4, 2])))),
  },
  {
    name: 'sigmoid, softplus and relu mixed',
    shapes: [
      [2, 3],
      [2, 3],
    ],
    ours: (x, y) => x.sigmoid().mul(y.softplus()).add(x.sub(y).relu()).add(x.leakyRelu(0.2).mul(y)).sum(),
    theirs: (x, y) => tf.sum(tf.add(tf.add(tf.mul(tf.sigmoid(x), tf.softplus(y)), tf.relu(tf.sub(x, y))), tf.mul(tf.leakyRelu(x, 0.2), y))),
  },
  {
    name: 'reductions over axes: max, min, mean, sum with keepDims',
    shapes: [[2, 3, 4]],
    ours: (x) =>
      x
        .max(1)
        .sum()
        .add(x.min(-1).square().sum())
        .add(
          x
            .mean([0, 2])
            .mul(tensor([1, 2, 3], { dtype: x.dtype }))
            .sum(),
        )
        .add(x.sum(2, true).tanh().sum()),
    theirs: (x) =>
      tf.addN([
        tf.sum(tf.max(x, 1)),
        tf.sum(tf.square(tf.min(x, -1))),
        tf.sum(tf.mul(tf.mean(x, [0, 2]), tf.tensor1d([1, 2, 3]))),
        tf.sum(tf.tanh(tf.sum(x, 2, true))),
      ]),
  },
  {
    name: 'slicing and concat',
    shapes: [
      [3, 4],
      [3, 2],
    ],
    ours: (x, y) =>
      concat(
        [
          x.slice([0, 1], [3, 2]),
          y,
          x.slice([1, 0], [2, 4]).transpose().slice([0, 0], [4, 1]).reshape([2, 2]).broadcastTo([3, 2, 2]).sum(1),
        ],
        1,
      )
        .exp()
        .sum(),
    theirs: (x, y) =>
      tf.sum(
        tf.exp(
          tf.concat(
            [
              tf.slice(x, [0, 1], [3, 2]),
              y,
              tf.sum(tf.broadcastTo(tf.reshape(tf.slice(tf.transpose(tf.slice(x, [1, 0], [2, 4])), [0, 0], [4, 1]), [2, 2]), [3, 2, 2]), 1),
            ],
            1,
          ),
        ),
      ),
  },
  {
    name: 'exp, log, sqrt, pow and div on positive inputs',
    shapes: [
      [2, 3],
      [2, 3],
    ],
    positive: true,
    ours: (x, y) => x.pow(y).add(x.sqrt().mul(y.log())).div(x.exp().add(1)).sum(),
    theirs: (x, y) => tf.sum(tf.div(tf.add(tf.pow(x, y), tf.mul(tf.sqrt(x), tf.log(y))), tf.add(tf.exp(x), 1))),
  },
  {
    name: 'sin, cos, abs, maximum, minimum',
    shapes: [[2, 3], [3]],
    ours: (x, y) =>
      x
        .sin()
        .mul(y.cos())
        .div(x.abs().add(1))
        .add(x.maximum(y))
        .sub(x.minimum(y.mul(0.5)).square())
        .sum(),
    // tfjs's Maximum/Minimum gradients do not un-broadcast, so its side broadcasts y explicitly.
    theirs: (x, y) => {
      const yb = tf.broadcastTo(y, [2, 3]);
      return tf.sum(
        tf.sub(
          tf.add(tf.div(tf.mul(tf.sin(x), tf.cos(y)), tf.add(tf.abs(x), 1)), tf.maximum(x, yb)),
          tf.square(tf.minimum(x, tf.mul(yb, 0.5))),
        ),
      );
    },
  },
  {
    name: 'gather with repeated indices, where and stack',
    shapes: [
      [4, 3],
      [2, 3],
      [2, 3],
    ],
    ours: (x, a, b) =>
      stack([x.gather(gatherIdx).slice([0, 0], [2, 3]), where(tensor(cond, { dtype: a.dtype }), a, b)], 0)
        .tanh()
        .mul(x.gather(gatherIdx).slice([2, 0], [2, 3]))
        .sum(),
    theirs: (x, a, b) =>
      tf.sum(
        tf.mul(
          tf.tanh(
            tf.stack(
              [
                tf.slice(tf.gather(x, tf.tensor1d(gatherIdx, 'int32')), [0, 0], [2, 3]),
                tf.where(tf.tensor2d(cond, undefined, 'bool'), a, b),
              ],
              0,
            ),
          ),
          tf.slice(tf.gather(x, tf.tensor1d(gatherIdx, 'int32')), [2, 0], [2, 3]),
        ),
      ),
  },
  {
    name: 'softmax along a non-last axis, weighted',
    shapes: [[3, 4]],
    ours: (x) =>
      x
        .softmax(0)
        .mul(
          tensor(
            [
              [1, 2, 3, 4],
              [-1, 0.5, 2, 0],
              [3, -2, 1, 1],
            ],
            { dtype: x.dtype },
          ),
        )
        .sum(),
    theirs: (x) =>
      tf.sum(
        tf.mul(
          tf.transpose(tf.softmax(tf.transpose(x))),
          tf.tensor2d([
            [1, 2, 3, 4],
            [-1, 0.5, 2, 0],
            [3, -2, 1, 1],
          ]),
        ),
      ),
  },
];

function inputs(c: Case, index: number): number[][] {
  const g = new Generator(1000 + index);
  return c.shapes.map((s) =>
    Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => (c.positive ? 0.5 + 1.5 * g.uniform() : -2 + 4 * g.uniform())),
  );
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('tapegrad agrees with TensorFlow.js', () => {
  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', (_name, c, i) => {
    const data = inputs(c, i);
    const reference = tf.tidy(() => {
      const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => c.theirs(...xs) as tf.Scalar)(
        data.map((d, k) => tf.tensor(d, c.shapes[k], 'float32')),
      );
      return { value: value.dataSync()[0], grads: grads.map((g) => Array.from(g.dataSync())) };
    });
    expect(Number.isFinite(reference.value)).toBe(true);
    for (const dtype of ['float64', 'float32'] as const) {
      const xs = data.map((d, k) =>
        tensor(dtype === 'float64' ? Float64Array.from(d) : Float32Array.from(d), { shape: c.shapes[k], requiresGrad: true }),
      );
      const y = c.ours(...xs);
      expect(y.dtype).toBe(dtype);
      y.backward();
      expect(y.item()).toBeAllClose(reference.value, { rtol: 2e-4, atol: 2e-5 });
      xs.forEach((x, k) => {
        expect(x.grad!.dtype).toBe(dtype);
        expect(Array.from(x.grad!.data)).toBeAllClose(reference.grads[k], { rtol: 2e-4, atol: 2e-5 });
      });
    }
  });
});
