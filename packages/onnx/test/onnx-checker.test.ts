/**
 * The official ONNX checker (the `onnx` Python package's `checker.check_model` with `full_check`, which adds
 * strict shape inference) accepts every exported model. It comes from Debian's python3-onnx (ONNX 1.12, which
 * knows opsets up to 17); .ci/run installs it, so CI always runs this; a machine without it skips the test.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportOnnx } from '@tapegrad/onnx';
import { CASES } from './models';

const PYTHON = '/usr/bin/python3';
const CHECK = `
import sys, onnx
for path in sys.argv[1:]:
    onnx.checker.check_model(onnx.load(path), full_check=True)
    print('ok', path)
`;

function checkerAvailable(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import onnx.checker'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const available = checkerAvailable();
if (!available && process.env.CI) throw new Error(`the ONNX checker is missing on CI: .ci/run installs python3-onnx for ${PYTHON}`);

(available ? test : test.skip)('onnx.checker.check_model(full_check=True) accepts every exported model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tapegrad-onnx-check-'));
  try {
    const paths = CASES.map((c, i) => {
      const path = join(dir, `case-${i}.onnx`);
      writeFileSync(path, exportOnnx(c.build(), { inputShape: c.inputShape }));
      return path;
    });
    const printed = execFileSync(PYTHON, ['-c', CHECK, ...paths], { encoding: 'utf8' });
    expect(printed.trim().split('\n')).toEqual(paths.map((p) => `ok ${p}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
