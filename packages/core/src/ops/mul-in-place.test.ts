// x *= factor in place (recorded when x takes part in a graph): gradcheck through the recorded change.
// Its in-place semantics (versions, shadows, refusals) are tested in packages/core/test/in-place.test.ts.
import { describeOp } from '../../test/op-cases';

describeOp('mulInPlace');
