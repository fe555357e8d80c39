// argmax and argmin as functions: against TF.js's tf.argMax / tf.argMin on every axis of random shapes; keepDims and
// the flattened index without an axis (PyTorch); ties to the first index and NaN as the extremum (as max
// propagates it), exactly; typed errors for empty axes, bad axes and non-tensors.
import * as tf from '@tensorflow/tfjs';
import { DTypeError, ShapeError, type Tensor, argmax, argmin, tensor } from '@tapegrad/core';
import { distinct } from '../../test/op-harness';
import { useTfCpu } from '../../test/tfjs-oracle';

beforeAll(useTfCpu);

const ints = (t: Tensor) => Array.from(t.data);

describe('argmax and argmin', () => {
  it.each([
    [[7], 0],
    [[4, 6], 0],
    [[4, 6], 1],
    [[2, 3, 5], 0],
    [[2, 3, 5], 1],
    [[2, 3, 5], -1],
  ] as Array<[number[], number]>)('agree with TF.js tf.argMax and tf.argMin on %j along axis %i', (shape, axis) => {
    const x = distinct(shape, 4);
    const theirs = tf.tensor(Array.from(x.data), shape);
    const max = argmax(x, axis);
    expect(max.dtype).toBe('int32');
    expect(max.shape).toEqual(tf.argMax(theirs, axis).shape);
    expect(ints(max)).toEqual(Array.from(tf.argMax(theirs, axis).dataSync()));
    expect(ints(argmin(x, axis))).toEqual(Array.from(tf.argMin(theirs, axis).dataSync()));
  });

  it('keep the reduced axis with keepDims, and index the flattened tensor without an axis (PyTorch)', () => {
    const x = tensor([
      [1, 9, 3],
      [7, 2, 7],
    ]);
    expect(argmax(x, 0, true).toArray()).toEqual([[1, 0, 1]]);
    expect(argmax(x, 1).toArray()).toEqual([1, 0]);
    expect(argmax(x).shape).toEqual([]);
    expect(argmax(x).item()).toBe(1);
    expect(argmin(x).item()).toBe(0);
    expect(argmax(x, undefined, true).shape).toEqual([1, 1]);
    expect(argmax(tensor(5)).item()).toBe(0);
    expect(argmax(tensor(5), 0).shape).toEqual([]);
  });

  it('give ties to the first index and treat NaN as the extremum, exactly', () => {
    expect(ints(argmax(tensor([1, 4, 4, 0]), 0))).toEqual([1]);
    expect(ints(argmin(tensor([2, 0, 5, 0]), 0))).toEqual([1]);
    expect(ints(argmax(tensor([1, NaN, 9, NaN]), 0))).toEqual([1]);
    expect(ints(argmin(tensor([1, -3, NaN]), 0))).toEqual([2]);
    expect(ints(argmax(tensor([NaN, 9]), 0))).toEqual([0]);
    // The method shares the kernel.
    expect(ints(tensor([1, NaN, 9]).argmax())).toEqual([1]);
  });

  it('refuse empty axes, bad axes, bad keepDims and non-tensors, naming the op', () => {
    expect(() => argmax(tensor([], { shape: [2, 0] }), 1)).toThrow(ShapeError);
    expect(() => argmax(tensor([], { shape: [2, 0] }), 1)).toThrow(/argmax: axis 1 of \[2, 0\] is empty/);
    expect(() => argmin(tensor([], { shape: [0] }))).toThrow(/argmin: cannot take the argmin of an empty tensor of shape \[0\]/);
    expect(() => argmax(tensor([1, 2]), 1)).toThrow(/argmax: axis 1 is out of range for a value of rank 1/);
    expect(() => argmax(tensor([1, 2]), 0, 'yes' as unknown as boolean)).toThrow(DTypeError);
    expect(() => argmax([1, 2] as unknown as Tensor)).toThrow(/argmax: expected a Tensor/);
  });
});
