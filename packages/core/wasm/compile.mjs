// What every WebAssembly build script of the repository shares (core's wasm/build.mjs, nn's wasm/build.mjs):
// AssemblyScript sources compiled by the `assemblyscript` dev-dependency into one module under the 4 KB that
// browsers compile synchronously on the main thread, embedded in TypeScript as a hex string, written only when it
// changed (so a rebuild leaves the file, and the builds that depend on it, alone).
import { readFileSync, writeFileSync } from 'node:fs';
import asc from 'assemblyscript/asc';

const MAIN_THREAD_COMPILE_LIMIT = 4096;

/**
 * Compiles `sources` (paths) into one module with the WebAssembly `features` ('simd', 'simd,relaxed-simd') and any
 * `extra` compiler flags (`--importMemory`).
 */
export async function compile(sources, features, extra = []) {
  let binary = null;
  const { error, stderr } = await asc.main(
    [...sources, '-O3', '--runtime', 'stub', '--noAssert', '--use', 'abort=', '--enable', features, ...extra, '--outFile', 'kernels.wasm'],
    {
      writeFile(name, contents) {
        if (name.endsWith('.wasm')) binary = contents;
      },
    },
  );
  if (error || !binary) {
    console.error(stderr.toString());
    throw error ?? new Error('asc produced no .wasm output');
  }
  if (binary.length > MAIN_THREAD_COMPILE_LIMIT)
    throw new Error(
      `${sources.join(', ')}: ${binary.length} bytes, over the ${MAIN_THREAD_COMPILE_LIMIT} bytes browsers compile synchronously`,
    );
  return binary;
}

/** `export const name = '…'`: the module's bytes as hex, in lines of 120 characters. */
export const hexConstant = (name, binary) => {
  const lines = Buffer.from(binary)
    .toString('hex')
    .match(/.{1,120}/g)
    .map((l) => `  '${l}'`)
    .join(' +\n');
  return `export const ${name} =\n${lines};\n`;
};

/** Writes `text` to `target` unless it already holds it; returns whether the file was unchanged. */
export function writeIfChanged(target, text) {
  let previous = '';
  try {
    previous = readFileSync(target, 'utf8');
  } catch {
    // No file yet.
  }
  if (previous !== text) writeFileSync(target, text);
  return previous === text;
}
