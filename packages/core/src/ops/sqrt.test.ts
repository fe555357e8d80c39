// sqrt: value Math.sqrt, derivative 1 / (2 sqrt x) on x > 0.
import { describeUnary } from '../../test/op-harness';

describeUnary({
  name: 'sqrt',
  apply: (x) => x.sqrt(),
  value: Math.sqrt,
  derivative: (x) => 0.5 / Math.sqrt(x),
  domain: [0.2, 3],
  secondOrder: true,
});
