// where(cond, a, b): a where cond != 0 else b, all broadcast; da = dy [cond], db = dy [!cond]; cond gets none.
import { ShapeError, type Tensor, scalar, tensor, where } from '@tapegrad/core';
import { broadcastMap, expectGradients, expectTensor, uniform } from '../../test/op-harness';
import { describeOp } from '../../test/op-cases';

describeOp('where');

const mask = (shape: number[], seed: number) =>
  uniform(shape, -1, 1, { seed, requiresGrad: false })
    .relu()
    .div(uniform(shape, -1, 1, { seed, requiresGrad: false }).abs());

const CASES: Array<[number[], number[], number[]]> = [
  [
    [2, 3],
    [2, 3],
    [2, 3],
  ],
  [[2, 3], [3], [2, 1]],
  [[3], [2, 3], []],
  [
    [2, 1],
    [1, 3],
    [2, 3],
  ],
  [[], [2], [2]],
];

describe('where', () => {
  it.each(CASES)('selects with cond %j, a %j, b %j (broadcast)', (sc, sa, sb) => {
    const c = mask(sc, 1);
    const [a, b] = [uniform(sa, -2, 2, { seed: 2 }), uniform(sb, -2, 2, { seed: 3 })];
    expectTensor(
      where(c, a, b),
      broadcastMap([c, a, b], (k, x, y) => (k !== 0 ? x : y)),
      0,
      0,
    );
  });
  it.each(CASES)('passes gradcheck with cond %j, a %j, b %j', (sc, sa, sb) => {
    const c = mask(sc, 4);
    expectGradients((a: Tensor, b: Tensor) => where(c, a, b), [uniform(sa, -2, 2, { seed: 5 }), uniform(sb, -2, 2, { seed: 6 })]);
  });
  it('routes a random upstream gradient to the chosen side only', () => {
    const c = tensor([1, 0, 1]);
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const b = tensor([4, 5, 6], { requiresGrad: true });
    const y = where(c, a, b);
    expect(y.toArray()).toEqual([1, 5, 3]);
    y.backward(tensor([0.5, -2, 3]));
    expect(a.grad!.toArray()).toEqual([0.5, 0, 3]);
    expect(b.grad!.toArray()).toEqual([0, -2, 0]);
  });
  it('takes plain numbers and Scalars', () => {
    const a = tensor([1, -2], { requiresGrad: true });
    const y = where(a.detach().relu(), a, 0);
    expect(y.toArray()).toEqual([1, 0]);
    const s = scalar(3);
    const z = where(scalar(0, { requiresGrad: false }), 7, s);
    z.backward({ seed: 2 });
    expect([z.value, s.grad]).toEqual([3, 2]);
  });
  it('refuses shapes that do not broadcast', () => {
    expect(() => where(tensor([1, 0]), tensor([1, 2, 3]), tensor([1]))).toThrow(ShapeError);
    expect(() => where(tensor([1, 0]), tensor([1, 2, 3]), tensor([1]))).toThrow(/^where: shapes/);
  });
});
