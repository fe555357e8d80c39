/**
 * The names job's settings and their rules, one set whether they come from flags or from a checkpoint's metadata,
 * checked before anything is built (a checkpoint cannot ask for more than a flag could).
 */
import { type NumberRule, UsageError, numberFrom, shown } from '../args.js';
import type { NamesConfig } from './train.js';

/** Chosen so the default run takes a few minutes on two cores and ends well below the bigram's held-out loss. */
export const NAMES_DEFAULTS: NamesConfig & { readonly out: string; readonly samples: number } = {
  epochs: 4,
  batchSize: 32,
  lr: 3e-3,
  width: 64,
  heads: 4,
  layers: 2,
  dropout: 0,
  seed: 0,
  out: 'out/names',
  samples: 20,
};

/** The rule of each numeric setting. */
export const NAMES_RULES = {
  epochs: { integer: true, min: 1, max: 1000 },
  batchSize: { integer: true, min: 1, max: 8000 },
  lr: { min: 1e-8, max: 1 },
  width: { integer: true, min: 1, max: 1024 },
  heads: { integer: true, min: 1, max: 64 },
  layers: { integer: true, min: 1, max: 24 },
  dropout: { min: 0, max: 0.9 },
  seed: { integer: true, min: 0, max: 2 ** 31 - 1 },
} as const satisfies Record<keyof NamesConfig, NumberRule>;

/** The heads must divide the width (each head gets width / heads features). */
export function checkHeads(command: string, where: string, config: NamesConfig): NamesConfig {
  if (config.width % config.heads !== 0)
    throw new UsageError(`${command}: ${where}: --heads ${config.heads} must divide --width ${config.width}`);
  return config;
}

const MAX_CONFIG_JSON = 10_000;

/** A checkpoint's `config` metadata, every setting held to NAMES_RULES. */
export function namesConfigFromMetadata(command: string, path: string, text: string | undefined): NamesConfig {
  const where = `the checkpoint '${path}'`;
  if (text === undefined) throw new UsageError(`${command}: ${where} has no tapegrad names run information (no 'config' in its metadata)`);
  if (text.length > MAX_CONFIG_JSON)
    throw new UsageError(`${command}: ${where}: its config is ${text.length} characters, more than ${MAX_CONFIG_JSON}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UsageError(`${command}: ${where}: its config is not JSON`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new UsageError(`${command}: ${where}: its config is not a JSON object`);
  const config = raw as Record<string, unknown>;
  const unknown = Object.keys(config).filter((k) => !(k in NAMES_RULES));
  if (unknown.length > 0) throw new UsageError(`${command}: ${where}: its config has unknown settings (${shown(unknown)})`);
  const setting = (key: keyof NamesConfig) => numberFrom(command, `${where}: config.${key}`, config[key], NAMES_RULES[key]);
  return checkHeads(command, where, {
    epochs: setting('epochs'),
    batchSize: setting('batchSize'),
    lr: setting('lr'),
    width: setting('width'),
    heads: setting('heads'),
    layers: setting('layers'),
    dropout: setting('dropout'),
    seed: setting('seed'),
  });
}
