/**
 * Prints, for every model the export tests use, the exported file's size and the largest |tapegrad - ONNX Runtime|
 * over seeded inputs of several batch sizes (the figures docs/onnx.md quotes). Run from the repository root:
 * `npx tsx --tsconfig tsconfig.spec.json packages/onnx/scripts/ort-differences.ts`.
 */
import * as ort from 'onnxruntime-node';
import { Generator, noGrad, randn } from '@tapegrad/core';
import { exportOnnx } from '@tapegrad/onnx';
import { CASES } from '../test/models.js';

const BATCHES = [1, 3, 64, 256];

for (const c of CASES) {
  const model = c.build().eval();
  const bytes = exportOnnx(model, { inputShape: c.inputShape });
  const session = await ort.InferenceSession.create(bytes);
  let worst = 0;
  for (const batch of BATCHES) {
    const input = randn([batch, ...c.sample], { generator: new Generator(100 + batch), dtype: 'float32' });
    const expected = noGrad(() => model.forward(input));
    const out = await session.run({ input: new ort.Tensor('float32', input.data as Float32Array, input.shape) });
    const got = out.output.data as Float32Array;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected.data[i]));
  }
  await session.release();
  console.log(`| ${c.name} | ${bytes.length.toLocaleString('en-US')} | ${worst.toExponential(1)} |`);
}
