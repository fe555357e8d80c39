/**
 * @tapegrad/onnx/node: writing and reading ONNX files in Node. Everything else in the package is browser-safe;
 * only this entry point touches the file system.
 * @module @tapegrad/onnx/node
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@tapegrad/nn/node';
import type { Module, Sequential } from '@tapegrad/nn';
import { type ExportOnnxOptions, exportOnnx } from './export/export.js';
import { type ImportOnnxOptions, importOnnx } from './import/import.js';

/**
 * Exports `module` (see exportOnnx) and writes the model to `path` atomically, as saveSafetensors writes: the bytes
 * go to a temporary file beside it, flushed to disk, then renamed over `path`, so a crash never leaves half a model
 * under the real name. Returns the number of bytes written.
 * @example
 * await saveOnnx('out/model.onnx', model, { inputShape: [null, 784] });
 */
export async function saveOnnx(path: string, module: Module, options: ExportOnnxOptions): Promise<number> {
  const bytes = exportOnnx(module, options);
  await writeFileAtomic(path, bytes, 'saveOnnx');
  return bytes.length;
}

/**
 * Reads the ONNX model at `path` and rebuilds it as a Sequential (see importOnnx).
 * @example
 * const model = await loadOnnx('out/model.onnx');
 */
export async function loadOnnx(path: string, options?: ImportOnnxOptions): Promise<Sequential> {
  return importOnnx(await readFile(path), options);
}
