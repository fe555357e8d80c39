// log: value Math.log, derivative 1/x on x > 0.
import { tensor } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';

describeOp('log');

describe('log at the edge of its domain', () => {
  it('gives -Infinity at 0 and NaN below, as Math.log', () => {
    expect(Array.from(tensor([0, -1]).log().data)).toEqual([-Infinity, NaN]);
  });
});
