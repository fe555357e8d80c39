// mul: da = dy b, db = dy a; a node used twice (x * x) gets both contributions.
import { scalar, tensor } from '@tapegrad/core';
import { describeBinary } from '../../test/op-harness';

describeBinary({ name: 'mul', apply: (a, b) => a.mul(b), value: (a, b) => a * b, da: (_a, b) => b, db: (a) => a, secondOrder: true });

describe('mul of a node with itself', () => {
  it('gives d(x*x)/dx = 2x (both contributions) on both kinds', () => {
    const s = scalar(-1.5);
    s.mul(s).backward();
    expect(s.grad).toBe(-3);
    const t = tensor([2, -3], { requiresGrad: true });
    t.square().sum().backward();
    expect(Array.from(t.grad!.data)).toEqual([4, -6]);
  });
});
