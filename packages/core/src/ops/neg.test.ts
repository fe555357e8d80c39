// neg: derivative -1.
import { describeOp } from '../../test/op-cases';

describeOp('neg');
