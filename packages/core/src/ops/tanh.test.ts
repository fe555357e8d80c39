// tanh: derivative 1 - tanh(x)^2.
import { describeUnary } from '../../test/op-harness';

describeUnary({ name: 'tanh', apply: (x) => x.tanh(), value: Math.tanh, derivative: (x) => 1 - Math.tanh(x) ** 2, domain: [-3, 3], secondOrder: true });
