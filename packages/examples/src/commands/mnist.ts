/**
 * `tapegrad mnist`: trains the 784-256-128-10 ReLU MLP on the `mnist` package's digits (8,000 train / 2,000
 * test, float32), with a progress bar per epoch, and writes the checkpoint, curves, confusion matrix and a grid of
 * misclassified digits into --out.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { disableThreads, enableThreads } from '@tapegrad/threads';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { UsageError, checkOutputDir, defineCommand, numberFlag, parseCommand } from '../args.js';
import type { CommandName } from '../command-list.js';
import { MODEL_FILE, OPTIMIZER_FILE } from '../checkpoint.js';
import { MNIST_CHECKPOINT } from '../mnist/checkpoint.js';
import { loadDigits } from '../mnist/data.js';
import { DEFAULTS } from '../mnist/defaults.js';
import { ONNX_FILE, saveDeployable } from '../mnist/deploy.js';
import { confusionMatrix, confusionSvg, confusionText, curvesSvg, digitGrid, misclassified } from '../mnist/report.js';
import { CNN_DEFAULTS, describeCnn } from '../mnist/cnn.js';
import { LAYER_RULE, MODELS, OPTIMIZERS, RULES, checkHidden } from '../mnist/settings.js';
import {
  type EpochRecord,
  type ModelKind,
  type OptimizerName,
  type TrainConfig,
  type Trainer,
  createTrainer,
  predict,
  train,
} from '../mnist/train.js';

/** The training command's options (`mnist`, and `start`, which is the same job). */
function command(name: CommandName): Command {
  return defineCommand(name)
    .option(
      '--model <kind>',
      `mlp | cnn (a LeNet-style CNN with its own defaults: ${CNN_DEFAULTS.epochs} epochs, out ${CNN_DEFAULTS.out}) (default mlp)`,
    )
    .option('--epochs <n>', `total epochs (default ${DEFAULTS.epochs})`)
    .option('--batch <n>', `batch size (default ${DEFAULTS.batch})`)
    .option(
      '--lr <x>',
      `peak learning rate, cosine-annealed to 0 (one-cycle for the cnn; default ${DEFAULTS.adamLr} for adam, ${DEFAULTS.sgdLr} for sgd, cnn ${CNN_DEFAULTS.adamLr} for adam)`,
    )
    .option('--optimizer <name>', 'adam | sgd (SGD with Nesterov momentum 0.9) (default adam)')
    .option('--hidden <list>', `hidden layer sizes, e.g. 256,128 (default ${DEFAULTS.hidden.join(',')})`)
    .option('--seed <n>', `seed of the weights, shuffling, dropout and augmentation (default ${DEFAULTS.seed})`)
    .option('--dropout <p>', `dropout after each hidden layer (default ${DEFAULTS.dropout})`)
    .option('--shift <n>', `random translation of training digits in pixels (default ${DEFAULTS.shift})`)
    .option('--out <dir>', `output folder (default ${DEFAULTS.out})`)
    .option('--resume', `continue from DIR/${MODEL_FILE} up to --epochs (the rest of its settings come from the checkpoint)`)
    .option('--train-limit <n>', 'train on only the first N training digits (quick runs)')
    .option(
      '--threads <n>',
      'threads sharing the matrix products, the same numbers for any count (default: one per core for the cnn, 1 for the mlp)',
    );
}

type TrainFlags = {
  model?: string;
  epochs?: string;
  batch?: string;
  lr?: string;
  optimizer?: string;
  hidden?: string;
  seed?: string;
  dropout?: string;
  shift?: string;
  out?: string;
  resume?: boolean;
  trainLimit?: string;
  threads?: string;
};

function parseHidden(command: string, value: string | undefined): number[] {
  if (value === undefined) return DEFAULTS.hidden;
  const sizes = value.split(',').map((s) => s.trim());
  if (sizes.some((s) => !/^\d+$/.test(s) || Number(s) < (LAYER_RULE.min ?? 1)))
    throw new UsageError(`${command}: --hidden must be a comma-separated list of positive layer sizes such as 256,128; got '${value}'`);
  return checkHidden(command, '--hidden', sizes.map(Number));
}

