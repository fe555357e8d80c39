// div: da = dy / b, db = -dy a / b^2.
import { describeOp } from '../../test/op-cases';

describeOp('div');
