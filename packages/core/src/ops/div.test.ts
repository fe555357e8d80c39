// div: da = dy / b, db = -dy a / b^2.
import { describeBinary } from '../../test/op-harness';

describeBinary({
  name: 'div',
  apply: (a, b) => a.div(b),
  value: (a, b) => a / b,
  da: (_a, b) => 1 / b,
  db: (a, b) => -a / (b * b),
  domainB: [0.5, 2],
  secondOrder: true,
});
