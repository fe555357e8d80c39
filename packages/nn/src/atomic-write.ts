/**
 * Replacing a file atomically (Node only): the bytes go to a temporary file beside the target, which is flushed
 * (fsync), given the target's mode, and renamed over it; the directory is then flushed so the rename survives a
 * crash. Readers see the old file or the new one, never part of one.
 *
 * - Temporary names are `.<name>.tapegrad-tmp-<pid>-<16 random hex digits>`: unique, so saves racing to one path
 *   (in one process or many) each write their own file and the last rename wins, whole.
 * - A save killed before its rename leaves its temporary file behind. Each save of `<name>` removes the ones whose
 *   process is gone (no process has that pid on this machine); a live pid's file may be a save in progress, and
 *   stays. Temporary files of the earlier `.<name>.<pid>.<time>.tmp` form are cleaned the same way.
 * - The target's permission bits are kept (a 0600 file stays 0600; the temporary file is 0600 until then), and
 *   its owner when the process may set it. A new file gets the usual 0666 less the umask.
 * - A symbolic link is written through: its target is replaced and the link stays, as editors do. A link to
 *   nothing, a directory or a special file is refused.
 * - Errors name the path the caller gave, never the temporary file, and keep the system error's `code`.
 */
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { type FileHandle, lstat, open, readdir, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { types } from 'node:util';

const MARK = '.tapegrad-tmp-';

/** A fresh temporary name for `target` (a full path), in its directory. */
export function temporaryPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}${MARK}${process.pid}-${randomBytes(8).toString('hex')}`);
}

/** The pid in the name of a temporary file of `name`, or null when `entry` is not one. */
export function temporaryPid(entry: string, name: string): number | null {
  const prefix = `.${name}`;
  if (!entry.startsWith(prefix)) return null;
  const rest = entry.slice(prefix.length);
  const match = /^\.tapegrad-tmp-(\d+)-[0-9a-f]{16}$/.exec(rest) ?? /^\.(\d+)\.[0-9a-z]+\.tmp$/.exec(rest);
  return match === null ? null : Number(match[1]);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the temporary files of `target` left by saves whose process has died. */
export async function removeStaleTemporaries(target: string): Promise<void> {
  const name = basename(target);
  const entries = await readdir(dirname(target)).catch(() => [] as string[]);
  for (const entry of entries) {
    const pid = temporaryPid(entry, name);
    if (pid !== null && pid !== process.pid && !isAlive(pid)) await unlink(join(dirname(target), entry)).catch(() => undefined);
  }
}

/** An Error that names `path` (the caller's) and keeps the system error's code, with the original as its cause. */
export function errorNaming(error: unknown, operation: string, path: string, action: string): unknown {
  // isNativeError too: Node's own errors come from another realm than a sandbox's (a vm context, Jest) Error.
  if (!(error instanceof Error) && !types.isNativeError(error)) return error;
  const system = error as NodeJS.ErrnoException;
  // Node's message is "CODE: description, syscall 'path'"; the path in it may be the temporary file's.
  const reason = system.code !== undefined ? system.message.split(', ')[0] : system.message;
  const named = new Error(`${operation}: cannot ${action} '${path}': ${reason}`, { cause: error }) as NodeJS.ErrnoException;
  if (system.code !== undefined) named.code = system.code;
  if (system.errno !== undefined) named.errno = system.errno;
  if (system.syscall !== undefined) named.syscall = system.syscall;
  named.path = path;
  return named;
}

/** Where a write to `path` lands (through symbolic links) and what is there now (null: nothing). */
async function resolveTarget(path: string, operation: string): Promise<{ target: string; existing: Stats | null }> {
  const link = await lstat(path).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  });
  if (link === null) return { target: path, existing: null };
  let target = path;
  if (link.isSymbolicLink()) {
    try {
      target = await realpath(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw Object.assign(new Error(`${operation}: '${path}' is a symbolic link to nothing; refusing to create its target`), {
          code: 'ENOENT',
          path,
        });
      throw error;
    }
  }
  const existing = target === path ? link : await stat(target);
  if (!existing.isFile())
    throw Object.assign(new Error(`${operation}: '${path}' exists and is not a regular file`), {
      code: existing.isDirectory() ? 'EISDIR' : 'EEXIST',
      path,
    });
  return { target, existing };
}

/**
 * Replaces the file at `path` with `bytes` atomically, as saveSafetensors does: a temporary file beside it, flushed
 * and renamed over it, so readers see the old file or the new one; racing writes each end whole; temporary files of
 * killed writes are cleaned; the replaced file's mode is kept; a symbolic link is written through. Errors name
 * `path` (after `operation`, the caller's name) and keep the system error's `code`. Exported from
 * `@tapegrad/nn/node` for the other packages' savers (`saveOnnx`).
 * @example await writeFileAtomic('out/model.onnx', bytes, 'saveOnnx');
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, operation: string): Promise<void> {
  let handle: FileHandle | null = null;
  let temp: string | null = null;
  try {
    const { target, existing } = await resolveTarget(path, operation);
    await removeStaleTemporaries(target);
    temp = temporaryPathFor(target);
    handle = await open(temp, 'wx', existing === null ? 0o666 : 0o600);
    await handle.writeFile(bytes);
    if (existing !== null) {
      await handle.chmod(existing.mode & 0o7777);
      // Keep the owner where we may (root, or our own file); elsewhere the new file is ours, as with any editor.
      if (existing.uid !== process.getuid?.() || existing.gid !== process.getgid?.())
        await handle.chown(existing.uid, existing.gid).catch(() => undefined);
    }
    await handle.sync();
    await handle.close();
    handle = null;
    await rename(temp, target);
    temp = null;
    // Make the rename itself durable; some platforms cannot open a directory, which is harmless to skip.
    const dir = await open(dirname(target), 'r').catch(() => null);
    if (dir !== null) {
      await dir.sync().catch(() => undefined);
      await dir.close();
    }
  } catch (error) {
    await handle?.close().catch(() => undefined);
    if (temp !== null) await unlink(temp).catch(() => undefined);
    throw (error as Error | null)?.message?.startsWith?.(`${operation}: `) ? error : errorNaming(error, operation, path, 'write');
  }
}
