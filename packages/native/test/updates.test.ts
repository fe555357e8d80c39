// The addon's in-place updates against the TypeScript they replace, bit for bit: core's addInPlace, and nn's SGD
// (plain, momentum, dampening, Nesterov, weight decay) and Adam/AdamW over several steps, float32 and float64,
// on odd sizes. The Adam constants are computed here from PyTorch's formulas; matching nn's bits also checks that
// nn computes them that way.
import { type Tensor, noGrad, tensor } from '@tapegrad/core';
import { Adam, AdamW, SGD } from '@tapegrad/nn';
import { addon, describeNative } from './native-addon';
import { TestRandom } from './random';

type Float = 'float32' | 'float64';
type FloatArray = Float32Array | Float64Array;

const random = new TestRandom(31);
function values(dtype: Float, size: number, scale = 1): FloatArray {
  return (dtype === 'float32' ? Float32Array : Float64Array).from(random.list(size, scale / 2));
}

function expectSameBits(actual: FloatArray, expected: ArrayLike<number>, what: string): void {
  for (let i = 0; i < actual.length; i++)
    if (!Object.is(actual[i], expected[i])) throw new Error(`${what}: element ${i}: ${actual[i]} vs ${expected[i]}`);
}

const SIZES = [1, 7, 33, 1000];

/** A parameter with a fixed gradient, for nn's optimisers. */
function parameter(data: FloatArray, grad: FloatArray): Tensor {
  const p = tensor(data.slice(), { shape: [data.length], requiresGrad: true, dtype: data instanceof Float32Array ? 'float32' : 'float64' });
  p.grad = tensor(grad.slice(), { shape: [grad.length], dtype: p.dtype });
  return p;
}

describeNative('in-place updates', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`axpy (${dtype}) is core's addInPlace, bit for bit`, () => {
      for (const size of SIZES)
        for (const alpha of [-0.05, 1, 3.7]) {
          const x = values(dtype, size, 4);
          const y = values(dtype, size, 4);
          const expected = tensor(x.slice(), { shape: [size], dtype });
          noGrad(() => expected.addInPlace(tensor(y, { shape: [size], dtype }), alpha));
          const actual = x.slice();
          addon.axpy(actual, y, alpha);
          expectSameBits(actual, expected.data, `axpy ${size} alpha ${alpha}`);
        }
    });

    it(`sgd and sgdMomentum (${dtype}) are nn's SGD over several steps, bit for bit`, () => {
      const settings = [
        { lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 },
        { lr: 0.05, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0.01 },
        { lr: 0.05, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0 },
        { lr: 0.02, momentum: 0.8, dampening: 0.3, nesterov: false, weightDecay: 0.001 },
        { lr: 0.02, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 0.01 },
      ];
      for (const o of settings)
        for (const size of SIZES) {
          const p0 = values(dtype, size, 2);
          const grads = [values(dtype, size), values(dtype, size), values(dtype, size)];
          const param = parameter(p0, grads[0]);
          const optimizer = new SGD([param], o);
          const p = p0.slice();
          const buf = p0.map(() => 0);
          grads.forEach((g, step) => {
            param.grad = tensor(g.slice(), { shape: [size], dtype });
            optimizer.step();
            if (o.momentum === 0) addon.sgd(p, g, o.lr, o.weightDecay);
            else addon.sgdMomentum(p, g, buf, o.lr, o.weightDecay, o.momentum, o.dampening, o.nesterov, step === 0);
            expectSameBits(p, param.data, `SGD ${JSON.stringify(o)} size ${size} step ${step + 1}`);
          });
        }
    });

    it(`adam (${dtype}) is nn's Adam and AdamW over several steps, bit for bit`, () => {
      for (const [Optimizer, decoupled] of [
        [Adam, false],
        [AdamW, true],
      ] as const)
        for (const size of SIZES) {
          const [lr, beta1, beta2, eps, weightDecay] = [2e-3, 0.9, 0.99, 1e-8, 0.02];
          const p0 = values(dtype, size, 2);
          const param = parameter(p0, p0);
          const optimizer = new Optimizer([param], { lr, betas: [beta1, beta2], eps, weightDecay });
          const p = p0.slice();
          const [m, v] = [p0.map(() => 0), p0.map(() => 0)];
          for (let step = 1; step <= 4; step++) {
            const g = values(dtype, size);
            param.grad = tensor(g.slice(), { shape: [size], dtype });
            optimizer.step();
            const stepSize = lr / (1 - beta1 ** step);
            const rootC2 = Math.sqrt(1 - beta2 ** step);
            addon.adam(p, g, m, v, beta1, beta2, stepSize, rootC2, eps, decoupled ? 0 : weightDecay, decoupled ? 1 - lr * weightDecay : 1);
            expectSameBits(p, param.data, `${Optimizer.name} size ${size} step ${step}`);
          }
        }
    });
  }

  it('rejects arrays of mixed dtypes or lengths', () => {
    expect(() => addon.axpy(new Float32Array(3), new Float64Array(3), 1)).toThrow(
      /axpy: the arrays must all be Float32Array or all Float64Array/,
    );
    expect(() => addon.sgd(new Float32Array(3), new Float32Array(2), 0.1, 0)).toThrow(/sgd: the arrays must all have one length/);
  });
});
