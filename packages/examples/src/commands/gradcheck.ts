/**
 * `tapegrad gradcheck [--seed N] [--broken]`: seed 004's gradient check. Compares the tape's gradients of a
 * small MLP (3 -> 4 tanh -> 2, softmax cross-entropy) with central differences, then each textbook layer's
 * backward with checkLayer. `--broken` swaps in a tanh op whose rule forgets a factor, to show a failure.
 */
import { Generator, type Tensor, defineOp, randn, tensor } from '@tapegrad/core';
import { checkLayer, gradcheck } from '@tapegrad/gradcheck';
import { AddLayer, AffineLayer, MulLayer, ReluLayer, SigmoidLayer, SoftmaxWithLossLayer } from '@tapegrad/layers';
import { defineCommand, numberFlag, parseCommand } from '../args.js';
import { type Write, toConsole } from '../textbook/output.js';

/** tanh with a wrong rule: dx = dy * (1 - y) instead of dy * (1 - y^2). */
const brokenTanh = defineOp({
  name: 'broken_tanh',
  forward(ctx, x: Tensor) {
    const y = x.tanh();
    ctx.save(y);
    return y;
  },
  backward(ctx, dy: Tensor) {
    const [y] = ctx.saved as Tensor[];
    return [dy.mul(y.neg().add(1))];
  },
});

const command = () =>
  defineCommand('gradcheck')
    .option('--seed <n>', 'seed of the random weights and inputs (default 0)')
    .option('--broken', 'swap in a tanh whose gradient rule forgets a factor, to show a failure');

export function run(args: string[], write: Write = toConsole): void {
  const values = parseCommand<{ seed?: string; broken?: boolean }>(command(), args, write);
  if (values === null) return;
  const seedValue = numberFlag('gradcheck', 'seed', values.seed, 0, { integer: true, min: 0, max: 2 ** 31 - 1 });
  const g = new Generator(seedValue);
  const x = randn([5, 3], { generator: g });
  const labels = tensor([0, 1, 1, 0, 1], { dtype: 'int32' });
  const params = [
    randn([3, 4], { generator: g, name: 'W1' }),
    randn([4], { generator: g, name: 'b1' }),
    randn([4, 2], { generator: g, name: 'W2' }),
    randn([2], { generator: g, name: 'b2' }),
  ];
  params.forEach((p) => p.setRequiresGrad());
  const activation = values.broken ? (h: Tensor) => brokenTanh(h) : (h: Tensor) => h.tanh();
  const loss = (W1: Tensor, b1: Tensor, W2: Tensor, b2: Tensor) =>
    activation(x.matmul(W1).add(b1))
      .matmul(W2)
      .add(b2)
      .logSoftmax(-1)
      .takeAlongAxis(labels.reshape([5, 1]), -1)
      .mean()
      .neg();
  write(`MLP 3 -> 4 ${values.broken ? 'broken_tanh' : 'tanh'} -> 2 with softmax cross-entropy, 5 examples, float64:`);
  write(gradcheck(loss, params).toString());
  write('');
  write('The textbook layers (checkLayer: backward(dout) against central differences of <forward(x), dout>):');
  const r = () => randn([2, 3], { generator: g });
  const softmax = new SoftmaxWithLossLayer();
  const t = tensor([2, 0], { dtype: 'int32' });
  const reports: Array<[string, ReturnType<typeof checkLayer>]> = [
    ['MulLayer', checkLayer(new MulLayer(), [r(), r()], r())],
    ['AddLayer', checkLayer(new AddLayer(), [r(), randn([3], { generator: g })], r())],
    ['ReluLayer', checkLayer(new ReluLayer(), [r()], r())],
    ['SigmoidLayer', checkLayer(new SigmoidLayer(), [r()], r())],
    [
      'AffineLayer',
      checkLayer(new AffineLayer(randn([3, 4], { generator: g }), randn([4], { generator: g })), [r()], randn([2, 4], { generator: g }), {
        params: { W: 'dW', b: 'db' },
      }),
    ],
    [
      'SoftmaxWithLossLayer',
      checkLayer({ forward: (s: Tensor) => softmax.forward(s, t), backward: (d: number) => softmax.backward(d) }, [r()], 1),
    ],
  ];
  for (const [name, report] of reports) write(`${name}: ${report.toString().replace(/^checkLayer: /, '')}`);
}
