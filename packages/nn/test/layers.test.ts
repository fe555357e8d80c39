import { Generator, grad, noGrad, tapeOf, tensor, randn } from '@tapegrad/core';
import { BatchNorm1d, Dropout, LeakyReLU, Linear, MLP, ReLU, Sequential, Sigmoid, Softmax, Tanh } from '@tapegrad/nn';

const g = () => new Generator(3);

describe('Linear', () => {
  it('computes x W^T + b with W of shape [out, in] (PyTorch layout)', () => {
    const layer = new Linear(3, 2);
    layer.loadStateDict({
      weight: tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]),
      bias: tensor([0.5, -1]),
    });
    // [1, 0, -1] . [1, 2, 3] + 0.5 = -1.5;  [1, 0, -1] . [4, 5, 6] - 1 = -3
    expect(layer.forward(tensor([[1, 0, -1]])).toArray()).toEqual([[-1.5, -3]]);
  });

  it('passes gradcheck for input, weight and bias', () => {
    const layer = new Linear(4, 3, { generator: g() });
    const x = randn([5, 4], { generator: g(), requiresGrad: true });
    expect((x: typeof layer.weight, w: typeof layer.weight, b: typeof layer.weight) => x.matmul(w.transpose()).add(b)).toPassGradcheck([
      x,
      layer.weight,
      layer.bias!,
    ]);
    expect((x: typeof layer.weight) => layer.forward(x)).toPassGradcheck([x]);
  });

  it('multiplies by W^T through the transposed kernel: no transpose on the tape', () => {
    const layer = new Linear(4, 3, { generator: g() });
    const y = layer.forward(randn([2, 4], { generator: g() }));
    expect(tapeOf(y).map((row) => row.op)).toEqual(['matmul', 'add']);
  });

  it('draws the PyTorch default U(-1/sqrt(in), 1/sqrt(in)) for weight and bias', () => {
    const layer = new Linear(100, 50, { generator: g() });
    const bound = 1 / Math.sqrt(100);
    const w = Array.from(layer.weight.data);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.95 * bound);
    expect(Math.max(...Array.from(layer.bias!.data).map(Math.abs))).toBeLessThanOrEqual(bound);
  });

  it('has no bias when asked and keeps the dtype', () => {
    const layer = new Linear(2, 2, { bias: false, dtype: 'float32' });
    expect(layer.bias).toBeNull();
    expect(layer.parameters()).toHaveLength(1);
    expect(layer.forward(tensor([[1, 2]], { dtype: 'float32' })).dtype).toBe('float32');
  });
});

describe('activation modules', () => {
  const x = tensor([-2, -0.5, 0.5, 2]);
  it('apply their functions', () => {
    expect(new ReLU().forward(x).toArray()).toEqual([0, 0, 0.5, 2]);
    expect(new LeakyReLU(0.1).forward(x)).toBeAllClose([-0.2, -0.05, 0.5, 2]);
    expect(new Sigmoid().forward(x)).toBeAllClose([-2, -0.5, 0.5, 2].map((v) => 1 / (1 + Math.exp(-v))));
    expect(new Tanh().forward(x)).toBeAllClose([-2, -0.5, 0.5, 2].map(Math.tanh));
    const e = [1, 2, 3].map(Math.exp);
    const z = e.reduce((a, b) => a + b);
    expect(new Softmax().forward(tensor([[1, 2, 3]]))).toBeAllClose([e.map((v) => v / z)]);
  });
});

describe('Dropout', () => {
  it('zeroes about p of the elements, scales the rest by 1/(1-p), and is reproducible', () => {
    const x = tensor(new Float64Array(10000).fill(1), { shape: [100, 100] });
    const y1 = new Dropout(0.3, { generator: new Generator(7) }).forward(x);
    const y2 = new Dropout(0.3, { generator: new Generator(7) }).forward(x);
    const values = Array.from(y1.data);
    const dropped = values.filter((v) => v === 0).length / values.length;
    expect(dropped).toBeGreaterThan(0.27);
    expect(dropped).toBeLessThan(0.33);
    expect(new Set(values.filter((v) => v !== 0))).toEqual(new Set([1 / 0.7]));
    expect(Array.from(y2.data)).toEqual(values);
  });

  it('is the identity in eval mode and rejects p outside [0, 1)', () => {
    const x = tensor([1, 2, 3]);
    expect(new Dropout(0.5).eval().forward(x)).toBe(x);
    expect(() => new Dropout(1)).toThrow(/p must be in \[0, 1\)/);
  });
});

