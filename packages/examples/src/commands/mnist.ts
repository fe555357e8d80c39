/**
 * `tapegrad mnist`: trains the 784-256-128-10 ReLU MLP on the `mnist` package's digits (8,000 train / 2,000
 * test, float32), with a progress bar per epoch, and writes the checkpoint, curves, confusion matrix and a grid of
 * misclassified digits into --out.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { UsageError, numberFlag, parseFlags } from '../args.js';
import { MODEL_FILE, readCheckpointInfo, restoreCheckpoint, saveCheckpoint } from '../mnist/checkpoint.js';
import { type MnistSplit, MnistUnavailableError, loadMnist } from '../mnist/data.js';
import { ONNX_FILE, saveDeployable } from '../mnist/deploy.js';
import { confusionMatrix, confusionSvg, confusionText, curvesSvg, digitGrid, misclassified } from '../mnist/report.js';
import { type EpochRecord, type OptimizerName, type TrainConfig, createTrainer, predict, train } from '../mnist/train.js';

/** Defaults chosen so a run takes about two minutes on two idle cores and ends above 96% test accuracy. */
export const DEFAULTS = {
  epochs: 60,
  batch: 64,
  adamLr: 1e-3,
  sgdLr: 0.05,
  hidden: [256, 128],
  seed: 0,
  dropout: 0.2,
  shift: 1,
  out: 'out/mnist',
};

const FLAGS = {
  epochs: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  optimizer: { type: 'string' },
  hidden: { type: 'string' },
  seed: { type: 'string' },
  dropout: { type: 'string' },
  shift: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'boolean' },
  'train-limit': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const USAGE = `usage: tapegrad mnist [options]
  --epochs N        total epochs (default ${DEFAULTS.epochs})
  --batch N         batch size (default ${DEFAULTS.batch})
  --lr X            peak learning rate, cosine-annealed to 0 (default ${DEFAULTS.adamLr} for adam, ${DEFAULTS.sgdLr} for sgd)
  --optimizer NAME  adam | sgd (SGD with Nesterov momentum 0.9) (default adam)
  --hidden LIST     hidden layer sizes, e.g. 256,128 (default ${DEFAULTS.hidden.join(',')})
  --seed N          seed of the weights, shuffling, dropout and augmentation (default ${DEFAULTS.seed})
  --dropout P       dropout after each hidden layer (default ${DEFAULTS.dropout})
  --shift N         random translation of training digits in pixels (default ${DEFAULTS.shift})
  --out DIR         output folder (default ${DEFAULTS.out})
  --resume          continue from DIR/${MODEL_FILE} up to --epochs
  --train-limit N   train on only the first N training digits (quick runs)`;

function parseHidden(command: string, value: string | undefined): number[] {
  if (value === undefined) return DEFAULTS.hidden;
  const sizes = value.split(',').map((s) => s.trim());
  if (sizes.some((s) => !/^\d+$/.test(s) || Number(s) < 1 || Number(s) > 100_000)) {
    throw new UsageError(`${command}: --hidden must be a comma-separated list of positive layer sizes such as 256,128; got '${value}'`);
  }
  return sizes.map(Number);
}

/** Parses the training flags shared by `mnist` and `start`. */
export function parseTrainFlags(command: string, args: string[]) {
  const { values } = parseFlags(command, args, FLAGS);
  const optimizer = (values.optimizer ?? 'adam') as OptimizerName;
  if (optimizer !== 'adam' && optimizer !== 'sgd')
    throw new UsageError(`${command}: --optimizer must be 'adam' or 'sgd', got '${values.optimizer}'`);
  const config: TrainConfig = {
    epochs: numberFlag(command, 'epochs', values.epochs, DEFAULTS.epochs, { min: 1, max: 10_000, integer: true }),
    batchSize: numberFlag(command, 'batch', values.batch, DEFAULTS.batch, { min: 1, max: 8000, integer: true }),
    lr: numberFlag(command, 'lr', values.lr, optimizer === 'sgd' ? DEFAULTS.sgdLr : DEFAULTS.adamLr, { min: 1e-8, max: 10 }),
    optimizer,
    hidden: parseHidden(command, values.hidden),
    seed: numberFlag(command, 'seed', values.seed, DEFAULTS.seed, { min: 0, max: 2 ** 31 - 1, integer: true }),
    dropout: numberFlag(command, 'dropout', values.dropout, DEFAULTS.dropout, { min: 0, max: 0.95 }),
    shift: numberFlag(command, 'shift', values.shift, DEFAULTS.shift, { min: 0, max: 8, integer: true }),
  };
  const trainLimit =
    values['train-limit'] === undefined
      ? undefined
      : numberFlag(command, 'train-limit', values['train-limit'], 0, { min: 1, max: 8000, integer: true });
  return { config, out: values.out ?? DEFAULTS.out, resume: values.resume ?? false, trainLimit, help: values.help ?? false };
}

