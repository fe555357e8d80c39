// maximum: da = dy [a > b], db = dy [b > a]; minimum: da = dy [a < b], db = dy [b < a]; a tie splits the gradient 1/2 : 1/2.
import { scalar, tensor } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';

describeOp('maximum');
describeOp('minimum');

describe.each([
  ['maximum', [1, 5, 3], 0.5],
  ['minimum', [1, 0, 3], -1],
] as const)('%s at a tie', (op, other, tie) => {
  it('splits the upstream gradient evenly, on Tensors and Scalars', () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const b = tensor([...other], { requiresGrad: true });
    a[op](b).backward(tensor([4, 4, 4]));
    expect(Array.from(a.grad!.data)).toEqual([2, 0, 2]);
    expect(Array.from(b.grad!.data)).toEqual([2, 4, 2]);
    const [sa, sb] = [scalar(tie), scalar(tie)];
    sa[op](sb).backward({ seed: 3 });
    expect([sa.grad, sb.grad]).toEqual([1.5, 1.5]);
  });
  it(`x.${op}(x) passes the whole gradient to x`, () => {
    const x = scalar(2);
    x[op](x).backward();
    expect(x.grad).toBe(1);
  });
});
