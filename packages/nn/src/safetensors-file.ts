/**
 * Reading a safetensors file in pieces (Node only): the 8-byte length, the header, then each tensor's bytes
 * straight into a buffer of its own. Nothing reads the whole file at once, so a file of any size loads (Node's
 * readFile stops at 2 GiB, a single read(2) at 2 GiB too), in memory about its own size, and a hostile header is
 * refused before any tensor's bytes are read.
 */
import { type FileHandle, open } from 'node:fs/promises';
import type { Tensor } from '@tapegrad/core';
import { type Layout, SafetensorsError, headerLength, layoutOf, tensorOf } from './safetensors.js';

/** The most one read asks for (1 GiB). */
export const READ_CHUNK = 1 << 30;

/** Opens `path`, reads and validates its header, and runs `body`; a SafetensorsError then names the file. */
export async function withSafetensorsFile<T>(
  path: string,
  operation: string,
  body: (handle: FileHandle, layout: Layout) => Promise<T>,
  chunk = READ_CHUNK,
): Promise<T> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const prefix = new Uint8Array(8);
    await readAt(handle, prefix.subarray(0, Math.min(8, size)), 0, chunk);
    const length = headerLength(prefix, size);
    const header = new Uint8Array(length);
    await readAt(handle, header, 8, chunk);
    return await body(handle, layoutOf(header, size - 8 - length));
  } catch (error) {
    if (error instanceof SafetensorsError)
      throw new SafetensorsError(`${operation}: '${path}' is not valid safetensors: ${error.message.replace(/^safetensors: /, '')}`);
    throw error;
  } finally {
    await handle.close();
  }
}

/** Every tensor of the file open as `handle`, by name (a null-prototype object). */
export async function readTensors(handle: FileHandle, layout: Layout, chunk = READ_CHUNK): Promise<Record<string, Tensor>> {
  const out = Object.create(null) as Record<string, Tensor>;
  for (const e of layout.entries) {
    const bytes = new Uint8Array(e.end - e.begin);
    await readAt(handle, bytes, layout.dataStart + e.begin, chunk);
    out[e.name] = tensorOf(e, bytes, true);
  }
  return out;
}

/** Fills `into` from the file at `position`, in pieces of at most `chunk` bytes. */
async function readAt(handle: FileHandle, into: Uint8Array, position: number, chunk: number): Promise<void> {
  for (let done = 0; done < into.length;) {
    const { bytesRead } = await handle.read(into, done, Math.min(chunk, into.length - done), position + done);
    if (bytesRead === 0)
      throw new SafetensorsError(`safetensors: the file ended at byte ${position + done} while being read (was it cut short meanwhile?)`);
    done += bytesRead;
  }
}
