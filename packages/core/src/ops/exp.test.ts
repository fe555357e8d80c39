// exp: value Math.exp, derivative exp(x); second derivative exp(x).
import { describeUnary } from '../../test/op-harness';

describeUnary({ name: 'exp', apply: (x) => x.exp(), value: Math.exp, derivative: Math.exp, secondOrder: true });
