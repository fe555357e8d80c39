// logicalAnd, logicalOr, logicalXor, logicalNot: truth tables against JavaScript's boolean operators (non-zero is
// true, NaN included, as in PyTorch), broadcasting, TF.js's logical ops on the same masks, and no gradient.
import * as tf from '@tensorflow/tfjs';
import { tensor } from '@tapegrad/core';
import { broadcastMap, expectTensor } from '../../test/op-harness';
import { describeOp } from '../../test/op-cases';

describeOp('logicalAnd');
describeOp('logicalOr');
describeOp('logicalXor');
describeOp('logicalNot');

type Name = 'logicalAnd' | 'logicalOr' | 'logicalXor';
const truth = (v: number) => v !== 0;
const JS: Record<Name, (a: boolean, b: boolean) => boolean> = {
  logicalAnd: (a, b) => a && b,
  logicalOr: (a, b) => a || b,
  logicalXor: (a, b) => a !== b,
};
const TF: Record<Name, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor> = {
  logicalAnd: tf.logicalAnd,
  logicalOr: tf.logicalOr,
  logicalXor: tf.logicalXor,
};
const VALUES = [0, -0, 1, -3.5, NaN, Infinity];

describe.each(Object.keys(JS) as Name[])('%s', (name) => {
  it('follows the truth table, where every non-zero value (NaN too) is true, broadcasting', () => {
    const a = tensor(VALUES, { shape: [6, 1] });
    const b = tensor(VALUES);
    expectTensor(
      a[name](b),
      broadcastMap([a, b], (x, y) => (JS[name](truth(x), truth(y)) ? 1 : 0)),
      0,
      0,
    );
  });
  it('agrees with TF.js on 0/1 masks', () => {
    const a = [1, 1, 0, 0];
    const b = [1, 0, 1, 0];
    const theirs = TF[name](tf.tensor1d(a, 'bool'), tf.tensor1d(b, 'bool'));
    expect(Array.from(tensor(a)[name](tensor(b)).data)).toEqual(Array.from(theirs.dataSync()));
    theirs.dispose();
  });
});

describe('logicalNot', () => {
  it('is 1 exactly at zeros (and -0), 0 at NaN, and agrees with TF.js', () => {
    expect(Array.from(tensor(VALUES).logicalNot().data)).toEqual([1, 1, 0, 0, 0, 0]);
    const theirs = tf.logicalNot(tf.tensor1d([1, 0, 1], 'bool'));
    expect(Array.from(tensor([1, 0, 1]).logicalNot().data)).toEqual(Array.from(theirs.dataSync()));
    theirs.dispose();
  });
  it('keeps the dtype and never requires grad', () => {
    const x = tensor(new Float32Array([0, 2]), { requiresGrad: true });
    const y = x.logicalNot();
    expect([y.dtype, y.requiresGrad]).toEqual(['float32', false]);
    expect(x.gt(0).logicalAnd(x.lt(3)).requiresGrad).toBe(false);
  });
});
