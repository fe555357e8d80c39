/**
 * The main job's settings and the one set of rules they obey, whether they come from flags (`tapegrad mnist`), from
 * a checkpoint's metadata (`--resume`) or from a saved model's weight shapes (`predict`): every value is checked
 * here before anything is allocated, so no file can ask for more than a flag could.
 */
import { PIXELS } from './data.js';
import { CLASSES } from './model.js';
import { type NumberRule, UsageError, numberFrom, shown } from '../args.js';
import type { ModelKind, OptimizerName, TrainConfig } from './train.js';

/** The rule of each numeric setting, by its name in TrainConfig. */
export const RULES = {
  epochs: { integer: true, min: 1, max: 10_000 },
  batchSize: { integer: true, min: 1, max: 8000 },
  lr: { min: 1e-8, max: 10 },
  seed: { integer: true, min: 0, max: 2 ** 31 - 1 },
  dropout: { min: 0, max: 0.95 },
  shift: { integer: true, min: 0, max: 8 },
} as const satisfies Record<string, NumberRule>;

/** A hidden layer's width. */
export const LAYER_RULE: NumberRule = { integer: true, min: 1, max: 100_000 };
export const MAX_HIDDEN_LAYERS = 16;
/** The largest network the job builds: 20 million weights (80 MB of float32, three times that with Adam's moments). */
export const MAX_PARAMETERS = 20_000_000;

export const OPTIMIZERS: readonly OptimizerName[] = ['adam', 'sgd'];
export const MODELS: readonly ModelKind[] = ['mlp', 'cnn'];

/** Weights and biases of the MLP PIXELS-hidden...-CLASSES. */
export function parameterCount(hidden: readonly number[]): number {
  const sizes = [PIXELS, ...hidden, CLASSES];
  let count = 0;
  for (let i = 0; i + 1 < sizes.length; i++) count += (sizes[i] + 1) * sizes[i + 1];
  return count;
}

/**
 * Hidden sizes obeying the rules: at most MAX_HIDDEN_LAYERS widths in LAYER_RULE, MAX_PARAMETERS weights in all.
 * `where` names the source in the message ("--hidden", "the model '<path>'", …).
 */
export function checkHidden(command: string, where: string, hidden: unknown): number[] {
  if (!Array.isArray(hidden) || hidden.length > MAX_HIDDEN_LAYERS)
    throw new UsageError(`${command}: ${where} must be a list of at most ${MAX_HIDDEN_LAYERS} layer sizes, got ${shown(hidden)}`);
  const sizes = (hidden as unknown[]).map((size, i) => numberFrom(command, `${where}: layer ${i + 1}'s size`, size, LAYER_RULE));
  const count = parameterCount(sizes);
  if (count > MAX_PARAMETERS)
    throw new UsageError(
      `${command}: ${where} makes an MLP ${[PIXELS, ...sizes, CLASSES].join('-')} of ${count} weights, more than the ${MAX_PARAMETERS} this job builds`,
    );
  return sizes;
}

/** The most bytes of JSON a checkpoint's `config` metadata may hold (a real one is about 150). */
const MAX_CONFIG_JSON = 64 * 1024;

/** A TrainConfig from a checkpoint's `config` metadata (JSON text), held to the same rules as the flags. */
export function configFromMetadata(command: string, path: string, text: string | undefined): TrainConfig {
  const where = (key: string) => `the checkpoint '${path}': config.${key}`;
  if (text === undefined) throw new UsageError(`${command}: '${path}' has no tapegrad mnist run information (no 'config' in its metadata)`);
  if (text.length > MAX_CONFIG_JSON)
    throw new UsageError(`${command}: the checkpoint '${path}': its config is ${text.length} characters, more than ${MAX_CONFIG_JSON}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UsageError(`${command}: the checkpoint '${path}': its config is not JSON`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new UsageError(`${command}: the checkpoint '${path}': its config is not a JSON object`);
  const config = raw as Record<string, unknown>;
  const known = new Set([...Object.keys(RULES), 'optimizer', 'hidden', 'model']);
  const unknown = Object.keys(config).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new UsageError(`${command}: the checkpoint '${path}': its config has unknown settings (${shown(unknown)})`);
  const optimizer = config.optimizer;
  if (optimizer !== 'adam' && optimizer !== 'sgd')
    throw new UsageError(
      `${command}: ${where('optimizer')} must be ${OPTIMIZERS.map((o) => `'${o}'`).join(' or ')}, got ${shown(optimizer)}`,
    );
  const model = config.model ?? 'mlp';
  if (model !== 'mlp' && model !== 'cnn')
    throw new UsageError(`${command}: ${where('model')} must be ${MODELS.map((m) => `'${m}'`).join(' or ')}, got ${shown(model)}`);
  const number = (key: keyof typeof RULES) => numberFrom(command, where(key), config[key], RULES[key]);
  return {
    epochs: number('epochs'),
    batchSize: number('batchSize'),
    lr: number('lr'),
    optimizer,
    hidden: checkHidden(command, where('hidden'), config.hidden),
    ...(model === 'cnn' && { model }),
    seed: number('seed'),
    dropout: number('dropout'),
    shift: number('shift'),
  };
}
