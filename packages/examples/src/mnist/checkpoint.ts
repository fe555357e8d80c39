/**
 * Checkpoints of the main job: `model.safetensors` (the weights under PyTorch-style names, with the run's
 * configuration, epoch count and history in `__metadata__`) and `optimizer.safetensors` (the moments), both
 * written atomically, so `--resume` continues the run exactly.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSafetensors, loadSafetensorsMetadata, saveSafetensors } from '@tapegrad/nn/node';
import type { TrainConfig, Trainer, EpochRecord } from './train.js';

export const MODEL_FILE = 'model.safetensors';
export const OPTIMIZER_FILE = 'optimizer.safetensors';

export interface CheckpointInfo {
  readonly config: TrainConfig;
  readonly epochsDone: number;
  readonly history: EpochRecord[];
}

export async function saveCheckpoint(dir: string, trainer: Trainer, config: TrainConfig): Promise<void> {
  await mkdir(dir, { recursive: true });
  const metadata = {
    format: 'tapegrad-mnist-1',
    config: JSON.stringify(config),
    epochs_done: String(trainer.epochsDone),
    history: JSON.stringify(trainer.history),
  };
  await saveSafetensors(join(dir, OPTIMIZER_FILE), trainer.optimizer.stateDict());
  await saveSafetensors(join(dir, MODEL_FILE), trainer.model.stateDict(), metadata);
}

/** Reads the run information a checkpoint carries; throws a readable Error when it is not one of ours. */
export async function readCheckpointInfo(modelPath: string): Promise<CheckpointInfo> {
  const meta = await loadSafetensorsMetadata(modelPath);
  if (meta.config === undefined) throw new Error(`${modelPath} has no tapegrad-mnist run information in its metadata`);
  return {
    config: JSON.parse(meta.config) as TrainConfig,
    epochsDone: Number(meta.epochs_done ?? 0),
    history: JSON.parse(meta.history ?? '[]') as EpochRecord[],
  };
}

/** Loads weights (and optimiser state when present) into `trainer`; returns the checkpoint's information. */
export async function restoreCheckpoint(dir: string, trainer: Trainer): Promise<CheckpointInfo> {
  const modelPath = join(dir, MODEL_FILE);
  const info = await readCheckpointInfo(modelPath);
  trainer.model.loadStateDict(await loadSafetensors(modelPath));
  const optimizerPath = join(dir, OPTIMIZER_FILE);
  if (existsSync(optimizerPath)) trainer.optimizer.loadStateDict(await loadSafetensors(optimizerPath));
  trainer.history.push(...info.history);
  trainer.epochsDone = info.epochsDone;
  return info;
}
