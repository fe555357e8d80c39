/** @jest-environment ./packages/onnx/test/ort-environment.ts */
/** saveOnnx writes the exported model to a file ONNX Runtime loads, and leaves nothing behind when it fails. */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Generator, type Tensor } from '@tapegrad/core';
import { MLP, Module } from '@tapegrad/nn';
import { OnnxExportError, exportOnnx } from '@tapegrad/onnx';
import { saveOnnx } from '@tapegrad/onnx/node';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tapegrad-onnx-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('writes the same bytes exportOnnx returns, in a file ONNX Runtime opens by path', async () => {
  const model = new MLP([6, 5, 2], { dtype: 'float32', generator: new Generator(1) });
  const path = join(dir, 'model.onnx');
  const written = await saveOnnx(path, model, { inputShape: [null, 6] });
  const bytes = readFileSync(path);
  expect(written).toBe(bytes.length);
  expect(new Uint8Array(bytes)).toEqual(exportOnnx(model, { inputShape: [null, 6] }));
  const session = await ort.InferenceSession.create(path);
  expect(session.inputNames).toEqual(['input']);
  await session.release();
  expect(readdirSync(dir)).toEqual(['model.onnx']);
});

test('an export error leaves no file, and an existing model is kept', async () => {
  const path = join(dir, 'model.onnx');
  await saveOnnx(path, new MLP([2, 2]), { inputShape: [null, 2] });
  const before = readFileSync(path);
  class Opaque extends Module {
    forward(x: Tensor): Tensor {
      return x;
    }
  }
  await expect(saveOnnx(path, new Opaque(), { inputShape: [null, 2] })).rejects.toBeInstanceOf(OnnxExportError);
  expect(readFileSync(path)).toEqual(before);
  expect(readdirSync(dir)).toEqual(['model.onnx']);
});

test('a missing directory is the file system error, with no temporary file left', async () => {
  await expect(saveOnnx(join(dir, 'no', 'such', 'model.onnx'), new MLP([2, 2]), { inputShape: [null, 2] })).rejects.toThrow(/ENOENT/);
  expect(readdirSync(dir)).toEqual([]);
});
