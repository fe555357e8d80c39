/**
 * Checkpoints of the main job: `model.safetensors` (the weights under PyTorch-style names, with the run's
 * configuration, epoch count and history in `__metadata__`) and `optimizer.safetensors` (the moments), both
 * written atomically, so `--resume` continues the run exactly. What a checkpoint says is held to the same rules as
 * the flags (settings.ts) before anything is built from it; a bad checkpoint is a UsageError naming the file.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TapegradError } from '@tapegrad/core';
import { SafetensorsError, StateDictError } from '@tapegrad/nn';
import { loadSafetensors, loadSafetensorsMetadata, saveSafetensors } from '@tapegrad/nn/node';
import { UsageError, numberFrom, shown } from '../args.js';
import { RULES, configFromMetadata } from './settings.js';
import type { TrainConfig, Trainer, EpochRecord } from './train.js';

export const MODEL_FILE = 'model.safetensors';
export const OPTIMIZER_FILE = 'optimizer.safetensors';
export const FORMAT = 'tapegrad-mnist-1';

export interface CheckpointInfo {
  readonly config: TrainConfig;
  readonly epochsDone: number;
  readonly history: EpochRecord[];
}

export async function saveCheckpoint(dir: string, trainer: Trainer, config: TrainConfig): Promise<void> {
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

/**
 * Runs `read` on a file the user pointed at; a file that cannot be read, is not safetensors or does not fit the
 * network becomes a one-line UsageError naming it.
 */
export async function readUserFile<T>(command: string, path: string, read: () => Promise<T> | T): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof SafetensorsError) throw new UsageError(`${command}: '${path}' is not a valid safetensors file: ${error.message}`);
    if (error instanceof StateDictError)
      throw new UsageError(`${command}: '${path}' does not hold the network it describes: ${error.message}`);
    if (error instanceof TapegradError) throw new UsageError(`${command}: '${path}' cannot be loaded: ${error.message}`);
    const code = (error as NodeJS.ErrnoException | null)?.code;
    if (typeof code === 'string') throw new UsageError(`${command}: cannot read '${path}': ${(error as Error).message}`);
    throw error;
  }
}

/** The most characters of history JSON a checkpoint may hold: 10,000 epochs at about 150 characters each. */
const MAX_HISTORY_JSON = 2_000_000;

function historyOf(command: string, path: string, text: string | undefined): EpochRecord[] {
  const where = `the checkpoint '${path}': history`;
  if (text === undefined) return [];
  if (text.length > MAX_HISTORY_JSON)
    throw new UsageError(`${command}: ${where} is ${text.length} characters, more than ${MAX_HISTORY_JSON}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UsageError(`${command}: ${where} is not JSON`);
  }
  if (!Array.isArray(raw) || raw.length > RULES.epochs.max)
    throw new UsageError(`${command}: ${where} must be a list of at most ${RULES.epochs.max} epochs, got ${shown(raw)}`);
  const finite = { min: -Number.MAX_VALUE, max: Number.MAX_VALUE };
  return raw.map((r: Record<string, unknown> | null, i) => {
    const field = (key: string, rule = finite) => numberFrom(command, `${where}[${i}].${key}`, r?.[key], rule);
    return {
      epoch: field('epoch', RULES.epochs),
      loss: field('loss'),
      trainAccuracy: field('trainAccuracy', { min: 0, max: 1 }),
      testAccuracy: field('testAccuracy', { min: 0, max: 1 }),
      seconds: field('seconds', { min: 0, max: Number.MAX_VALUE }),
      lr: field('lr'),
    };
  });
}

/** Reads and checks the run information a checkpoint carries (only its header is read). */
export async function readCheckpointInfo(modelPath: string, command = 'mnist'): Promise<CheckpointInfo> {
  const meta = await readUserFile(command, modelPath, () => loadSafetensorsMetadata(modelPath));
  if (meta.format !== undefined && meta.format !== FORMAT)
    throw new UsageError(`${command}: '${modelPath}' is a ${shown(meta.format)} checkpoint, not a ${FORMAT} one`);
  const config = configFromMetadata(command, modelPath, meta.config);
  const done = meta.epochs_done ?? '0';
  const epochsRule = { integer: true, min: 0, max: RULES.epochs.max };
  const where = `the checkpoint '${modelPath}': epochs_done`;
  if (!/^\d{1,6}$/.test(done))
    throw new UsageError(`${command}: ${where} must be an integer in [0, ${RULES.epochs.max}], got ${shown(done)}`);
  const epochsDone = numberFrom(command, where, Number(done), epochsRule);
  return { config, epochsDone, history: historyOf(command, modelPath, meta.history) };
}

/** Loads weights (and optimiser state when present) into `trainer`; returns the checkpoint's information. */
export async function restoreCheckpoint(dir: string, trainer: Trainer, command = 'mnist'): Promise<CheckpointInfo> {
  const modelPath = join(dir, MODEL_FILE);
  const info = await readCheckpointInfo(modelPath, command);
  await readUserFile(command, modelPath, async () => trainer.model.loadStateDict(await loadSafetensors(modelPath)));
  const optimizerPath = join(dir, OPTIMIZER_FILE);
  if (existsSync(optimizerPath))
    await readUserFile(command, optimizerPath, async () => trainer.optimizer.loadStateDict(await loadSafetensors(optimizerPath)));
  trainer.history.push(...info.history);
  trainer.epochsDone = info.epochsDone;
  return info;
}
