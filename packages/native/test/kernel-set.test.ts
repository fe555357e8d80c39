// enableNative() installs the addon's C kernels in core's kernel seam (src/kernel-set.ts): which calls reach them
// (float arrays of at least minElements), which stay with core (int32, mixed dtypes, small arrays, the libm
// kernels), and that a training step gives the same bits with them as with core's TypeScript loops: losses,
// gradients and updated parameters, float32 and float64, with the products on OpenBLAS both times; and nn's SGD,
// Adam and AdamW steps through core's runOptimizerKernel, the same bits as nn's own loops.
import { type Tensor, kernelSetNames, noGrad, setKernelSet, tensor } from '@tapegrad/core';
import { NATIVE_MIN_ELEMENTS, disableNative, enableNative } from '@tapegrad/native';
import { Adam, AdamW, SGD } from '@tapegrad/nn';
import { addon, describeNative } from './native-addon';
import { TestRandom } from './random';

type Float = 'float32' | 'float64';

const random = new TestRandom(11);
const uniform = (size: number, scale: number) => random.list(size, scale);

/** Three steps of a 64-40-24-6 ReLU MLP (batch 48) with softmax cross-entropy and SGD through addInPlace. */
function train(dtype: Float): { losses: number[]; grads: number[][]; params: number[][] } {
  random.seed(11);
  const sizes = [64, 40, 24, 6];
  const x = tensor(uniform(48 * 64, 1), { shape: [48, 64], dtype });
  const labels = tensor(
    Array.from({ length: 48 }, (_, i) => (i * 7) % 6),
    { shape: [48, 1], dtype: 'int32' },
  );
  const params: Tensor[] = [];
  for (let l = 0; l < 3; l++) {
    params.push(
      tensor(uniform(sizes[l] * sizes[l + 1], 1 / Math.sqrt(sizes[l])), { shape: [sizes[l], sizes[l + 1]], dtype, requiresGrad: true }),
    );
    params.push(tensor(uniform(sizes[l + 1], 0.1), { dtype, requiresGrad: true }));
  }
  const losses: number[] = [];
  let grads: number[][] = [];
  for (let step = 0; step < 3; step++) {
    const h1 = x.matmul(params[0]).add(params[1]).relu();
    const h2 = h1.matmul(params[2]).add(params[3]).relu();
    const logits = h2.matmul(params[4]).add(params[5]);
    const loss = logits.logSoftmax(-1).takeAlongAxis(labels, -1).mean().neg();
    loss.backward();
    losses.push(loss.item());
    grads = params.map((p) => Array.from(p.grad!.data));
    noGrad(() => {
      for (const p of params) {
        p.addInPlace(p.grad!, -0.1);
        p.zeroGrad();
      }
    });
  }
  return { losses, grads, params: params.map((p) => Array.from(p.data)) };
}

