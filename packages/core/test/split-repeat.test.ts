// split, chunk, repeat, tile (composites of slice, reshape and broadcastTo): pieces and copies checked by index
// arithmetic, TF.js's tf.split and tf.tile in value and gradient, gradcheck in float64, PyTorch's rules for
// chunk and repeat, and typed errors naming the op.
import * as tf from '@tensorflow/tfjs';
import { ShapeError, type Tensor, concat, tensor } from '@tapegrad/core';
import { expectGradients, ravel, uniform, unravel } from './op-harness';
import { expectLikeTfjs } from './tfjs-peer';

describe('split and chunk', () => {
  it('cut pieces of the given sizes (a list) or of one size (a number, the last taking what is left)', () => {
    const x = tensor([1, 2, 3, 4, 5]);
    expect(x.split(2).map((t) => t.toArray())).toEqual([[1, 2], [3, 4], [5]]);
    expect(x.split([1, 0, 4]).map((t) => t.toArray())).toEqual([[1], [], [2, 3, 4, 5]]);
    const m = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(m.split([2, 1], 1).map((t) => t.toArray())).toEqual([
      [
        [1, 2],
        [4, 5],
      ],
      [[3], [6]],
    ]);
  });
  it("follow PyTorch's chunk: pieces of ceil(n / chunks), maybe fewer than asked", () => {
    const x = tensor([1, 2, 3, 4, 5, 6]);
    expect(x.chunk(4).map((t) => t.size)).toEqual([2, 2, 2]);
    expect(
      tensor([1, 2, 3, 4, 5])
        .chunk(2)
        .map((t) => t.toArray()),
    ).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });
  it('agree with TF.js split in value and gradient (each piece weighted differently)', () => {
    expectLikeTfjs(
      (x) =>
        concat(
          x.split([1, 3], 1).map((p, i) => p.mul(i + 2)),
          1,
        ),
      (x) =>
        tf.concat(
          tf.split(x, [1, 3], 1).map((p, i) => tf.mul(p, i + 2)),
          1,
        ),
      [{ shape: [3, 4], range: [-2, 2] }],
    );
  });
  it('pass gradcheck', () => {
    expectGradients((x: Tensor) => x.split([2, 1, 1], -1)[1].mul(x.split(2, 0)[0]), [uniform([2, 4], -2, 2, { seed: 4 })]);
  });
  it('refuse sizes that do not add up, bad sizes and bad axes, naming the op', () => {
    const x = tensor([1, 2, 3]);
    expect(() => x.split([1, 1])).toThrow(ShapeError);
    expect(() => x.split([1, 1])).toThrow(/^split: sizes \[1, 1\] add up to 2, but axis 0 of \[3\] has 3 elements/);
    expect(() => x.split(0)).toThrow(/^split: a piece size is a positive integer; got 0/);
    expect(() => x.split([1.5, 1.5])).toThrow(/^split: sizes are non-negative integers/);
    expect(() => x.split(1, 1)).toThrow(/^split: axis 1 is out of range/);
    expect(() => x.chunk(0)).toThrow(/^chunk: the number of chunks is a positive integer/);
  });
});

describe('repeat and tile', () => {
  it.each([
    [
      [2, 3],
      [2, 1],
    ],
    [
      [2, 3],
      [1, 2, 2],
    ],
    [[3], [2, 3]],
    [
      [2, 3],
      [0, 2],
    ],
  ])('repeat a %j value %j times: element i of the result is element (i mod shape) of x', (shape, reps) => {
    const x = uniform(shape, -2, 2, { seed: 5 });
    const y = x.repeat(reps);
    const padded = [...new Array<number>(reps.length - shape.length).fill(1), ...shape];
    expect(y.shape).toEqual(padded.map((s, d) => s * reps[d]));
    for (let i = 0; i < y.size; i++) {
      const idx = unravel(i, y.shape).map((v, d) => v % padded[d]);
      expect(y.data[i]).toBe(x.data[ravel(idx.slice(idx.length - shape.length), shape)]);
    }
  });
  it('tile pads short reps with leading 1s (as torch.tile and tf.tile); repeat refuses them', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(x.tile([2]).toArray()).toEqual([
      [1, 2, 1, 2],
      [3, 4, 3, 4],
    ]);
    expect(() => x.repeat([2])).toThrow(/^repeat: reps \[2\] have fewer entries than \[2, 2\] has axes/);
    expect(() => x.tile([2, -1])).toThrow(/^tile: reps are non-negative integers/);
  });
  it("agree with TF.js tile in value and gradient (a repeated element collects its copies' gradients)", () => {
    expectLikeTfjs(
      (x) => x.tile([2, 3]),
      (x) => tf.tile(x, [2, 3]),
      [{ shape: [3, 2], range: [-2, 2] }],
    );
    expectLikeTfjs(
      (x) => x.repeat([1, 3, 2]),
      (x) => tf.tile(tf.reshape(x, [1, 3, 2]), [1, 3, 2]),
      [{ shape: [3, 2], range: [-2, 2] }],
    );
  });
  it('pass gradcheck and gradgradcheck', () => {
    expectGradients((x: Tensor) => x.repeat([2, 1, 2]).mul(x.tile([2, 1, 2])), [uniform([3, 2], -2, 2, { seed: 6 })], {
      secondOrder: true,
    });
  });
});
