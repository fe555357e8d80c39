// neg: derivative -1.
import { describeUnary } from '../../test/op-harness';

describeUnary({ name: 'neg', apply: (x) => x.neg(), value: (x) => -x, derivative: () => -1 });
