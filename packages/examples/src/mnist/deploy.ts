/**
 * The main job's deployable model: `model.onnx` beside `model.safetensors`, the trained network as an ONNX graph
 * (float32, input `pixels` [batch, 784] in [0, 1], output `logits` [batch, 10]) for ONNX Runtime and other servers.
 */
import { join } from 'node:path';
import type { Module } from '@tapegrad/nn';
import { saveOnnx } from '@tapegrad/onnx/node';
import { PIXELS } from './data.js';
import { CLASSES } from './model.js';
import type { TrainConfig } from './train.js';

export const ONNX_FILE = 'model.onnx';

/** Writes `model` (in its inference form: dropout left out) to DIR/model.onnx; returns the file's size in bytes. */
export async function saveDeployable(dir: string, model: Module, config: TrainConfig, epochsDone: number): Promise<number> {
  return saveOnnx(join(dir, ONNX_FILE), model, {
    inputShape: [null, PIXELS],
    inputName: 'pixels',
    outputName: 'logits',
    graphName: `mnist-mlp-${[PIXELS, ...config.hidden, CLASSES].join('-')}`,
    docString: `tapegrad mnist: ${CLASSES} digit logits (softmax them for probabilities) from ${PIXELS} pixels in [0, 1], row by row`,
    metadata: { config: JSON.stringify(config), epochs_done: String(epochsDone) },
  });
}