describe('BatchNorm1d', () => {
  const x = tensor([
    [1, 10],
    [3, 20],
    [5, 60],
  ]);

  it('normalises with the batch mean and biased variance in training', () => {
    const bn = new BatchNorm1d(2, { eps: 0 });
    const y = bn.forward(x);
    // column 0: mean 3, var 8/3; column 1: mean 30, var (400 + 100 + 900) / 3
    const s0 = Math.sqrt(8 / 3);
    const s1 = Math.sqrt(1400 / 3);
    expect(y).toBeAllClose(
      [
        [-2 / s0, -20 / s1],
        [0, -10 / s1],
        [2 / s0, 30 / s1],
      ],
      { rtol: 1e-12 },
    );
  });

  it('moves the running statistics toward the batch (unbiased variance) and uses them in eval', () => {
    const bn = new BatchNorm1d(2, { momentum: 0.1 });
    bn.forward(x);
    expect(bn.runningMean).toBeAllClose([0.9 * 0 + 0.1 * 3, 0.1 * 30]);
    expect(bn.runningVar).toBeAllClose([0.9 + 0.1 * 4, 0.9 + 0.1 * 700]);
    bn.eval();
    const y = bn.forward(tensor([[0.3, 3]]));
    expect(y).toBeAllClose([[0, 0]], { atol: 1e-12 });
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var']);
  });

  it('passes gradcheck in training mode', () => {
    const bn = new BatchNorm1d(3);
    const input = randn([4, 3], { generator: g(), requiresGrad: true });
    noGrad(() => bn.weight!.assign(tensor([0.5, 2, -1]))); // a leaf that requires grad changes in place under noGrad
    expect((a: typeof input) => bn.forward(a)).toPassGradcheck([input]);
  });

  it("trains through core's fused batchNorm op (BatchNorm2d's), with the composite's values and gradients", () => {
    const bn = new BatchNorm1d(3);
    noGrad(() => bn.weight!.assign(tensor([0.5, 2, -1])));
    const input = randn([5, 3], { generator: g(), requiresGrad: true });
    const y = bn.forward(input);
    expect(tapeOf(y).map((row) => row.op)).toEqual(['batchNorm']);
    const dy = randn([5, 3], { generator: new Generator(12) });
    y.backward(dy);
    // The composite by hand: batch mean, biased variance, eps 1e-5, then the affine map.
    const x = tensor(input.toArray(), { requiresGrad: true });
    const mean = x.mean(0, true);
    const composite = x
      .sub(mean)
      .div(x.sub(mean).square().mean(0, true).add(1e-5).sqrt())
      .mul(tensor([0.5, 2, -1]));
    expect(y).toBeAllClose(composite.detach(), { rtol: 1e-12, atol: 1e-12 });
    composite.backward(dy);
    expect(input.grad!).toBeAllClose(x.grad!, { rtol: 1e-10, atol: 1e-12 });
  });

  it('passes gradcheck in eval mode (running statistics), and differentiates twice in training', () => {
    const bn = new BatchNorm1d(3);
    noGrad(() => {
      bn.runningMean.assign(tensor([0.2, -1, 3]));
      bn.runningVar.assign(tensor([0.5, 2, 4]));
      bn.weight!.assign(tensor([0.5, 2, -1]));
    });
    const input = randn([4, 3], { generator: g(), requiresGrad: true });
    bn.eval();
    expect((a: typeof input) => bn.forward(a)).toPassGradcheck([input]);
    bn.train();
    const dy = randn([4, 3], { generator: new Generator(13) });
    expect((a: typeof input) => grad((b: typeof input) => bn.forward(b).mul(dy).sum())(a)).toPassGradcheck([input]);
  });
});

describe('Sequential', () => {
  it('runs Linear then ReLU as one fused bias + relu, with the values and gradients of the layer-by-layer pass', () => {
    const net = new Sequential(new Linear(5, 4, { generator: g() }), new ReLU(), new Linear(4, 3, { generator: g() }));
    const x = randn([6, 5], { generator: g(), requiresGrad: true });
    const y = net.forward(x);
    expect(tapeOf(y).map((row) => row.op)).toEqual(['matmul', 'addRelu', 'matmul', 'add']);
    const layerByLayer = net.layers.reduce((h, layer) => layer.forward(h), x);
    expect(Array.from(y.data)).toEqual(Array.from(layerByLayer.data));
    const dy = randn([6, 3], { generator: new Generator(9) });
    y.backward(dy);
    const fused = [x, ...net.parameters()].map((p) => Array.from(p.grad!.data));
    for (const p of [x, ...net.parameters()]) p.zeroGrad();
    layerByLayer.backward(dy);
    expect([x, ...net.parameters()].map((p) => Array.from(p.grad!.data))).toEqual(fused);
  });

  it('does not fuse a subclass whose forward is its own', () => {
    class ScaledReLU extends ReLU {
      override forward(x: ReturnType<ReLU['forward']>) {
        return x.relu().mul(2);
      }
    }
    const net = new Sequential(new Linear(2, 2, { generator: g() }), new ScaledReLU());
    expect(tapeOf(net.forward(tensor([[1, -1]]))).map((row) => row.op)).toEqual(['matmul', 'add', 'relu', 'mul']);
  });
});

describe('MLP', () => {
  it('stacks Linear and the chosen activations', () => {
    const net = new MLP([4, 8, 8, 3], { activation: 'tanh', outputActivation: 'softmax' });
    expect(net.layers.map((l) => l.constructor.name)).toEqual(['Linear', 'Tanh', 'Linear', 'Tanh', 'Linear', 'Softmax']);
    const y = net.forward(tensor([[1, 2, 3, 4]]));
    expect(y.sum().item()).toBeCloseTo(1, 12);
    expect(new MLP([2, 3, 1], { outputActivation: 'linear' }).layers.map((l) => l.constructor.name)).toEqual(['Linear', 'ReLU', 'Linear']);
  });

  it('uses He init for ReLU (bound sqrt(6/in)) and zero biases', () => {
    const net = new MLP([400, 300, 10], { generator: g() });
    const first = net.layers[0] as Linear;
    const w = Array.from(first.weight.data);
    const bound = Math.sqrt(6 / 400);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.98 * bound);
    expect(Array.from(first.bias!.data).every((v) => v === 0)).toBe(true);
  });

  it('gives a clear error for bad sizes or activations', () => {
    expect(() => new MLP([3])).toThrow(/at least an input and an output size/);
    expect(() => new MLP([3, 2], { activation: 'gelu' as 'relu' })).toThrow(/unknown hidden activation 'gelu'/);
  });
});
