/**
 * `tapegrad predict --model FILE`: classifies the held-out test digits with a saved model and prints the accuracy
 * and a few predictions (with the digit drawn in text).
 */
import { existsSync } from 'node:fs';
import { Generator } from '@tapegrad/core';
import { loadSafetensors } from '@tapegrad/nn/node';
import { UsageError, defineCommand, numberFlag, parseCommand } from '../args.js';
import { readUserFile } from '../checkpoint.js';
import { IMAGE_SIZE, PIXELS, loadDigits } from '../mnist/data.js';
import { DEFAULTS } from '../mnist/defaults.js';
import { buildCnn, describeCnn } from '../mnist/cnn.js';
import { buildModel, hiddenSizesOf } from '../mnist/model.js';
import { checkHidden } from '../mnist/settings.js';
import { predict } from '../mnist/train.js';
import { type Write, toConsole } from '../textbook/output.js';
import { pct } from './mnist.js';

const command = () =>
  defineCommand('predict')
    .option('--model <file>', `a model.safetensors written by 'tapegrad mnist' (default ${DEFAULTS.out}/model.safetensors)`)
    .option('--show <n>', 'how many test digits to print with their predictions (default 3)');

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

export async function run(args: string[], write: Write = toConsole): Promise<void> {
  const values = parseCommand<{ model?: string; show?: string }>(command(), args, write);
  if (values === null) return;
  const path = values.model ?? `${DEFAULTS.out}/model.safetensors`;
  const show = numberFlag('predict', 'show', values.show, 3, { min: 0, max: 2000, integer: true });
  if (!existsSync(path)) throw new UsageError(`predict: no model at '${path}'; train one with 'tapegrad mnist' or pass --model FILE`);
  const state = await readUserFile('predict', path, () => loadSafetensors(path));
  // The network's size comes from the file's weight shapes: held to --hidden's rules before anything is built, so a
  // small file cannot ask for a large network (a shape [500000000, 0] has no bytes).
  // A 4-D weight at layer 1 is the CNN of `mnist --model cnn` (fixed sizes; the state dict must fit them exactly).
  const cnn = state['1.weight']?.shape.length === 4;
  const hidden = cnn ? [] : checkHidden('predict', `the model '${path}'`, hiddenSizesOf(state));
  const options = { dropout: 0, init: new Generator(0), noise: new Generator(0) };
  const model = cnn ? buildCnn(options) : buildModel(hidden, options);
  await readUserFile('predict', path, () => model.loadStateDict(state));
  const { test } = await loadDigits('predict');
  const { classes, logits } = predict(model, test.images);
  const truth = test.labels.data as Int32Array;
  let hits = 0;
  for (let i = 0; i < truth.length; i++) if (classes[i] === truth[i]) hits++;
  write(`model ${path}: ${cnn ? describeCnn() : `MLP ${[PIXELS, ...hidden, 10].join('-')}`}`);
  write(`test accuracy ${pct(hits / truth.length)} (${hits}/${truth.length}) on the held-out split`);
  const images = test.images.data as Float32Array;
  for (let i = 0; i < show; i++) {
    const row = Array.from(logits.subarray(i * 10, i * 10 + 10));
    const max = Math.max(...row);
    const z = row.reduce((s, v) => s + Math.exp(v - max), 0);
    const confidence = Math.exp(row[classes[i]] - max) / z;
    write(
      `\ntest digit #${i}: predicted ${classes[i]} (p = ${confidence.toFixed(3)}), label ${truth[i]} ${classes[i] === truth[i] ? 'ok' : 'WRONG'}`,
    );
    write(asciiDigit(images, i));
  }
}
