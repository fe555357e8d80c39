// add: da = dy, db = dy, each summed back to its operand's shape.
import { Generator, tensor } from '@tapegrad/core';
import { broadcastMap, broadcastShape, expectTensor, sizeOf, uniform } from '../../test/op-harness';
import { describeOp } from '../../test/op-cases';

describeOp('add');

describe('broadcasting over random shape pairs', () => {
  // 300 random compatible pairs up to rank 4 (size-1 and missing axes on either side), against index arithmetic.
  const g = new Generator(2024);
  const pairs = Array.from({ length: 300 }, () => {
    const rank = 1 + g.int(4);
    const out = Array.from({ length: rank }, () => 1 + g.int(4));
    const operand = () => out.slice(g.int(rank + 1)).map((d) => (g.uniform() < 0.35 ? 1 : d));
    return [operand(), operand()] as const;
  });
  it('adds and multiplies every pair like NumPy', () => {
    for (const [sa, sb] of pairs) {
      const a = uniform(sa, -1, 1, { seed: sa.length + 7 * sb.length, requiresGrad: false });
      const b = uniform(sb, -1, 1, { seed: 3, requiresGrad: false });
      expectTensor(
        a.add(b),
        broadcastMap([a, b], (x, y) => x + y),
        0,
        0,
      );
      expectTensor(
        b.mul(a),
        broadcastMap([b, a], (x, y) => x * y),
        0,
        0,
      );
    }
  });
  it('sums the gradient back to each operand shape', () => {
    for (const [sa, sb] of pairs.slice(0, 60)) {
      const a = tensor(new Float64Array(sizeOf(sa)).fill(1), { shape: sa, requiresGrad: true });
      const b = tensor(new Float64Array(sizeOf(sb)).fill(1), { shape: sb, requiresGrad: true });
      a.add(b).sum().backward();
      // Each element of an operand is used once per output element it is broadcast to.
      const out = sizeOf(broadcastShape(sa, sb));
      expect(Array.from(a.grad!.data)).toEqual(new Array(sizeOf(sa)).fill(out / sizeOf(sa)));
      expect(Array.from(b.grad!.data)).toEqual(new Array(sizeOf(sb)).fill(out / sizeOf(sb)));
    }
  });
});

describe('dtype promotion', () => {
  it('promotes float32 + float64 to float64 and returns each gradient in its input dtype', () => {
    const a = tensor([1, 2], { dtype: 'float32', requiresGrad: true });
    const b = tensor([0.5, 0.25], { requiresGrad: true });
    const y = a.add(b).mul(b);
    expect(y.dtype).toBe('float64');
    y.sum().backward();
    expect([a.grad!.dtype, b.grad!.dtype]).toEqual(['float32', 'float64']);
    expect(Array.from(a.grad!.data)).toEqual([0.5, 0.25]);
    expect(Array.from(b.grad!.data)).toEqual([2, 2.5]);
  });
  it('keeps float32 with a plain number, and int32 + int32 in int32', () => {
    expect(tensor([1], { dtype: 'float32' }).add(0.1).dtype).toBe('float32');
    const i = tensor([1, 2], { dtype: 'int32' });
    expect(i.add(i).dtype).toBe('int32');
    expect(i.add(0.5).dtype).toBe('float64');
  });
});
