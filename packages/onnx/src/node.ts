/**
 * @tapegrad/onnx/node: writing and reading ONNX files in Node. Everything else in the package is browser-safe;
 * only this entry point touches the file system.
 * @module @tapegrad/onnx/node
 * @packageDocumentation
 */
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Module } from '@tapegrad/nn';
import { ExportOnnxOptions, exportOnnx } from './export/export.js';

/**
 * Exports `module` (see exportOnnx) and writes the model to `path` atomically: the bytes go to a temporary file
 * beside it, flushed to disk, then renamed over `path`, so a crash never leaves half a model under the real name.
 * Returns the number of bytes written.
 * @example
 * await saveOnnx('out/model.onnx', model, { inputShape: [null, 784] });
 */
export async function saveOnnx(path: string, module: Module, options: ExportOnnxOptions): Promise<number> {
  const bytes = exportOnnx(module, options);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    await rename(temp, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  return bytes.length;
}
