// sqrt: value Math.sqrt, derivative 1 / (2 sqrt x) on x > 0.
import { describeOp } from '../../test/op-cases';

describeOp('sqrt');
