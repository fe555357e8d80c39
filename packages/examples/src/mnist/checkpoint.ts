/**
 * The main job's checkpoints (the shared format is in ../checkpoint.ts): the weights under PyTorch-style names,
 * the run's configuration checked by settings.ts, and a history of `EpochRecord`s.
 */
import { checkpointKind } from '../checkpoint.js';
import { RULES, configFromMetadata } from './settings.js';
import type { EpochRecord, TrainConfig } from './train.js';

const FINITE = { min: -Number.MAX_VALUE, max: Number.MAX_VALUE };
const FRACTION = { min: 0, max: 1 };

export const MNIST_CHECKPOINT = checkpointKind<TrainConfig, EpochRecord>({
  format: 'tapegrad-mnist-1',
  acceptsUnmarked: true,
  maxEpochs: RULES.epochs.max,
  // 10,000 epochs at about 150 characters each.
  maxHistoryJson: 2_000_000,
  configFrom: configFromMetadata,
  epochFrom: (field) => ({
    epoch: field('epoch', RULES.epochs),
    loss: field('loss', FINITE),
    trainAccuracy: field('trainAccuracy', FRACTION),
    testAccuracy: field('testAccuracy', FRACTION),
    seconds: field('seconds', { min: 0, max: Number.MAX_VALUE }),
    lr: field('lr', FINITE),
  }),
});
