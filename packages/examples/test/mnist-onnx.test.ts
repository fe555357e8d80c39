/** @jest-environment ./packages/onnx/test/ort-environment.ts */
/**
 * The main job's model.onnx: ONNX Runtime, given the test digits, gives tapegrad's logits (within 1e-5) and so its
 * predictions, for a network trained briefly on a subset.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadMnist, PIXELS } from '../src/mnist/data';
import { ONNX_FILE, saveDeployable } from '../src/mnist/deploy';
import { type TrainConfig, createTrainer, predict, train } from '../src/mnist/train';

const config: TrainConfig = { epochs: 1, batchSize: 32, lr: 2e-3, optimizer: 'adam', hidden: [32, 16], seed: 3, dropout: 0.2, shift: 1 };

test('model.onnx computes the trained network: the same logits and predictions on 500 test digits', async () => {
  const data = await loadMnist({ trainLimit: 600, testLimit: 500 });
  const trainer = createTrainer(config);
  train(trainer, config, data);
  const dir = mkdtempSync(join(tmpdir(), 'tapegrad-mnist-onnx-'));
  try {
    const size = await saveDeployable(dir, trainer.model, config, trainer.epochsDone);
    const bytes = readFileSync(join(dir, ONNX_FILE));
    expect(bytes.length).toBe(size);
    const session = await ort.InferenceSession.create(bytes);
    expect([session.inputNames, session.outputNames]).toEqual([['pixels'], ['logits']]);
    const images = data.test.images;
    const { logits } = await session.run({ pixels: new ort.Tensor('float32', images.data as Float32Array, [500, PIXELS]) });
    await session.release();
    const expected = predict(trainer.model, images);
    const got = logits.data as Float32Array;
    expect([...logits.dims]).toEqual([500, 10]);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected.logits[i]));
    expect(worst).toBeLessThanOrEqual(1e-5);
    const classes = Array.from({ length: 500 }, (_, r) => {
      const row = Array.from(got.subarray(r * 10, r * 10 + 10));
      return row.indexOf(Math.max(...row));
    });
    expect(classes).toEqual(Array.from(expected.classes));
    // the model was in training mode; exporting left it there, and the file still has no dropout in it
    expect(trainer.model.training).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
