/** @jest-environment ./packages/onnx/test/ort-environment.ts */
/** The Train tab's model.onnx is the network being trained: ONNX Runtime classifies the data set as the page's model does. */
import * as ort from 'onnxruntime-node';
import { noGrad, tensor } from '@tapegrad/core';
import { parseTrainConfig } from '../src/train/config';
import { Trainer } from '../src/train/trainer';

test('toOnnx: ONNX Runtime gives the trained MLP logits within 1e-5 on every training point', async () => {
  const trainer = new Trainer(
    parseTrainConfig({ dataset: 'moons', seed: '4', hidden: '16, 8', activation: 'tanh', optimiser: 'adam', lr: '0.02' }),
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
