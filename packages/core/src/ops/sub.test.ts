// sub: da = dy, db = -dy.
import { describeOp } from '../../test/op-cases';

describeOp('sub');
