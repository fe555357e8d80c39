/** @jest-environment ./packages/onnx/test/ort-environment.ts */
/** The Train tab's model.onnx is the network being trained: ONNX Runtime classifies the data set as the page's model does. */
import * as ort from 'onnxruntime-node';
import { noGrad, tensor } from '@tapegrad/core';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseTrainConfig } from '../src/train/config';
import { DigitTrainer } from '../src/train/digit-trainer';
import { packDigits, unpackDigits } from '../src/train/digits';
import { Trainer } from '../src/train/trainer';

test('toOnnx: ONNX Runtime gives the trained MLP logits within 1e-5 on every training point', async () => {
  const trainer = new Trainer(
    parseTrainConfig({ model: 'mlp', dataset: 'moons', seed: '4', hidden: '16, 8', activation: 'tanh', optimiser: 'adam', lr: '0.02' }),
  );
  for (let i = 0; i < 50; i++) trainer.step();
  const session = await ort.InferenceSession.create(trainer.toOnnx());
  expect([session.inputNames, session.outputNames]).toEqual([['point'], ['logits']]);
  const n = trainer.data.count;
  const { logits } = await session.run({ point: new ort.Tensor('float32', Float32Array.from(trainer.data.x), [n, 2]) });
  await session.release();
  const expected = noGrad(() => trainer.model.forward(tensor(trainer.data.x, { shape: [n, 2] }))).data;
  const got = logits.data as Float32Array;
  expect([...logits.dims]).toEqual([n, trainer.data.classes]);
  expect(Math.max(...Array.from(got, (v, i) => Math.abs(v - expected[i])))).toBeLessThanOrEqual(1e-5);
});

test('toOnnx of the digits CNN: ONNX Runtime gives its logits within 1e-4 on every held-out digit', async () => {
  const folder = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const raw = Array.from(
    { length: 10 },
    (_, c) => (JSON.parse(readFileSync(join(folder, `${c}.json`), 'utf8')) as { data: number[] }).data,
  );
  const digits = unpackDigits(packDigits(raw, 10, 5));
  const trainer = new DigitTrainer(
    parseTrainConfig({ model: 'cnn', dataset: 'digits', seed: '2', hidden: '', activation: 'relu', optimiser: 'adam', lr: '0.003' }),
    digits,
  );
  for (let i = 0; i < 5; i++) trainer.step();
  const session = await ort.InferenceSession.create(trainer.toOnnx());
  expect([session.inputNames, session.outputNames]).toEqual([['image'], ['logits']]);
  const n = digits.test.count;
  const { logits } = await session.run({ image: new ort.Tensor('float32', digits.test.images, [n, 784]) });
  await session.release();
  const expected = noGrad(() => trainer.model.forward(tensor(digits.test.images, { shape: [n, 784] }))).data;
  const got = logits.data as Float32Array;
  expect([...logits.dims]).toEqual([n, 10]);
  expect(Math.max(...Array.from(got, (v, i) => Math.abs(v - expected[i])))).toBeLessThanOrEqual(1e-4);
});
