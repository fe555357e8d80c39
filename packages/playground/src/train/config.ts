/**
 * The train view's settings, read from the form and checked before any training starts, so a bad layer
 * size or learning rate is reported on the page in words rather than as an engine error.
 */
import { DATASETS, type DatasetName } from './datasets.js';

export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid'] as const;
export const OPTIMISERS = ['adam', 'sgd'] as const;

export interface TrainConfig {
  readonly dataset: DatasetName;
  readonly seed: number;
  /** Hidden layer widths; the input (2) and output (number of classes) layers are added by the trainer. */
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
 * parseTrainConfig({ dataset: 'spiral', seed: '1', hidden: '32, 32', activation: 'relu', optimiser: 'adam', lr: '0.01' });
 */
export function parseTrainConfig(form: TrainForm): TrainConfig {
  const lr = Number(form.lr);
  if (form.lr.trim() === '' || !Number.isFinite(lr) || lr <= 0 || lr > 10) {
    throw new ConfigError(`Learning rate '${form.lr}' must be a number greater than 0 and at most 10 (e.g. 0.01).`);
  }
  const seed = Number(form.seed);
  if (!Number.isInteger(seed)) throw new ConfigError(`Seed '${form.seed}' must be a whole number.`);
  return {
    dataset: oneOf('data set', form.dataset, DATASETS),
    seed,
    hidden: parseLayerSizes(form.hidden),
    activation: oneOf('activation', form.activation, ACTIVATIONS),
    optimiser: oneOf('optimiser', form.optimiser, OPTIMISERS),
    lr,
  };
}
