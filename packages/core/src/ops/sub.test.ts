// sub: da = dy, db = -dy.
import { describeBinary } from '../../test/op-harness';

describeBinary({ name: 'sub', apply: (a, b) => a.sub(b), value: (a, b) => a - b, da: () => 1, db: () => -1 });
