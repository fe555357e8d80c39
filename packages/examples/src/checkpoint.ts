/**
 * Checkpoints of the training jobs (mnist, names): `model.safetensors` (the weights under their state-dict names,
 * with the run's settings, epoch count and history in `__metadata__`) and `optimizer.safetensors` (the optimiser's
 * state), both written atomically, so `--resume` continues a run exactly. A job describes its checkpoint once
 * (`checkpointKind`: its format tag, how its settings and history records are checked); what a checkpoint says is
 * held to the same rules as the flags before anything is built from it, and a bad checkpoint is a UsageError
 * naming the file.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TapegradError } from '@tapegrad/core';
import { type Module, type Optimizer, SafetensorsError, StateDictError } from '@tapegrad/nn';
import { loadSafetensors, loadSafetensorsMetadata, saveSafetensors } from '@tapegrad/nn/node';
import { type NumberRule, UsageError, numberFrom, shown } from './args.js';

export const MODEL_FILE = 'model.safetensors';
export const OPTIMIZER_FILE = 'optimizer.safetensors';

/** What a checkpoint says about its run. */
export interface CheckpointInfo<Config, Epoch> {
  readonly config: Config;
  readonly epochsDone: number;
  readonly history: Epoch[];
}

/** The part of a job's trainer that a checkpoint saves and restores. */
export interface CheckpointedTrainer<Epoch> {
  readonly model: Pick<Module, 'stateDict' | 'loadStateDict'>;
  readonly optimizer: Pick<Optimizer, 'stateDict' | 'loadStateDict'>;
  readonly history: Epoch[];
  epochsDone: number;
}

/** Reads one numeric field of a history record, a UsageError naming the record and field unless it obeys `rule`. */
export type EpochField = (key: string, rule: NumberRule) => number;

/** How one job's checkpoints are marked and checked. */
export interface CheckpointSpec<Config, Epoch> {
  /** The `format` tag written into the metadata; another tag is refused. */
  readonly format: string;
  /** Whether a checkpoint without a tag is read (mnist's, written before the tag existed). */
  readonly acceptsUnmarked: boolean;
  /** The most epochs a run may have (the `--epochs` flag's maximum). */
  readonly maxEpochs: number;
  /** The most characters of history JSON a checkpoint may hold. */
  readonly maxHistoryJson: number;
  /** The run's settings from the metadata's `config`, held to the flags' rules. */
  configFrom(command: string, path: string, text: string | undefined): Config;
  /** One history record, each field read through `field`. */
  epochFrom(field: EpochField): Epoch;
}

/** A job's checkpoints: write one, read what one says (its header only), restore a trainer from one. */
export interface CheckpointKind<Config, Epoch> {
  readonly format: string;
  save(dir: string, trainer: CheckpointedTrainer<Epoch>, config: Config): Promise<void>;
  readInfo(command: string, modelPath: string): Promise<CheckpointInfo<Config, Epoch>>;
  /** Loads the weights (and the optimiser's state when present) into `trainer`, and its history and epoch count. */
  restore(command: string, dir: string, trainer: CheckpointedTrainer<Epoch>, info: CheckpointInfo<Config, Epoch>): Promise<void>;
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

/** The checkpoints of the job that `spec` describes. */
export function checkpointKind<Config, Epoch>(spec: CheckpointSpec<Config, Epoch>): CheckpointKind<Config, Epoch> {
  const epochsRule = { integer: true, min: 0, max: spec.maxEpochs };

  function historyOf(command: string, path: string, text: string | undefined): Epoch[] {
    const where = `the checkpoint '${path}': history`;
    if (text === undefined) return [];
    if (text.length > spec.maxHistoryJson)
      throw new UsageError(`${command}: ${where} is ${text.length} characters, more than ${spec.maxHistoryJson}`);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new UsageError(`${command}: ${where} is not JSON`);
    }
    if (!Array.isArray(raw) || raw.length > spec.maxEpochs)
      throw new UsageError(`${command}: ${where} must be a list of at most ${spec.maxEpochs} epochs, got ${shown(raw)}`);
    return raw.map((r: Record<string, unknown> | null, i) =>
      spec.epochFrom((key, rule) => numberFrom(command, `${where}[${i}].${key}`, r?.[key], rule)),
    );
  }

  return {
    format: spec.format,
    async save(dir, trainer, config) {
      await mkdir(dir, { recursive: true });
      const metadata = {
        format: spec.format,
        config: JSON.stringify(config),
        epochs_done: String(trainer.epochsDone),
        history: JSON.stringify(trainer.history),
      };
      await saveSafetensors(join(dir, OPTIMIZER_FILE), trainer.optimizer.stateDict());
      await saveSafetensors(join(dir, MODEL_FILE), trainer.model.stateDict(), metadata);
    },

    async readInfo(command, modelPath) {
      const meta = await readUserFile(command, modelPath, () => loadSafetensorsMetadata(modelPath));
      if (meta.format !== spec.format && !(spec.acceptsUnmarked && meta.format === undefined))
        throw new UsageError(`${command}: '${modelPath}' is a ${shown(meta.format ?? 'unmarked')} checkpoint, not a ${spec.format} one`);
      const config = spec.configFrom(command, modelPath, meta.config);
      const done = meta.epochs_done ?? '0';
      const where = `the checkpoint '${modelPath}': epochs_done`;
      if (!/^\d{1,6}$/.test(done))
        throw new UsageError(`${command}: ${where} must be an integer in [0, ${spec.maxEpochs}], got ${shown(done)}`);
      const epochsDone = numberFrom(command, where, Number(done), epochsRule);
      return { config, epochsDone, history: historyOf(command, modelPath, meta.history) };
    },

    async restore(command, dir, trainer, info) {
      const modelPath = join(dir, MODEL_FILE);
      await readUserFile(command, modelPath, async () => trainer.model.loadStateDict(await loadSafetensors(modelPath)));
      const optimizerPath = join(dir, OPTIMIZER_FILE);
      if (existsSync(optimizerPath))
        await readUserFile(command, optimizerPath, async () => trainer.optimizer.loadStateDict(await loadSafetensors(optimizerPath)));
      trainer.history.push(...info.history);
      trainer.epochsDone = info.epochsDone;
    },
  };
}
