// addRelu: the fused relu(a + b), checked against the composite it replaces and by gradcheck.
import { type Tensor, tapeOf, tensor } from '@tapegrad/core';
import { expectGradients, expectTensor, uniform } from '../../test/op-harness';
import { describeOp } from '../../test/op-cases';

describeOp('addRelu');

describe('addRelu', () => {
  const cases: Array<[number[], number[]]> = [
    [
      [2, 3],
      [2, 3],
    ],
    [[4, 3], [3]],
    [
      [2, 1],
      [1, 5],
    ],
    [[3], []],
  ];

  it.each(cases)('equals relu(a + b) in value and gradient: %j + %j', (sa, sb) => {
    const a = uniform(sa, -1, 1, { seed: 31 });
    const b = uniform(sb, -1, 1, { seed: 32 });
    const dy = uniform(a.add(b).shape, 0.5, 1.5, { seed: 33, requiresGrad: false });
    const fused = a.addRelu(b);
    const a2 = a.detach().setRequiresGrad();
    const b2 = b.detach().setRequiresGrad();
    const composite = a2.add(b2).relu();
    expectTensor(fused, composite, 0, 0);
    fused.backward(dy);
    composite.backward(dy);
    expectTensor(a.grad as Tensor, a2.grad as Tensor, 0, 0);
    expectTensor(b.grad as Tensor, b2.grad as Tensor, 0, 0);
  });

  it('passes gradcheck with broadcasting, away from the kink', () => {
    const a = uniform([4, 3], -1, 1, { seed: 34 });
    const b = uniform([3], -1, 1, { seed: 35 });
    const clear = Array.from(a.add(b).data).every((z) => Math.abs(z) > 0.05);
    expect(clear).toBe(true);
    expectGradients((x, y) => x.addRelu(y), [a, b], { secondOrder: true });
  });

  it("gives zero gradient where a + b is exactly 0 (relu'(0) = 0), and is one tape entry", () => {
    const a = tensor([1, -2, 0.5], { requiresGrad: true });
    const b = tensor([-1, 3, -1], { requiresGrad: true });
    const y = a.addRelu(b);
    expect(y.toArray()).toEqual([0, 1, 0]);
    expect(tapeOf(y).map((r) => r.op)).toEqual(['addRelu']);
    y.sum().backward();
    expect((a.grad as Tensor).toArray()).toEqual([0, 1, 0]);
    expect(b.grad!.toArray()).toEqual([0, 1, 0]);
  });
});
