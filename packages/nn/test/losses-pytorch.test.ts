// Replays losses.json: every loss, option and reduction against PyTorch 1.13's values and gradients (float64),
// each with a non-unit upstream gradient. pytorch/losses.py produced the file; rerun it to add cases.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type NestedArray, type Tensor, tensor } from '@tapegrad/core';
import { binaryCrossEntropy, crossEntropy, huberLoss, l1Loss, nllLoss, smoothL1Loss } from '@tapegrad/nn';

interface Case {
  readonly name: string;
  readonly loss: string;
  readonly input: NestedArray;
  readonly target: NestedArray;
  readonly options: Record<string, unknown> & { weight?: number[]; reduction?: 'mean' | 'sum' | 'none' };
  readonly seed: NestedArray | number;
  readonly value: NestedArray | number;
  readonly grad: NestedArray;
}

const infinities = (_key: string, v: unknown) => (v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);
const { cases } = JSON.parse(readFileSync(join(__dirname, 'pytorch', 'losses.json'), 'utf8'), infinities) as { cases: Case[] };

const LOSSES: Record<string, (x: Tensor, t: Tensor, options: object) => Tensor> = {
  crossEntropy,
  nllLoss,
  l1Loss,
  huberLoss,
  smoothL1Loss,
  binaryCrossEntropy,
};
const INDEX_TARGETS = new Set(['nllLoss']);

describe('losses against PyTorch (float64)', () => {
  it('has every case of the script', () => {
    expect(cases.length).toBe(75);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const x = tensor(c.input, { requiresGrad: true });
    const labels = INDEX_TARGETS.has(c.loss) || (c.loss === 'crossEntropy' && !c.name.includes('probabilities'));
    const t = tensor(c.target, labels ? { dtype: 'int32' } : {});
    const options = { ...c.options, weight: c.options.weight ? tensor(c.options.weight) : undefined };
    const loss = LOSSES[c.loss](x, t, options);
    expect(loss).toBeAllClose(c.value, { rtol: 1e-12, atol: 1e-14 });
    loss.backward(tensor(c.seed).reshape(loss.shape));
    expect(x.grad!).toBeAllClose(c.grad, { rtol: 1e-12, atol: 1e-14 });
  });
});
