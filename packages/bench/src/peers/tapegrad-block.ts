/** W6 in tapegrad: @tapegrad/nn's TransformerBlock, as a user would run it. */
import { tensor } from '@tapegrad/core';
import { TransformerBlock } from '@tapegrad/nn';
import { W6, blockData } from '../block-data.js';
import type { Runner } from './peer.js';
import type { HostArray } from '../data.js';

/** W6's block with block-data's weights, float32 on the CPU, and its input. */
export function w6Block(): { block: TransformerBlock; x: HostArray } {
  const d = blockData();
  const block = new TransformerBlock(W6.width, W6.heads, {
    dimFeedforward: W6.feedforward,
    activation: 'gelu',
    layerNormEps: W6.eps,
    dropout: 0,
    causal: true,
    dtype: 'float32',
  });
  block.loadStateDict(Object.fromEntries(Object.entries(d.weights).map(([k, w]) => [k, tensor(w.data, { shape: w.shape })])));
  return { block, x: d.x };
}

export function blockRunner(): Runner {
  const { block, x: input } = w6Block();
  const x = tensor(input.data, { shape: input.shape, requiresGrad: true });
  const params = block.parameters();
  return {
    step() {
      x.zeroGrad();
      block.zeroGrad();
      const loss = block.forward(x).square().mean();
      loss.backward();
      // Every gradient exists once backward returns (tapegrad is eager); touching them keeps the work honest.
      if (params.some((p) => p.grad === null) || x.grad === null) throw new Error('W6: a gradient is missing');
      return loss.item();
    },
  };
}
