/**
 * `tapegrad predict --model FILE`: classifies the held-out test digits with a saved model and prints the accuracy
 * and a few predictions (with the digit drawn in text).
 */
import { existsSync } from 'node:fs';
import { Generator } from '@tapegrad/core';
import { SafetensorsError, StateDictError } from '@tapegrad/nn';
import { loadSafetensors } from '@tapegrad/nn/node';
import { UsageError, numberFlag, parseFlags } from '../args.js';
import { IMAGE_SIZE, PIXELS, loadDigits } from '../mnist/data.js';
import { DEFAULTS } from '../mnist/defaults.js';
import { buildModel, hiddenSizesOf } from '../mnist/model.js';
import { predict } from '../mnist/train.js';
import { pct } from './mnist.js';

const USAGE = `usage: tapegrad predict [--model FILE] [--show N]
  --model FILE  a model.safetensors written by 'tapegrad mnist' (default ${DEFAULTS.out}/model.safetensors)
  --show N      how many test digits to print with their predictions (default 3)`;

/** A digit as text, two characters per pixel. */
function asciiDigit(images: Float32Array, index: number): string {
  const shades = ' .:-=+*#%@';
  const lines: string[] = [];
  for (let y = 0; y < IMAGE_SIZE; y += 2) {
    let line = '';
    for (let x = 0; x < IMAGE_SIZE; x++) {
      const v = Math.max(images[index * PIXELS + y * IMAGE_SIZE + x], images[index * PIXELS + (y + 1) * IMAGE_SIZE + x]);
      line += shades[Math.min(9, Math.floor(v * 10))];
    }
    lines.push(`    ${line}`);
  }
  return lines.join('\n');
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseFlags('predict', args, {
    model: { type: 'string' },
    show: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const path = values.model ?? `${DEFAULTS.out}/model.safetensors`;
  const show = numberFlag('predict', 'show', values.show, 3, { min: 0, max: 2000, integer: true });
  if (!existsSync(path)) throw new UsageError(`predict: no model at '${path}'; train one with 'tapegrad mnist' or pass --model FILE`);
  let state;
  try {
    state = await loadSafetensors(path);
  } catch (error) {
    if (error instanceof SafetensorsError) throw new UsageError(`predict: '${path}' is not a valid safetensors file: ${error.message}`);
    throw error;
  }
  const hidden = hiddenSizesOf(state);
  const model = buildModel(hidden, { dropout: 0, init: new Generator(0), noise: new Generator(0) });
  try {
    model.loadStateDict(state);
  } catch (error) {
    if (error instanceof StateDictError)
      throw new UsageError(`predict: '${path}' does not hold an MNIST MLP of this program: ${error.message}`);
    throw error;
  }
  const { test } = await loadDigits('predict');
  const { classes, logits } = predict(model, test.images);
  const truth = test.labels.data as Int32Array;
  let hits = 0;
  for (let i = 0; i < truth.length; i++) if (classes[i] === truth[i]) hits++;
  console.log(`model ${path}: MLP ${[PIXELS, ...hidden, 10].join('-')}`);
  console.log(`test accuracy ${pct(hits / truth.length)} (${hits}/${truth.length}) on the held-out split`);
  const images = test.images.data as Float32Array;
  for (let i = 0; i < show; i++) {
    const row = Array.from(logits.subarray(i * 10, i * 10 + 10));
    const max = Math.max(...row);
    const z = row.reduce((s, v) => s + Math.exp(v - max), 0);
    const confidence = Math.exp(row[classes[i]] - max) / z;
    console.log(
      `\ntest digit #${i}: predicted ${classes[i]} (p = ${confidence.toFixed(3)}), label ${truth[i]} ${classes[i] === truth[i] ? 'ok' : 'WRONG'}`,
    );
    console.log(asciiDigit(images, i));
  }
}
