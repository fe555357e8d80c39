// silu: the standard proof of op-cases.ts (closed form, gradcheck and gradgradcheck, Scalars, float32); the fused op
// against its composite x * sigmoid(x), and against TF.js's x * sigmoid(x), values and gradient.
import * as tf from '@tensorflow/tfjs';
import { silu } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';
import { uniform } from '../../test/op-harness';
import { expectSameAsTf, useTfCpu } from '../../test/tfjs-oracle';

describeOp('silu');

beforeAll(useTfCpu);

describe('silu against its composite and TF.js', () => {
  it('gives the composite x * sigmoid(x) values and gradients', () => {
    const x = uniform([50], -8, 8, { seed: 1 });
    const dy = uniform([50], -1, 1, { seed: 2, requiresGrad: false });
    silu(x).backward(dy);
    const fused = Array.from(x.grad!.data);
    x.zeroGrad();
    const composite = x.mul(x.sigmoid());
    composite.backward(dy);
    expect(Array.from(silu(x).data)).toBeAllClose(Array.from(composite.data), { rtol: 1e-15, atol: 1e-16 });
    expect(fused).toBeAllClose(Array.from(x.grad!.data), { rtol: 1e-13, atol: 1e-16 });
  });

  it('matches TF.js', () => {
    expectSameAsTf(
      [[4, 5]],
      (x) => silu(x),
      (x) => tf.mul(x, tf.sigmoid(x)),
      { range: [-4, 4] },
    );
  });
});