/** What the training flags ask for; null when --help was asked for (and shown through `write`). */
export interface TrainRequest {
  readonly config: TrainConfig;
  readonly out: string;
  readonly resume: boolean;
  readonly trainLimit: number | undefined;
  /**
   * Threads for the matrix products (@tapegrad/threads); 0 for one per core; undefined when --threads was not
   * given: the model's default, decided by {@link threadCount} once a --resume checkpoint has said which model it is.
   */
  readonly threads: number | undefined;
}

/** Parses the training flags shared by `mnist` and `start`: every value checked, nothing loaded or allocated. */
export function parseTrainFlags(name: CommandName, args: string[], write?: (line: string) => void): TrainRequest | null {
  const values = parseCommand<TrainFlags>(command(name), args, write);
  if (values === null) return null;
  const model = (values.model ?? 'mlp') as ModelKind;
  if (!MODELS.includes(model)) throw new UsageError(`${name}: --model must be 'mlp' or 'cnn', got '${values.model}'`);
  if (model === 'cnn' && values.hidden !== undefined) throw new UsageError(`${name}: --hidden sets the MLP's layers; the cnn's are fixed`);
  const defaults = model === 'cnn' ? { ...DEFAULTS, ...CNN_DEFAULTS } : DEFAULTS;
  const optimizer = (values.optimizer ?? 'adam') as OptimizerName;
  if (!OPTIMIZERS.includes(optimizer)) throw new UsageError(`${name}: --optimizer must be 'adam' or 'sgd', got '${values.optimizer}'`);
  const config: TrainConfig = {
    epochs: numberFlag(name, 'epochs', values.epochs, defaults.epochs, RULES.epochs),
    batchSize: numberFlag(name, 'batch', values.batch, defaults.batch, RULES.batchSize),
    lr: numberFlag(name, 'lr', values.lr, optimizer === 'sgd' ? defaults.sgdLr : defaults.adamLr, RULES.lr),
    optimizer,
    hidden: model === 'cnn' ? [] : parseHidden(name, values.hidden),
    ...(model === 'cnn' && { model }),
    seed: numberFlag(name, 'seed', values.seed, defaults.seed, RULES.seed),
    dropout: numberFlag(name, 'dropout', values.dropout, defaults.dropout, RULES.dropout),
    shift: numberFlag(name, 'shift', values.shift, defaults.shift, RULES.shift),
  };
  const trainLimit =
    values.trainLimit === undefined
      ? undefined
      : numberFlag(name, 'train-limit', values.trainLimit, 0, { min: 1, max: 8000, integer: true });
  const threads =
    values.threads === undefined ? undefined : numberFlag(name, 'threads', values.threads, 1, { min: 1, max: 256, integer: true });
  return { config, out: values.out ?? defaults.out, resume: values.resume ?? false, trainLimit, threads };
}

