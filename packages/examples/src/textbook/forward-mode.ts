/**
 * Forward mode on seed 004's apple/orange price graph: one `jvp` pass per input, its tangent 1 and every other
 * input's 0, so each value of the graph carries its derivative with respect to that input as it is computed (the
 * pushforward). Five passes give the five derivatives one reverse sweep (`price.backward()`) gives at once.
 */
import { type Scalar, jvp } from '@tapegrad/core';
import { APPLE, APPLE_NUM, ORANGE, ORANGE_NUM, TAX, priceGraph, priceWithTape } from './apple-orange.js';

/** The graph's inputs in the book's order, with their values and the book's names. */
export const PRICE_INPUTS = [
  ['apple', APPLE],
  ['apple_num', APPLE_NUM],
  ['orange', ORANGE],
  ['orange_num', ORANGE_NUM],
  ['tax', TAX],
] as const;

/** The graph's values in the order they are computed. */
export const PRICE_VALUES = ['apple_price', 'orange_price', 'all_price', 'price'] as const;

/** One forward-mode pass: the input seeded with tangent 1, and each value's tangent (its derivative by that input). */
export interface ForwardPass {
  readonly input: (typeof PRICE_INPUTS)[number][0];
  /** d value / d input for each of PRICE_VALUES, in order. */
  readonly tangents: readonly number[];
  /** d price / d input by this pass, and by the reverse sweep. */
  readonly forward: number;
  readonly reverse: number;
}

/** The price graph's values, from its five inputs, as one function of Scalars (what `jvp` differentiates). */
function values(apple: Scalar, appleNum: Scalar, orange: Scalar, orangeNum: Scalar, tax: Scalar): Scalar[] {
  const applePrice = apple.mul(appleNum);
  const orangePrice = orange.mul(orangeNum);
  const allPrice = applePrice.add(orangePrice);
  return [applePrice, orangePrice, allPrice, allPrice.mul(tax)];
}

/** The five forward-mode passes, each beside the reverse sweep's derivative of the same input. */
export function forwardPasses(): ForwardPass[] {
  const reverse = priceWithTape(priceGraph());
  const byReverse = [reverse.dapple, reverse.dappleNum, reverse.dorange, reverse.dorangeNum, reverse.dtax];
  const primals = PRICE_INPUTS.map(([, v]) => v);
  return PRICE_INPUTS.map(([input], i) => {
    const seed = PRICE_INPUTS.map((_, j) => (i === j ? 1 : 0));
    const [, tangents] = jvp(
      values,
      [primals[0], primals[1], primals[2], primals[3], primals[4]],
      [seed[0], seed[1], seed[2], seed[3], seed[4]],
    );
    const t = tangents.map((s) => s.value);
    return { input, tangents: t, forward: t[t.length - 1], reverse: byReverse[i] };
  });
}