describeNative("the addon's kernels in core's kernel seam", () => {
  afterEach(() => {
    disableNative();
    jest.restoreAllMocks();
  });

  it('enableNative installs them and disableNative takes them out', () => {
    expect(enableNative()).toBe(true);
    expect(kernelSetNames()).toContain('native');
    disableNative();
    expect(kernelSetNames()).not.toContain('native');
  });

  it.each(['float32', 'float64'] as const)('a training step gives the same bits with them as with core alone (%s)', (dtype) => {
    enableNative({ minElements: 0 });
    const withKernels = train(dtype);
    setKernelSet('native', null); // core's loops, the products still on OpenBLAS
    const coreOnly = train(dtype);
    expect(withKernels.losses).toEqual(coreOnly.losses);
    expect(withKernels.grads).toEqual(coreOnly.grads);
    expect(withKernels.params).toEqual(coreOnly.params);
    expect(withKernels.losses[2]).toBeLessThan(withKernels.losses[0]); // it trains: the comparison is not of constants
  });

  it.each(['float32', 'float64'] as const)('W4 (sum(tanh(x w + b)), 0-d w and b) gives the same bits with them (%s)', (dtype) => {
    const run = () => {
      random.seed(3);
      const x = tensor(uniform(5000, 2), { dtype });
      const w = tensor(0.7, { dtype, requiresGrad: true });
      const b = tensor(-0.2, { dtype, requiresGrad: true });
      const y = x.mul(w).add(b).tanh().sum();
      y.backward();
      return [y.item(), w.grad!.item(), b.grad!.item()];
    };
    const sumOfProducts = jest.spyOn(addon, 'sumOfProducts');
    enableNative();
    const withKernels = run();
    expect(sumOfProducts).toHaveBeenCalledTimes(1); // w's gradient, sum(dy * x), without the product array
    setKernelSet('native', null);
    expect(withKernels).toEqual(run());
  });

  it('runs float arrays of at least minElements on the addon, and leaves the rest to core', () => {
    const add = jest.spyOn(addon.binary, 'add');
    const relu = jest.spyOn(addon.unary, 'relu');
    const sumAxis = jest.spyOn(addon, 'sumAxis');
    const axpy = jest.spyOn(addon, 'axpy');
    enableNative({ minElements: 8 });
    const big = tensor(uniform(12, 2), { shape: [3, 4], dtype: 'float32' });
    expect(Array.from(big.add(big).data)).toEqual(Array.from(big.data, (v) => Math.fround(v + v)));
    expect(Array.from(big.relu().data)).toEqual(Array.from(big.data, (v) => Math.max(v, 0)));
    expect(Array.from(big.sum(0).data)).toEqual(
      [0, 1, 2, 3].map((j) => Math.fround(Math.fround(big.data[j] + big.data[4 + j]) + big.data[8 + j])),
    );
    const p = tensor([1, 2, 3, 4, 5, 6, 7, 8], { dtype: 'float64' });
    p.addInPlace(tensor([8, 7, 6, 5, 4, 3, 2, 1], { dtype: 'float64' }), 0.5);
    expect(Array.from(p.data)).toEqual([5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5]);
    expect([add, relu, sumAxis, axpy].map((spy) => spy.mock.calls.length)).toEqual([1, 1, 1, 1]);

    tensor([1, 2, 3], { dtype: 'float32' }).add(tensor([1, 2, 3], { dtype: 'float32' })); // 3 < minElements
    tensor(uniform(12, 5), { dtype: 'float32' }).add(tensor(uniform(12, 5), { dtype: 'float64' })); // mixed dtypes
    tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], { dtype: 'int32' }).add(tensor([1, 1, 1, 1, 1, 1, 1, 1, 1], { dtype: 'int32' }));
    expect(add).toHaveBeenCalledTimes(1);
  });

  it('leaves the libm kernels (exp, float64 tanh) to core, whose bits they do not promise', () => {
    const exp = jest.spyOn(addon.unary, 'exp');
    const tanh = jest.spyOn(addon.unary, 'tanh');
    enableNative({ minElements: 0 });
    tensor(uniform(300, 3), { dtype: 'float32' }).exp();
    tensor(uniform(300, 3), { dtype: 'float64' }).tanh();
    expect(exp).not.toHaveBeenCalled();
    expect(tanh).not.toHaveBeenCalled();
    tensor(uniform(300, 3), { dtype: 'float32' }).tanh(); // core's rational form: the addon's gives the same bits
    expect(tanh).toHaveBeenCalledTimes(1);
  });

  it(`defaults minElements to ${NATIVE_MIN_ELEMENTS} and rejects a negative one`, () => {
    const add = jest.spyOn(addon.binary, 'add');
    enableNative();
    const small = tensor(uniform(NATIVE_MIN_ELEMENTS - 1, 1), { dtype: 'float32' });
    small.add(small);
    expect(add).not.toHaveBeenCalled();
    const large = tensor(uniform(NATIVE_MIN_ELEMENTS, 1), { dtype: 'float32' });
    large.add(large);
    expect(add).toHaveBeenCalledTimes(1);
    expect(() => enableNative({ minElements: -1 })).toThrow(/enableNative: minElements must be a number of elements >= 0, got -1/);
  });
});

/** What the tests need of an optimiser. */
interface Stepper {
  step(): void;
}

/** Four steps of `make`'s optimiser on two parameters with gradients that change each step; the parameters after. */
function optimise(dtype: Float, make: (params: Tensor[]) => Stepper): number[][] {
  random.seed(5);
  const params = [tensor(uniform(300, 1), { dtype, requiresGrad: true }), tensor(uniform(257, 1), { dtype, requiresGrad: true })];
  const opt = make(params);
  for (let step = 0; step < 4; step++) {
    for (const p of params) p.grad = tensor(uniform(p.size, 2), { dtype });
    opt.step();
  }
  return params.map((p) => Array.from(p.data));
}

describeNative("nn's optimisers on the addon's update kernels", () => {
  afterEach(() => {
    disableNative();
    jest.restoreAllMocks();
  });

  const cases: Array<[string, (params: Tensor[]) => Stepper, 'sgd' | 'sgdMomentum' | 'adam']> = [
    ['SGD', (p) => new SGD(p, { lr: 0.1, weightDecay: 0.01 }), 'sgd'],
    ['SGD with Nesterov momentum', (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 }), 'sgdMomentum'],
    ['SGD with dampened momentum', (p) => new SGD(p, { lr: 0.05, momentum: 0.8, dampening: 0.3 }), 'sgdMomentum'],
    ['Adam', (p) => new Adam(p, { lr: 0.01, weightDecay: 0.02 }), 'adam'],
    ['AdamW', (p) => new AdamW(p, { lr: 0.01, weightDecay: 0.05 }), 'adam'],
  ];
  for (const dtype of ['float32', 'float64'] as const)
    for (const [name, make, kernel] of cases)
      it(`${name} (${dtype}) gives nn's bits, one kernel call per parameter and step`, () => {
        const own = optimise(dtype, make);
        const spy = jest.spyOn(addon, kernel);
        enableNative({ minElements: 0 });
        const fused = optimise(dtype, make);
        expect(spy).toHaveBeenCalledTimes(8);
        expect(fused).toEqual(own);
      });

  it("leaves AMSGrad, which has no C kernel, to nn's loop", () => {
    const own = optimise('float32', (p) => new Adam(p, { lr: 0.01, amsgrad: true }));
    const spy = jest.spyOn(addon, 'adam');
    enableNative({ minElements: 0 });
    expect(optimise('float32', (p) => new Adam(p, { lr: 0.01, amsgrad: true }))).toEqual(own);
    expect(spy).not.toHaveBeenCalled();
  });
});
