// sin: derivative cos x.
import { describeOp } from '../../test/op-cases';

describeOp('sin');
