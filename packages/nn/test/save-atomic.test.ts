// saveSafetensors as a replacement of a file: racing saves, saves killed halfway, the mode and owner of the file
// it replaces, symbolic links, and errors that name the caller's path.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor } from '@tapegrad/core';
import { decodeSafetensors } from '@tapegrad/nn';
import { loadSafetensors, loadSafetensorsMetadata, saveSafetensors } from '@tapegrad/nn/node';
import { spawnSource } from './run-source';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tapegrad-save-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A checkpoint whose every value is `v`: a mix of two of them shows as two different values. */
const filled = (v: number) => ({
  a: tensor(new Float32Array(300).fill(v)),
  b: tensor(new Float64Array(200).fill(v)),
  c: tensor(new Float32Array(500).fill(v)),
});

/** A pid no process has: one of a child that has exited. */
function deadPid(): number {
  return Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
}

describe('racing saves', () => {
  it('200 pairs of saves to one path started together each end with one whole checkpoint, never a mix', async () => {
    const path = join(dir, 'model.safetensors');
    for (let pair = 0; pair < 200; pair++) {
      await Promise.all([
        saveSafetensors(path, filled(2 * pair), { v: String(2 * pair) }),
        saveSafetensors(path, filled(2 * pair + 1), { v: String(2 * pair + 1) }),
      ]);
      const loaded = decodeSafetensors(readFileSync(path));
      const values = new Set([...loaded.a.data, ...loaded.b.data, ...loaded.c.data]);
      expect(values.size).toBe(1);
      const [v] = values;
      expect([2 * pair, 2 * pair + 1]).toContain(v);
      expect(await loadSafetensorsMetadata(path)).toEqual({ v: String(v) });
    }
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });
});

describe('saves that were killed', () => {
  it('leave the last whole checkpoint under the real name, and the next save removes their temporary files', async () => {
    const path = join(dir, 'model.safetensors');
    for (let round = 0; round < 3; round++) {
      const child = spawnSource(join(__dirname, 'fixtures', 'save-forever.ts'), [path]);
      // Killed at a different point of a save each round: after the first, second and third whole save.
      await new Promise<void>((resolve) => {
        let saves = 0;
        child.stdout!.on('data', (chunk: Buffer) => {
          saves += chunk.toString().split('\n').length - 1;
          if (saves > round) setTimeout(() => child.kill('SIGKILL'), 3 * round);
        });
        child.on('exit', () => resolve());
      });
      const loaded = await loadSafetensors(path);
      expect(new Set(loaded.w.data).size).toBe(1);
      expect(Number((await loadSafetensorsMetadata(path)).round)).toBe(loaded.w.data[0]);
    }
    // Whatever the kills left, a fake leftover of a dead process certainly is there too.
    const dead = deadPid();
    writeFileSync(join(dir, `.model.safetensors.tapegrad-tmp-${dead}-0123456789abcdef`), 'partial');
    await saveSafetensors(path, filled(7));
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it("removes only this file's temporary files whose process is gone, in both the current and the earlier naming", async () => {
    const dead = deadPid();
    const leftovers = [`.m.safetensors.tapegrad-tmp-${dead}-00112233445566ff`, `.m.safetensors.${dead}.lx2k9.tmp`];
    const kept = [
      '.m.safetensors.tapegrad-tmp-1-00112233445566ff', // pid 1 is alive: possibly a save in progress
      `.other.safetensors.tapegrad-tmp-${dead}-00112233445566ff`, // another file's
      `.m.safetensors.tapegrad-tmp-${dead}-notahexnumber000`,
      'notes.txt',
    ];
    for (const name of [...leftovers, ...kept]) writeFileSync(join(dir, name), 'x');
    await saveSafetensors(join(dir, 'm.safetensors'), filled(1));
    expect(readdirSync(dir).sort()).toEqual([...kept, 'm.safetensors'].sort());
  });
});

describe('what the saved file is', () => {
  it.each([0o600, 0o640, 0o444])('keeps the mode %o of the file it replaces', async (mode) => {
    const path = join(dir, 'm.safetensors');
    await saveSafetensors(path, filled(1));
    chmodSync(path, mode);
    await saveSafetensors(path, filled(2));
    expect(statSync(path).mode & 0o777).toBe(mode);
    expect((await loadSafetensors(path)).a.data[0]).toBe(2);
  });

  it('gives a new file the mode any new file gets here (0666 less the umask)', async () => {
    writeFileSync(join(dir, 'reference'), '');
    await saveSafetensors(join(dir, 'm.safetensors'), filled(1));
    expect(statSync(join(dir, 'm.safetensors')).mode & 0o777).toBe(statSync(join(dir, 'reference')).mode & 0o777);
  });

  it('writes through a symbolic link: the link stays and its target gets the new checkpoint, mode kept', async () => {
    mkdirSync(join(dir, 'store'));
    const real = join(dir, 'store', 'real.safetensors');
    await saveSafetensors(real, filled(1));
    chmodSync(real, 0o600);
    const link = join(dir, 'latest.safetensors');
    symlinkSync(join('store', 'real.safetensors'), link);
    await saveSafetensors(link, filled(2));
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(join('store', 'real.safetensors'));
    expect((await loadSafetensors(real)).a.data[0]).toBe(2);
    expect(statSync(real).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['latest.safetensors', 'store']);
    expect(readdirSync(join(dir, 'store'))).toEqual(['real.safetensors']);
  });

  it('refuses a symbolic link to nothing, naming it, and creates nothing', async () => {
    const link = join(dir, 'dangling.safetensors');
    symlinkSync(join(dir, 'missing', 'x.safetensors'), link);
    await expect(saveSafetensors(link, filled(1))).rejects.toMatchObject({
      code: 'ENOENT',
      message: `saveSafetensors: '${link}' is a symbolic link to nothing; refusing to create its target`,
    });
    expect(readdirSync(dir)).toEqual(['dangling.safetensors']);
  });

  it('refuses a directory in place of the file', async () => {
    mkdirSync(join(dir, 'm.safetensors'));
    await expect(saveSafetensors(join(dir, 'm.safetensors'), filled(1))).rejects.toMatchObject({
      code: 'EISDIR',
      message: expect.stringContaining(`'${join(dir, 'm.safetensors')}' exists and is not a regular file`),
    });
  });
});

describe('errors', () => {
  it("name the caller's path, not the temporary file, and keep the system error's code", async () => {
    const path = join(dir, 'missing', 'm.safetensors');
    let error: NodeJS.ErrnoException | undefined;
    await saveSafetensors(path, filled(1)).catch((e: unknown) => (error = e as NodeJS.ErrnoException));
    expect(error?.message).toBe(`saveSafetensors: cannot write '${path}': ENOENT: no such file or directory`);
    expect(error?.code).toBe('ENOENT');
    expect(error?.path).toBe(path);
    expect(error?.message).not.toContain('tapegrad-tmp');
    expect(readdirSync(dir)).toEqual([]);
  });
});
