/**
 * Checkpoints of the names job: `model.safetensors` (the weights under their state-dict names, with the run's
 * settings, epoch count and history in `__metadata__`) and `optimizer.safetensors` (AdamW's moments), written
 * atomically, so `--resume` continues the run exactly. A checkpoint's settings obey the flags' rules.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSafetensors, loadSafetensorsMetadata, saveSafetensors } from '@tapegrad/nn/node';
import { UsageError, numberFrom, shown } from '../args.js';
import { readUserFile } from '../mnist/checkpoint.js';
import { NAMES_RULES, namesConfigFromMetadata } from './settings.js';
import type { NamesConfig, NamesEpoch, NamesTrainer } from './train.js';

export const MODEL_FILE = 'model.safetensors';
export const OPTIMIZER_FILE = 'optimizer.safetensors';
export const FORMAT = 'tapegrad-names-1';

/** What a checkpoint says about its run. */
export interface NamesCheckpointInfo {
  readonly config: NamesConfig;
  readonly epochsDone: number;
  readonly history: NamesEpoch[];
}

export async function saveNamesCheckpoint(dir: string, trainer: NamesTrainer, config: NamesConfig): Promise<void> {
  await mkdir(dir, { recursive: true });
  const metadata = {
    format: FORMAT,
    config: JSON.stringify(config),
    epochs_done: String(trainer.epochsDone),
    history: JSON.stringify(trainer.history),
  };
  await saveSafetensors(join(dir, OPTIMIZER_FILE), trainer.optimizer.stateDict());
  await saveSafetensors(join(dir, MODEL_FILE), trainer.model.stateDict(), metadata);
}

const MAX_HISTORY_JSON = 500_000;

function historyOf(command: string, where: string, text: string | undefined): NamesEpoch[] {
  if (text === undefined) return [];
  if (text.length > MAX_HISTORY_JSON)
    throw new UsageError(`${command}: ${where} is ${text.length} characters, more than ${MAX_HISTORY_JSON}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UsageError(`${command}: ${where} is not JSON`);
  }
  if (!Array.isArray(raw) || raw.length > NAMES_RULES.epochs.max)
    throw new UsageError(`${command}: ${where} must be a list of at most ${NAMES_RULES.epochs.max} epochs, got ${shown(raw)}`);
  const finite = { min: 0, max: Number.MAX_VALUE };
  return raw.map((r: Record<string, unknown> | null, i) => {
    const field = (key: string, rule = finite) => numberFrom(command, `${where}[${i}].${key}`, r?.[key], rule);
    return {
      epoch: field('epoch', NAMES_RULES.epochs),
      trainLoss: field('trainLoss'),
      heldOutLoss: field('heldOutLoss'),
      lr: field('lr'),
      seconds: field('seconds'),
    };
  });
}

/** Reads and checks the run information of the checkpoint at `modelPath` (its header only). */
export async function readNamesCheckpointInfo(command: string, modelPath: string): Promise<NamesCheckpointInfo> {
  const meta = await readUserFile(command, modelPath, () => loadSafetensorsMetadata(modelPath));
  if (meta.format !== FORMAT)
    throw new UsageError(`${command}: '${modelPath}' is a ${shown(meta.format ?? 'unmarked')} checkpoint, not a ${FORMAT} one`);
  const config = namesConfigFromMetadata(command, modelPath, meta.config);
  const done = meta.epochs_done ?? '0';
  const where = `the checkpoint '${modelPath}': epochs_done`;
  if (!/^\d{1,6}$/.test(done))
    throw new UsageError(`${command}: ${where} must be an integer in [0, ${NAMES_RULES.epochs.max}], got ${shown(done)}`);
  const epochsDone = numberFrom(command, where, Number(done), { integer: true, min: 0, max: NAMES_RULES.epochs.max });
  return { config, epochsDone, history: historyOf(command, `the checkpoint '${modelPath}': history`, meta.history) };
}

/** Loads the weights (and the optimiser's state when present) into `trainer`. */
export async function restoreNamesCheckpoint(
  command: string,
  dir: string,
  trainer: NamesTrainer,
  info: NamesCheckpointInfo,
): Promise<void> {
  const modelPath = join(dir, MODEL_FILE);
  await readUserFile(command, modelPath, async () => trainer.model.loadStateDict(await loadSafetensors(modelPath)));
  const optimizerPath = join(dir, OPTIMIZER_FILE);
  if (existsSync(optimizerPath))
    await readUserFile(command, optimizerPath, async () => trainer.optimizer.loadStateDict(await loadSafetensors(optimizerPath)));
  trainer.history.push(...info.history);
  trainer.epochsDone = info.epochsDone;
}
