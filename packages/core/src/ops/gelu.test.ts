// gelu: the exact form through the standard proof of op-cases.ts (closed form from an erf series, gradcheck and
// gradgradcheck, Scalars); the tanh form through the same proof with its own closed form; both against their
// composites in other ops (the fused op's oracle) and against TF.js (the exact form written with tf.erf); Python's
// closed forms; a typed error for an unknown form.
import * as tf from '@tensorflow/tfjs';
import { type Tensor, TapegradError, gelu, scalar, tensor } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';
import * as ops from './index';
import { describeUnary, expectGradients, uniform } from '../../test/op-harness';
import { expectSameAsTf, useTfCpu } from '../../test/tfjs-oracle';

describeOp('gelu');

const C = Math.sqrt(2 / Math.PI);
const A = 0.044715;
describeUnary({
  name: "gelu with approximate: 'tanh'",
  apply: (x: Tensor) => ops.gelu(x, { approximate: 'tanh' }),
  value: (x) => 0.5 * x * (1 + Math.tanh(C * (x + A * x ** 3))),
  derivative: (x) => {
    const t = Math.tanh(C * (x + A * x ** 3));
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * C * (1 + 3 * A * x * x);
  },
  domain: [-3, 3],
  secondOrder: true,
});

beforeAll(useTfCpu);

describe('gelu against its composites and peers', () => {
  const exact = (x: Tensor) => x.mul(x.mul(Math.SQRT1_2).erf().add(1)).mul(0.5);
  const tanhForm = (x: Tensor) => x.mul(x.mul(x).mul(A).add(1).mul(x).mul(C).tanh().add(1)).mul(0.5);

  it.each([
    ['exact', 'none', exact],
    ['tanh', 'tanh', tanhForm],
  ] as const)('%s: the fused op gives the composite values and gradients, to second order', (_name, approximate, composite) => {
    const x = uniform([40], -4, 4, { seed: 1 });
    const y = gelu(x, { approximate });
    expect(Array.from(y.data)).toBeAllClose(Array.from(composite(x).data), { rtol: 1e-14, atol: 1e-15 });
    const [g1] = [x].map((t) => {
      t.zeroGrad();
      gelu(t, { approximate })
        .mul(uniform([40], -1, 1, { seed: 2, requiresGrad: false }))
        .sum()
        .backward();
      return Array.from(t.grad!.data);
    });
    x.zeroGrad();
    composite(x)
      .mul(uniform([40], -1, 1, { seed: 2, requiresGrad: false }))
      .sum()
      .backward();
    expect(g1).toBeAllClose(Array.from(x.grad!.data), { rtol: 1e-13, atol: 1e-15 });
  });

  it("matches Python's math.erf and math.tanh closed forms to the last digits", () => {
    // python3 -c "import math; xs = [-3., -1., -0.5, 0.5, 1., 3.];
    //   print([0.5*x*(1+math.erf(x/math.sqrt(2))) for x in xs]);
    //   print([0.5*x*(1+math.tanh(math.sqrt(2/math.pi)*(x+0.044715*x**3))) for x in xs])"
    const x = tensor([-3, -1, -0.5, 0.5, 1, 3]);
    expect(Array.from(gelu(x).data)).toBeAllClose(
      [-0.00404969409489031, -0.15865525393145707, -0.15426876936299344, 0.34573123063700656, 0.8413447460685429, 2.99595030590511],
      { rtol: 1e-15, atol: 1e-17 },
    );
    expect(Array.from(gelu(x, { approximate: 'tanh' }).data)).toBeAllClose(
      [-0.0036373920817729943, -0.15880800939172324, -0.15428599017485606, 0.34571400982514394, 0.8411919906082768, 2.996362607918227],
      { rtol: 1e-15, atol: 1e-17 },
    );
  });

  it('matches TF.js (its exact GELU written with tf.erf), values and gradient', () => {
    expectSameAsTf(
      [[3, 7]],
      (x) => gelu(x),
      (x) => tf.mul(tf.mul(x, tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)), 0.5),
      { range: [-3, 3] },
    );
  });

  it('works on Scalars through the op (the public gelu takes Tensors), including second derivatives', () => {
    const s = scalar(0.7);
    ops.gelu(s, { approximate: 'tanh' }).backward();
    const t = Math.tanh(C * (0.7 + A * 0.343));
    expect(s.grad).toBeCloseTo(0.5 * (1 + t) + 0.35 * (1 - t * t) * C * (1 + 3 * A * 0.49), 14);
    expectGradients((v) => ops.gelu(v, { approximate: 'none' }), [scalar(-0.4)], { secondOrder: true });
  });

  it('refuses an unknown form with a typed error', () => {
    expect(() => gelu(tensor([1]), { approximate: 'erf' as 'none' })).toThrow(TapegradError);
    expect(() => gelu(tensor([1]), { approximate: 'erf' as 'none' })).toThrow(/gelu: approximate must be 'none' or 'tanh'; got "erf"/);
  });
});