/** Loads the digits; a missing `mnist` package becomes a clear message, not a stack trace. */
export async function loadDigits(command: string, options: { trainLimit?: number } = {}): Promise<MnistSplit> {
  try {
    return await loadMnist(options);
  } catch (error) {
    if (error instanceof MnistUnavailableError) throw new UsageError(`${command}: ${error.message}`);
    throw error;
  }
}

export function pct(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

/** Runs the job with parsed flags. */
export async function runTraining(command: string, args: string[]): Promise<void> {
  const { config: flagConfig, out, resume, trainLimit, help } = parseTrainFlags(command, args);
  if (help) {
    console.log(USAGE.replace('tapegrad mnist', `tapegrad ${command}`));
    return;
  }
  let config = flagConfig;
  const data = await loadDigits(command, { trainLimit });
  let trainer = createTrainer(config);
  if (resume) {
    if (!existsSync(join(out, MODEL_FILE)))
      throw new UsageError(`${command}: --resume found no checkpoint at ${join(out, MODEL_FILE)}; train without --resume first`);
    const saved = (await readCheckpointInfo(join(out, MODEL_FILE))).config;
    // The architecture, seed and optimiser come from the checkpoint; --epochs may extend the run.
    config = { ...saved, epochs: flagConfig.epochs };
    trainer = createTrainer(config);
    const info = await restoreCheckpoint(out, trainer);
    console.log(`resuming from ${join(out, MODEL_FILE)} after epoch ${info.epochsDone} of ${config.epochs}`);
    if (info.epochsDone >= config.epochs)
      console.log(`nothing to do: the checkpoint already has ${info.epochsDone} epochs; pass a larger --epochs to continue`);
  }
  console.log(
    `MNIST MLP ${[784, ...config.hidden, 10].join('-')} ReLU, ${config.optimizer} lr ${config.lr} (cosine), batch ${config.batchSize}, ` +
      `dropout ${config.dropout}, shift ${config.shift}px, seed ${config.seed}, float32; ` +
      `${data.train.labels.size} train / ${data.test.labels.size} test digits`,
  );
  const started = performance.now();
  const interactive = process.stderr.isTTY === true;
  const bar = new cliProgress.SingleBar(
    {
      format: 'epoch {epoch} [{bar}] {value}/{total} | loss {loss} | acc {acc}',
      hideCursor: true,
      clearOnComplete: true,
      stopOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let epochLabel = '';
  train(trainer, config, data, {
    onEpochStart(epoch, steps) {
      epochLabel = `${epoch + 1}/${config.epochs}`;
      if (interactive) bar.start(steps, 0, { epoch: epochLabel, loss: '-', acc: '-' });
    },
    onStep(step, _steps, loss, acc) {
      if (interactive && (step % 5 === 0 || step === _steps)) bar.update(step, { epoch: epochLabel, loss: loss.toFixed(4), acc: pct(acc) });
    },
    onEpochEnd(r: EpochRecord) {
      if (interactive) bar.stop();
      console.log(
        `epoch ${String(r.epoch).padStart(3)}/${config.epochs}  loss ${r.loss.toFixed(4)}  train acc ${pct(r.trainAccuracy)}  test acc ${pct(r.testAccuracy)}  lr ${r.lr.toExponential(2)}  ${r.seconds.toFixed(1)}s`,
      );
    },
  });
  const seconds = (performance.now() - started) / 1000;
  await saveCheckpoint(out, trainer, config);
  await saveDeployable(out, trainer.model, config, trainer.epochsDone);
  const { classes } = predict(trainer.model, data.test.images);
  const truth = data.test.labels.data as Int32Array;
  const matrix = confusionMatrix(truth, classes);
  const wrong = misclassified(truth, classes, 40);
  const grid = digitGrid(data.test.images.data as Float32Array, wrong);
  await mkdir(out, { recursive: true });
  await Promise.all([
    writeFile(join(out, 'curves.svg'), curvesSvg(trainer.history)),
    writeFile(join(out, 'confusion.txt'), confusionText(matrix)),
    writeFile(join(out, 'confusion.svg'), confusionSvg(matrix)),
    writeFile(join(out, 'misclassified.png'), grid.png),
    writeFile(join(out, 'misclassified.svg'), grid.svg),
  ]);
  const hits = matrix.reduce((n, row, i) => n + row[i], 0);
  console.log(
    `wrote ${out}/{${MODEL_FILE},${ONNX_FILE},optimizer.safetensors,curves.svg,confusion.txt,confusion.svg,misclassified.png,misclassified.svg}`,
  );
  console.log(
    `test accuracy ${pct(hits / truth.length)} (${hits}/${truth.length}) after ${trainer.epochsDone} epochs; training took ${seconds.toFixed(1)}s`,
  );
}

export async function run(args: string[]): Promise<void> {
  await runTraining('mnist', args);
}
