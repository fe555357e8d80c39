/**
 * @tapegrad/nn/node: the Node-only file I/O of @tapegrad/nn (saveSafetensors, loadSafetensors). Everything else
 * in the package is browser-safe; only this entry point touches the file system.
 * @module @tapegrad/nn/node
 * @packageDocumentation
 */
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Tensor } from '@tapegrad/core';
import { decodeSafetensors, encodeSafetensors, safetensorsMetadata } from './safetensors.js';

/**
 * Writes tensors to `path` in the safetensors format, atomically: the bytes go to a temporary file in the same
 * directory, which is flushed to disk (fsync) and then renamed over `path`. A crash leaves either the old file or
 * the new one under the real name, never half of one.
 * @example await saveSafetensors('out/model.safetensors', model.stateDict(), { epoch: '3' });
 */
export async function saveSafetensors(path: string, tensors: Record<string, Tensor>, metadata?: Record<string, string>): Promise<void> {
  const bytes = encodeSafetensors(tensors, metadata);
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  // Make the rename itself durable; some platforms cannot open a directory, which is harmless to skip.
  const dirHandle = await open(dir, 'r').catch(() => null);
  if (dirHandle) {
    await dirHandle.sync().catch(() => undefined);
    await dirHandle.close();
  }
}

/**
 * Reads a safetensors file into tensors by name (validated as decodeSafetensors does: a bad file gives a
 * SafetensorsError naming the problem).
 * @example model.loadStateDict(await loadSafetensors('out/model.safetensors'));
 */
export async function loadSafetensors(path: string): Promise<Record<string, Tensor>> {
  return decodeSafetensors(await readFile(path));
}

/**
 * The `__metadata__` of a safetensors file ({} when it has none).
 * @example (await loadSafetensorsMetadata('out/model.safetensors')).epoch;
 */
export async function loadSafetensorsMetadata(path: string): Promise<Record<string, string>> {
  return safetensorsMetadata(await readFile(path));
}
