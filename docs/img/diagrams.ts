/**
 * The graphs the docs draw, built with the library and exported with its own `toDot`. `render.ts` turns them
 * into the committed .dot and .svg files; docs/test/diagrams.test.ts checks the committed .dot files are current.
 */
import { type Tensor, scalar, tensor, toDot } from '@tapegrad/core';

/** Seed 004's apple/orange price graph after backward: every node shows its value and d price / d node. */
export function appleOrange(): string {
  const apple = scalar(100, { name: 'apple' });
  const appleNum = scalar(2, { name: 'appleNum' });
  const orange = scalar(150, { name: 'orange' });
  const orangeNum = scalar(3, { name: 'orangeNum' });
  const tax = scalar(1.1, { name: 'tax' });
  const applePrice = apple.mul(appleNum);
  applePrice.name = 'applePrice';
  const orangePrice = orange.mul(orangeNum);
  orangePrice.name = 'orangePrice';
  const total = applePrice.add(orangePrice);
  total.name = 'total';
  const price = total.mul(tax);
  price.name = 'price';
  price.backward();
  return toDot(price, 'apple-orange');
}

function named(t: Tensor, name: string): Tensor {
  t.name = name;
  return t;
}

/**
 * The tape of a 2-layer network, y = relu(x W1 + b1) W2 + b2, with a mean squared error, after backward.
 * Dyadic weights keep every printed value short.
 */
export function twoLayerTape(): string {
  const x = named(
    tensor([
      [1, 2],
      [0, -1],
    ]),
    'x',
  );
  const target = named(tensor([[1], [0]]), 'target');
  const W1 = named(
    tensor(
      [
        [0.5, -1, 0.25],
        [1, 0.5, -0.5],
      ],
      { requiresGrad: true },
    ),
    'W1',
  );
  const b1 = named(tensor([0, 0.5, 0], { requiresGrad: true }), 'b1');
  const W2 = named(tensor([[1], [-1], [2]], { requiresGrad: true }), 'W2');
  const b2 = named(tensor([0.5], { requiresGrad: true }), 'b2');
  const h = named(x.matmul(W1).add(b1).relu(), 'h');
  const y = named(h.matmul(W2).add(b2), 'y');
  const loss = named(y.sub(target).square().mean(), 'loss');
  loss.backward();
  return toDot(loss, 'two-layer-tape');
}

export const diagrams: Record<string, () => string> = {
  'apple-orange': appleOrange,
  'two-layer-tape': twoLayerTape,
};
