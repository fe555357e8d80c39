// sin: derivative cos x.
import { describeUnary } from '../../test/op-harness';

describeUnary({ name: 'sin', apply: (x) => x.sin(), value: Math.sin, derivative: Math.cos, domain: [-4, 4], secondOrder: true });
