// cos: derivative -sin x.
import { describeOp } from '../../test/op-cases';

describeOp('cos');
