// exp: value Math.exp, derivative exp(x); second derivative exp(x).
import { describeOp } from '../../test/op-cases';

describeOp('exp');
