/**
 * The train view's settings, read from the form and checked before any training starts, so a bad layer
 * size or learning rate is reported on the page in words rather than as an engine error.
 */
import { DATASETS, type DatasetName } from './datasets.js';

export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid'] as const;
export const OPTIMISERS = ['adam', 'sgd'] as const;
/** An MLP (on the 2-D points or the flat digits), or the small CNN (digits only, see digit-trainer.ts). */
export const MODELS = ['mlp', 'cnn'] as const;
/** The 2-D point sets, and a few hundred MNIST digits (digits.ts). */
export const DATA_CHOICES = [...DATASETS, 'digits'] as const;

export interface TrainConfig {
  readonly model: (typeof MODELS)[number];
  readonly dataset: DatasetName | 'digits';
  readonly seed: number;
  /** The MLP's hidden layer widths; the input (2, or 784 pixels) and output (the classes) layers are added by the trainer. */
  readonly hidden: readonly number[];
  readonly activation: (typeof ACTIVATIONS)[number];
  readonly optimiser: (typeof OPTIMISERS)[number];
  readonly lr: number;
}

/** What the user typed or chose, as strings. */
export type TrainForm = Record<keyof TrainConfig, string>;

/** A setting the page refuses, with a message meant for the user. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function oneOf<T extends string>(what: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new ConfigError(`Unknown ${what} '${value}': choose one of ${allowed.join(', ')}.`);
  return value as T;
}

/** "32, 32" -> [32, 32]; empty means no hidden layer (a linear classifier). */
export function parseLayerSizes(text: string): number[] {
  const parts = text.split(/[\s,]+/).filter((p) => p !== '');
  return parts.map((p, i) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1) {
      throw new ConfigError(
        `Hidden layer ${i + 1} has size '${p}': every layer size must be a whole number of at least 1 (e.g. "32, 32").`,
      );
    }
    if (n > 512)
      throw new ConfigError(`Hidden layer ${i + 1} has size ${n}: keep layers at 512 units or fewer so the page stays responsive.`);
    return n;
  });
}

/**
 * Checks the form's values and returns the settings to train with.
 * @example
 * parseTrainConfig({ model: 'mlp', dataset: 'spiral', seed: '1', hidden: '32, 32', activation: 'relu', optimiser: 'adam', lr: '0.01' });
 * parseTrainConfig({ model: 'cnn', dataset: 'digits', seed: '1', hidden: '', activation: 'relu', optimiser: 'adam', lr: '0.003' });
 */
export function parseTrainConfig(form: TrainForm): TrainConfig {
  const lr = Number(form.lr);
  if (form.lr.trim() === '' || !Number.isFinite(lr) || lr <= 0 || lr > 10) {
    throw new ConfigError(`Learning rate '${form.lr}' must be a number greater than 0 and at most 10 (e.g. 0.01).`);
  }
  const seed = Number(form.seed);
  if (!Number.isInteger(seed)) throw new ConfigError(`Seed '${form.seed}' must be a whole number.`);
  const model = oneOf('model', form.model, MODELS);
  const dataset = oneOf('data set', form.dataset, DATA_CHOICES);
  if (model === 'cnn' && dataset !== 'digits')
    throw new ConfigError(`The CNN reads 28×28 images: choose the digits data set for it (the ${dataset} points are for the MLP).`);
  return {
    model,
    dataset,
    seed,
    // The CNN's layers are fixed (digit-trainer.ts), so its form's hidden sizes are not read.
    hidden: model === 'cnn' ? [] : parseLayerSizes(form.hidden),
    activation: oneOf('activation', form.activation, ACTIVATIONS),
    optimiser: oneOf('optimiser', form.optimiser, OPTIMISERS),
    lr,
  };
}
