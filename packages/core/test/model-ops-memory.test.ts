// The memory claims of issue 14's convolution and attention, measured by recording every array the kernels allocate
// (`allocate` is their only allocator): a convolution's three kernels (forward, dX, dW) share one im2col patch buffer
// of at most convLimits.colElements, whatever the batch, instead of a full [C·kh·kw, batch·outH·outW] matrix; and
// a recorded conv2d keeps one patch matrix from forward to backward (within convLimits.keptElements); and
// attention's forward and backward hold one block of one head's attention matrix at a time (forward P, backward P
// and dP), the same few buffers whatever the number of batch elements and heads. Figures: docs/decisions.md.
import { type Tensor, conv2d, randn, scaledDotProductAttention } from '@tapegrad/core';
import * as dtype from '../src/ndarray/dtype';
import { type ConvGeometry, conv2dForward, conv2dInputGrad, conv2dWeightGrad, convLimits } from '../src/ndarray/kernels/conv';

/** Runs f, returning the sizes (elements) of every array allocated through `allocate` meanwhile. */
function allocations(f: () => void): number[] {
  const sizes: number[] = [];
  const original = dtype.allocate;
  const spy = jest.spyOn(dtype, 'allocate').mockImplementation((d, size) => {
    sizes.push(size);
    return original(d, size);
  });
  try {
    f();
  } finally {
    spy.mockRestore();
  }
  return sizes;
}

const total = (sizes: readonly number[]) => sizes.reduce((s, n) => s + n, 0);

/** LeNet-5's second convolution: 6 -> 16 channels, 5x5, on 14x14 maps. */
const lenetConv2 = (batch: number): ConvGeometry => ({
  batch,
  inChannels: 6,
  height: 14,
  width: 14,
  outChannels: 16,
  groups: 1,
  kernelH: 5,
  kernelW: 5,
  strideH: 1,
  strideW: 1,
  dilationH: 1,
  dilationW: 1,
  padTop: 0,
  padLeft: 0,
  outH: 10,
  outW: 10,
});

describe('conv2d memory', () => {
  it('forward, dX and dW share one patch buffer within the limit, the same for batch 16 and 256', () => {
    const saved = convLimits.colElements;
    convLimits.colElements = 1 << 14; // 16,384 patch elements: 10 output rows of 150 x 10 per chunk
    try {
      const K = 6 * 5 * 5;
      const scratchByBatch = [16, 256].map((batch) => {
        const g = lenetConv2(batch);
        const x = randn([batch, 6, 14, 14]).raw;
        const w = randn([16, 6, 5, 5]).raw;
        const dy = randn([batch, 16, 10, 10]).raw;
        const outputs = [batch * 16 * 100, batch * 6 * 196, 16 * K];
        const sizes = allocations(() => {
          conv2dForward(x, w, g);
          conv2dInputGrad(dy, w, g);
          conv2dWeightGrad(x, dy, g);
        });
        // Each kernel allocates its result; everything else is scratch.
        for (const out of outputs) sizes.splice(sizes.indexOf(out), 1);
        expect(Math.max(0, ...sizes)).toBeLessThanOrEqual(convLimits.colElements);
        return { batch, scratch: total(sizes), fullIm2col: K * batch * 100 };
      });
      const [first, second] = scratchByBatch;
      // The first call makes the buffers (patches 150 x 100, rows 16 x 100, dW's partial sums 16 x 150); later calls reuse them.
      expect(first.scratch).toBe(K * 100 + 16 * 100 + 16 * K);
      expect(second.scratch).toBe(0);
      expect(first.scratch).toBeLessThan(first.fullIm2col / 10);
    } finally {
      convLimits.colElements = saved;
    }
  });
});

describe('conv2d memory: the patches kept from forward for dW', () => {
  // A recorded conv2d whose weight needs a gradient keeps its patch matrix (K x batch * outH * outW) until backward,
  // within convLimits.keptElements; beyond it nothing is kept and dW builds its patches in the shared scratch.
  // Counted on a warm run (the scratch buffers already grown), so a buffer of that size is the kept matrix.
  const batch = 16;
  const kept = 6 * 5 * 5 * batch * 10 * 10;
  const x = randn([batch, 6, 14, 14], { requiresGrad: true });
  const w = randn([16, 6, 5, 5], { requiresGrad: true });
  const dy = randn([batch, 16, 10, 10]);
  const keptBuffers = () => {
    conv2d(x, w).backward(dy);
    return allocations(() => conv2d(x, w).backward(dy)).filter((s) => s === kept).length;
  };

  it('holds exactly one patch matrix within the limit, and none beyond it', () => {
    expect(keptBuffers()).toBe(1);
    const saved = convLimits.keptElements;
    convLimits.keptElements = kept - 1;
    try {
      expect(keptBuffers()).toBe(0);
    } finally {
      convLimits.keptElements = saved;
    }
  });
});

describe('scaledDotProductAttention memory', () => {
  /** Elements allocated by one causal forward and backward, other than results and gradients (all of q's shape). */
  function scratch(batch: number, heads: number): number[] {
    const [L, D] = [128, 32];
    const [q, k, v] = [1, 2, 3].map(() => randn([batch, heads, L, D], { requiresGrad: true }));
    const dy = randn([batch, heads, L, D]);
    let y: Tensor | null = null;
    const sizes = allocations(() => {
      y = scaledDotProductAttention(q, k, v, { causal: true });
      y.backward(dy);
    });
    expect(y!.size).toBe(q.size);
    return sizes.filter((s) => s !== q.size).sort((a, b) => b - a);
  }

  it('holds one 128 x 128 attention matrix at a time (P; in backward P and dP), the same for 2 x 4 and 4 x 8 heads', () => {
    const small = scratch(2, 4);
    const large = scratch(4, 8);
    expect(large).toEqual(small);
    expect(Math.max(...small)).toBe(128 * 128);
    // Forward's P, backward's P and dP (one head's matrix each, reused across heads), and a [128, 32] product buffer.
    expect(small.filter((s) => s === 128 * 128)).toHaveLength(3);
    expect(total(small)).toBeLessThan(2 * 4 * 128 * 128);
  });
});
