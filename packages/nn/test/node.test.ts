import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor } from '@tapegrad/core';
import { Linear, SafetensorsError } from '@tapegrad/nn';
import { loadSafetensors, loadSafetensorsMetadata, saveSafetensors } from '@tapegrad/nn/node';

describe('saveSafetensors / loadSafetensors', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tapegrad-st-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips a state dict and metadata, leaving no temporary file', async () => {
    const layer = new Linear(3, 2, { dtype: 'float32' });
    const path = join(dir, 'model.safetensors');
    await saveSafetensors(path, layer.stateDict(), { epoch: '4' });
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
    const loaded = await loadSafetensors(path);
    expect(Array.from(loaded.weight.data)).toEqual(Array.from(layer.weight.data));
    expect(await loadSafetensorsMetadata(path)).toEqual({ epoch: '4' });
  });

  it('replaces an existing file whole', async () => {
    const path = join(dir, 'm.safetensors');
    writeFileSync(path, 'old contents');
    await saveSafetensors(path, { x: tensor([1, 2, 3]) });
    expect((await loadSafetensors(path)).x.toArray()).toEqual([1, 2, 3]);
    expect(readdirSync(dir)).toEqual(['m.safetensors']);
  });

  it('fails cleanly when the directory does not exist, creating nothing', async () => {
    await expect(saveSafetensors(join(dir, 'missing', 'm.safetensors'), { x: tensor([1]) })).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reports a truncated file as a SafetensorsError', async () => {
    const path = join(dir, 'cut.safetensors');
    await saveSafetensors(path, { x: tensor([1, 2, 3]) });
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 5));
    await expect(loadSafetensors(path)).rejects.toThrow(SafetensorsError);
  });
});