export function pct(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

/** The trainer a run starts from: a fresh one, or (with --resume) the checkpoint's, its settings checked first. */
async function startingPoint(name: CommandName, request: TrainRequest): Promise<{ config: TrainConfig; trainer: Trainer }> {
  if (!request.resume) return { config: request.config, trainer: createTrainer(request.config) };
  const path = join(request.out, MODEL_FILE);
  if (!existsSync(path)) throw new UsageError(`${name}: --resume found no checkpoint at ${path}; train without --resume first`);
  // The architecture, seed and optimiser come from the checkpoint, held to the flags' rules; --epochs may extend the run.
  const saved = await MNIST_CHECKPOINT.readInfo(name, path);
  const config = { ...saved.config, epochs: request.config.epochs };
  const trainer = createTrainer(config);
  await MNIST_CHECKPOINT.restore(name, request.out, trainer, saved);
  console.log(`resuming from ${path} after epoch ${saved.epochsDone} of ${config.epochs}`);
  if (saved.epochsDone >= config.epochs)
    console.log(`nothing to do: the checkpoint already has ${saved.epochsDone} epochs; pass a larger --epochs to continue`);
  return { config, trainer };
}

/**
 * The threads a run uses: --threads when given, else one per core (0) for the cnn and 1 for the mlp — of the model
 * actually trained, which with --resume is the checkpoint's, not the --model flag's.
 */
export function threadCount(request: TrainRequest, config: TrainConfig): number {
  return request.threads ?? (config.model === 'cnn' ? 0 : 1);
}

/**
 * Starts @tapegrad/threads' helpers for the matrix products (`count` 0: one thread per core) and returns how many
 * threads share them; when helpers cannot start, the job says why and trains on one thread (the same numbers: a
 * product shared between threads gives the single thread's bits).
 */
async function startThreads(count: number): Promise<number> {
  if (count === 1) return 1;
  try {
    return await enableThreads(count === 0 ? {} : { threads: count });
  } catch (error) {
    console.log(`training on one thread: helper threads did not start (${(error as Error).message})`);
    return 1;
  }
}

/** Runs the job with parsed flags. */
export async function runTraining(name: CommandName, args: string[]): Promise<void> {
  const request = parseTrainFlags(name, args);
  if (request === null) return;
  // Every path is checked and the starting point read (a checkpoint's settings held to the flags' rules) before
  // helper threads start or the digits are loaded.
  checkOutputDir(name, '--out', request.out);
  const start = await startingPoint(name, request);
  const threads = await startThreads(threadCount(request, start.config));
  try {
    await trainAndReport(name, request, start, threads);
  } finally {
    if (threads > 1) await disableThreads();
  }
}

/** The job once its starting point is read and its threads are up: train, then write the checkpoint and the reports. */
async function trainAndReport(
  name: CommandName,
  request: TrainRequest,
  { config, trainer }: { config: TrainConfig; trainer: Trainer },
  threads: number,
): Promise<void> {
  const { out, trainLimit } = request;
  const data = await loadDigits(name, { trainLimit });
  const network = config.model === 'cnn' ? describeCnn() : `MLP ${[784, ...config.hidden, 10].join('-')} ReLU`;
  console.log(
    `MNIST ${network}, ${config.optimizer} lr ${config.lr} (${config.model === 'cnn' ? 'one-cycle' : 'cosine'}), batch ${config.batchSize}, ` +
      `dropout ${config.dropout}, shift ${config.shift}px, seed ${config.seed}, float32, ${threads} thread${threads === 1 ? '' : 's'}; ` +
      `${data.train.labels.size} train / ${data.test.labels.size} test digits`,
  );
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
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
  // CPU time beside wall time: on a shared machine the wall time says more about the other jobs than about this one.
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  await MNIST_CHECKPOINT.save(out, trainer, config);
  await saveDeployable(out, trainer.model, config, trainer.epochsDone);
  const { classes } = predict(trainer.model, data.test.images);
  const truth = data.test.labels.data as Int32Array;
  const matrix = confusionMatrix(truth, classes);
  const wrong = misclassified(truth, classes, 40);
  const grid = digitGrid(data.test.images.data as Float32Array, wrong);
  await Promise.all([
    writeFile(join(out, 'curves.svg'), curvesSvg(trainer.history)),
    writeFile(join(out, 'confusion.txt'), confusionText(matrix)),
    writeFile(join(out, 'confusion.svg'), confusionSvg(matrix)),
    writeFile(join(out, 'misclassified.png'), grid.png),
    writeFile(join(out, 'misclassified.svg'), grid.svg),
  ]);
  const hits = matrix.reduce((n, row, i) => n + row[i], 0);
  console.log(
    `wrote ${out}/{${MODEL_FILE},${ONNX_FILE},${OPTIMIZER_FILE},curves.svg,confusion.txt,confusion.svg,misclassified.png,misclassified.svg}`,
  );
  console.log(
    `test accuracy ${pct(hits / truth.length)} (${hits}/${truth.length}) after ${trainer.epochsDone} epochs; training took ${seconds.toFixed(1)}s (${cpuSeconds.toFixed(1)}s of CPU)`,
  );
}

export async function run(args: string[]): Promise<void> {
  await runTraining('mnist', args);
}
