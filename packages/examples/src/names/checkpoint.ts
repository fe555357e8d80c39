/**
 * The names job's checkpoints (the shared format is in ../checkpoint.ts): the weights under their state-dict
 * names, AdamW's moments, the run's settings checked by settings.ts, and a history of `NamesEpoch`s.
 */
import { checkpointKind } from '../checkpoint.js';
import { NAMES_RULES, namesConfigFromMetadata } from './settings.js';
import type { NamesConfig, NamesEpoch } from './train.js';

const NON_NEGATIVE = { min: 0, max: Number.MAX_VALUE };

export const NAMES_CHECKPOINT = checkpointKind<NamesConfig, NamesEpoch>({
  format: 'tapegrad-names-1',
  acceptsUnmarked: false,
  maxEpochs: NAMES_RULES.epochs.max,
  maxHistoryJson: 500_000,
  configFrom: namesConfigFromMetadata,
  epochFrom: (field) => ({
    epoch: field('epoch', NAMES_RULES.epochs),
    trainLoss: field('trainLoss', NON_NEGATIVE),
    heldOutLoss: field('heldOutLoss', NON_NEGATIVE),
    lr: field('lr', NON_NEGATIVE),
    seconds: field('seconds', NON_NEGATIVE),
  }),
});
