// x^2 as a user's op with a chosen gradient rule (and tangent rule), for tests that show the checkers pass a right
// rule and fail a wrong one; and the input those tests differentiate at.
import { type OpContext, type Tensor, defineOp, tensor } from '@tapegrad/core';

/** y = x^2 as an op whose backward is `gradient(dy, x)` and, when given, whose tangent is `tangent(tx, x)`. */
export function squareOp(name: string, gradient: (dy: Tensor, x: Tensor) => Tensor, tangent?: (tx: Tensor, x: Tensor) => Tensor) {
  const forward = (ctx: OpContext<undefined>, x: Tensor) => {
    ctx.saveInputs();
    return x.mul(x);
  };
  const backward = (ctx: OpContext<undefined>, dy: Tensor) => [gradient(dy, ctx.saved[0] as Tensor)];
  if (tangent === undefined) return defineOp<undefined, [Tensor]>({ name, forward, backward });
  return defineOp<undefined, [Tensor]>({ name, forward, backward, tangent: (_m, ctx, tx) => tangent(tx!, ctx.saved[0]) });
}

/** A [2, 3] input away from 0, requiring grad. */
export const x0 = () =>
  tensor(
    [
      [0.5, -1.2, 2],
      [1.5, 0.3, -0.7],
    ],
    { requiresGrad: true },
  );
