// max / min over axes: dx = dy at the arg-extremum; tied extremes share the gradient evenly.
import { ShapeError, tensor, zeros } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';

describeOp('max');
describeOp('min');

describe('max and min at ties', () => {
  it('share the gradient evenly among tied maxima', () => {
    const x = tensor(
      [
        [1, 3, 3],
        [2, 2, 2],
      ],
      { requiresGrad: true },
    );
    x.max(1).backward(tensor([4, 6]));
    expect(x.grad!.toArray()).toEqual([
      [0, 2, 2],
      [2, 2, 2],
    ]);
  });
  it('share the gradient evenly among tied minima over all axes', () => {
    const x = tensor(
      [
        [0, 5],
        [0, 1],
      ],
      { requiresGrad: true },
    );
    x.min().mul(3).backward();
    expect(x.grad!.toArray()).toEqual([
      [1.5, 0],
      [1.5, 0],
    ]);
  });
  it('refuses an empty tensor, naming the op', () => {
    expect(() => zeros([0, 3]).max()).toThrow(ShapeError);
    expect(() => zeros([0, 3]).min(1)).toThrow('min: cannot reduce an empty tensor of shape [0, 3]');
  });
});
