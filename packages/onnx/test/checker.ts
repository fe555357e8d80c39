/**
 * The official ONNX checker, from Debian's python3-onnx: `onnx.checker.check_model` with `full_check` (strict shape
 * inference). .ci/run installs it; a machine without it skips the tests that use it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PYTHON = '/usr/bin/python3';

const CHECK = `
import sys, onnx
for path in sys.argv[1:]:
    onnx.checker.check_model(onnx.load(path), full_check=True)
    print('ok', path)
`;

/** Whether the checker is there. */
export function checkerAvailable(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import onnx.checker'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks each model (written to a temporary file named `<name>.onnx`): throws with the checker's message on the
 * first it refuses, else returns the names it accepted, in order.
 */
export function checkModels(models: ReadonlyArray<{ readonly name: string; readonly bytes: Uint8Array }>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'tapegrad-onnx-check-'));
  try {
    const paths = models.map(({ name, bytes }) => {
      const path = join(dir, `${name}.onnx`);
      writeFileSync(path, bytes);
      return path;
    });
    const printed = execFileSync(PYTHON, ['-c', CHECK, ...paths], { encoding: 'utf8' });
    return printed
      .trim()
      .split('\n')
      .map((line) => line.replace(`ok ${dir}/`, '').replace(/\.onnx$/, ''));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
