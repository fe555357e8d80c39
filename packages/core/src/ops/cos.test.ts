// cos: derivative -sin x.
import { describeUnary } from '../../test/op-harness';

describeUnary({ name: 'cos', apply: (x) => x.cos(), value: Math.cos, derivative: (x) => -Math.sin(x), domain: [-4, 4], secondOrder: true });
