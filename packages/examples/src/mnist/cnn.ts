/**
 * The convolutional model of `tapegrad mnist --model cnn`: a LeNet-style network on the same float32 digits
 *   [B, 784] -> Unflatten [B, 1, 28, 28]
 *   -> Conv2d(1, 24, 5, padding 2) -> BatchNorm2d -> ReLU -> MaxPool2d(2)     [B, 24, 14, 14]
 *   -> Conv2d(24, 48, 5, padding 2) -> BatchNorm2d -> ReLU -> MaxPool2d(2)    [B, 48, 7, 7]
 *   -> Flatten -> Linear(2352, 128) -> ReLU -> Dropout -> Linear(128, 10)
 * with PyTorch's default initialisation. A Sequential of PyTorch's modules, so its state dict (`1.weight`,
 * `2.running_mean`, `2.num_batches_tracked`, ...) loads into the same torch.nn.Sequential. It takes the MLP's flat
 * rows, so the data pipeline, augmentation, evaluation and reports are the MLP job's.
 */
import type { Generator } from '@tapegrad/core';
import { BatchNorm2d, Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU, Sequential, Unflatten } from '@tapegrad/nn';
import { IMAGE_SIZE } from './data.js';
import { CLASSES } from './model.js';

/** The CNN job's defaults where they differ from the MLP's (DEFAULTS in defaults.ts). */
export const CNN_DEFAULTS = {
  epochs: 15,
  adamLr: 4e-3,
  sgdLr: 0.05,
  dropout: 0.3,
  shift: 2,
  out: 'out/mnist-cnn',
};

/**
 * The CNN's training digits are distorted (affine.ts): rotated up to 12 degrees, scaled up to 10% either way, and
 * shifted by up to --shift pixels (continuous, not whole pixels as for the MLP), except in the last
 * CNN_CLEAN_EPOCHS epochs.
 */
export const CNN_DISTORTION = { rotate: 12, scale: 0.1 } as const;

/** The last epochs (never the first) train on the undistorted digits, the distribution the held-out digits come from. */
export const CNN_CLEAN_EPOCHS = 2;

/**
 * The CNN's learning rate follows PyTorch's OneCycleLR stepped once per batch over the whole run: up from lr / 25
 * to lr over the first CNN_WARMUP of the steps, then down along a cosine to lr / 25 / 1e4, with Adam's beta1 (or
 * SGD's momentum) moving the other way between 0.95 and 0.85. The MLP keeps its per-epoch cosine.
 */
export const CNN_WARMUP = 0.25;

/** The CNN's cross-entropy mixes each target with the uniform distribution by this much (PyTorch's label_smoothing). */
export const CNN_LABEL_SMOOTHING = 0.1;

/** The layer sizes, fixed: named so the banner and the tests can say what was built. */
export const CNN_LAYOUT = { channels: [24, 48], kernel: 5, hidden: 128 } as const;

/** Builds the CNN; `init` draws the weights, `noise` drives dropout. */
export function buildCnn(options: { dropout: number; init: Generator; noise: Generator }): Sequential {
  const [c1, c2] = CNN_LAYOUT.channels;
  const { kernel, hidden } = CNN_LAYOUT;
  const f32 = { dtype: 'float32', generator: options.init } as const;
  const side = IMAGE_SIZE / 4;
  return new Sequential(
    new Unflatten(1, [1, IMAGE_SIZE, IMAGE_SIZE]),
    new Conv2d(1, c1, kernel, { padding: kernel >> 1, bias: false, ...f32 }),
    new BatchNorm2d(c1, { dtype: 'float32' }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(c1, c2, kernel, { padding: kernel >> 1, bias: false, ...f32 }),
    new BatchNorm2d(c2, { dtype: 'float32' }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(c2 * side * side, hidden, f32),
    new ReLU(),
    new Dropout(options.dropout, { generator: options.noise }),
    new Linear(hidden, CLASSES, f32),
  );
}

/** `Conv5x5(16)-BN-ReLU-pool-Conv5x5(32)-BN-ReLU-pool-FC128-FC10`, for the banner. */
export function describeCnn(): string {
  const [c1, c2] = CNN_LAYOUT.channels;
  const k = CNN_LAYOUT.kernel;
  return `CNN conv${k}x${k}(${c1})-BN-ReLU-pool-conv${k}x${k}(${c2})-BN-ReLU-pool-FC${CNN_LAYOUT.hidden}-FC${CLASSES}`;
}
