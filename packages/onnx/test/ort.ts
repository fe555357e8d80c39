/**
 * Test helpers: run an exported model in ONNX Runtime (onnxruntime-node, its CPU library) and compare with what
 * tapegrad computes on the same input.
 */
import * as ort from 'onnxruntime-node';
import { Generator, type Tensor, noGrad, randn } from '@tapegrad/core';
import type { Module } from '@tapegrad/nn';

/** ONNX Runtime's output for one float32 input, with its default (full) graph optimisations; loading the session is ONNX Runtime's own validation of the graph. */
export async function runOrt(bytes: Uint8Array, input: Tensor, names = { input: 'input', output: 'output' }): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const feed = { [names.input]: new ort.Tensor('float32', Float32Array.from(input.data), input.shape) };
    const result = await session.run(feed);
    return result[names.output];
  } finally {
    await session.release();
  }
}

/** Seeded standard-normal input of `shape`, float32 (the precision the model runs at in ONNX Runtime). */
export function seededInput(shape: readonly number[], seed: number): Tensor {
  return randn(shape, { generator: new Generator(seed), dtype: 'float32' });
}

/** The largest |tapegrad - onnxruntime| over the outputs for `input`, with the module in eval mode; checks shapes match. */
export async function maxAbsDifference(module: Module, bytes: Uint8Array, input: Tensor): Promise<number> {
  const expected = noGrad(() => module.eval().forward(input));
  const actual = await runOrt(bytes, input);
  expect([...actual.dims]).toEqual(expected.shape);
  const got = actual.data as Float32Array;
  let max = 0;
  for (let i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i] - expected.data[i]));
  if (got.some((v) => Number.isNaN(v))) return Number.NaN;
  return max;
}
