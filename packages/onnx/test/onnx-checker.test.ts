/**
 * The official ONNX checker (the `onnx` Python package's `checker.check_model` with `full_check`, which adds
 * strict shape inference) accepts every exported model. It comes from Debian's python3-onnx (ONNX 1.12, which
 * knows opsets up to 17); .ci/run installs it, so CI always runs this; a machine without it skips the test.
 */
import { exportOnnx } from '@tapegrad/onnx';
import { PYTHON, checkModels, checkerAvailable } from './checker';
import { CASES } from './models';

const available = checkerAvailable();
if (!available && process.env.CI) throw new Error(`the ONNX checker is missing on CI: .ci/run installs python3-onnx for ${PYTHON}`);

(available ? test : test.skip)('onnx.checker.check_model(full_check=True) accepts every exported model', () => {
  const models = CASES.map((c, i) => ({ name: `case-${i}`, bytes: exportOnnx(c.build(), { inputShape: c.inputShape }) }));
  expect(checkModels(models)).toEqual(models.map((m) => m.name));
});
