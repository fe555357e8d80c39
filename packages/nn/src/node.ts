/**
 * @tapegrad/nn/node: the Node-only file I/O of @tapegrad/nn (saveSafetensors, loadSafetensors). Everything else
 * in the package is browser-safe; only this entry point touches the file system.
 * @module @tapegrad/nn/node
 * @packageDocumentation
 */
import type { Tensor } from '@tapegrad/core';
import { writeFileAtomic } from './atomic-write.js';
import { encodeSafetensors } from './safetensors.js';
import { readTensors, withSafetensorsFile } from './safetensors-file.js';

export { writeFileAtomic };

/**
 * Writes tensors to `path` in the safetensors format, atomically: the bytes go to a temporary file in the same
 * directory (`.<name>.tapegrad-tmp-<pid>-<random>`), which is flushed to disk (fsync), given the mode of the file it
 * replaces, and renamed over `path`. A crash leaves either the old file or the new one, never part of one; saves
 * racing to one path end with one of them whole. A save removes temporary files that killed saves left (those whose
 * process is gone). A symbolic link is written through to its target. Errors name `path` and keep the system
 * error's `code`; a tensor that cannot be written is a SafetensorsError before anything touches the disk.
 * @example await saveSafetensors('out/model.safetensors', model.stateDict(), { epoch: '3' });
 */
export async function saveSafetensors(path: string, tensors: Record<string, Tensor>, metadata?: Record<string, string>): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata), 'saveSafetensors');
}

/**
 * Reads a safetensors file into tensors by name (validated as decodeSafetensors does: a bad file gives a
 * SafetensorsError naming the file and the problem). The file is read in pieces (the header, then each tensor's
 * bytes straight into its own buffer), so files of any size load, in memory about their own size.
 * @example model.loadStateDict(await loadSafetensors('out/model.safetensors'));
 */
export async function loadSafetensors(path: string): Promise<Record<string, Tensor>> {
  return withSafetensorsFile(path, 'loadSafetensors', (handle, layout) => readTensors(handle, layout));
}

/**
 * The `__metadata__` of a safetensors file ({} when it has none). Reads only the header, which is validated (and
 * checked against the file's size) as loadSafetensors does.
 * @example (await loadSafetensorsMetadata('out/model.safetensors')).epoch;
 */
export async function loadSafetensorsMetadata(path: string): Promise<Record<string, string>> {
  return withSafetensorsFile(path, 'loadSafetensorsMetadata', (_, layout) => Promise.resolve(layout.metadata));
}
