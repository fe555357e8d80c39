/**
 * `@tapegrad/examples/mnist`: the main job's data, model and training loop, for the workspace's other packages
 * (the benchmark's MNIST epoch times exactly what `tapegrad mnist` trains). The CLI's commands import the modules
 * directly.
 */
export { DEFAULTS } from './defaults.js';
export { type DigitSet, type MnistSplit, PIXELS, loadMnist } from './data.js';
export { type Trainer, type TrainConfig, createTrainer } from './train.js';
