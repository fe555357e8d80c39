/**
 * The main job's settings: `tapegrad mnist` and `start` train with them, `predict` looks for the model in their
 * output folder, and the benchmark's MNIST epoch (@tapegrad/bench) builds the same model and optimiser from them.
 */
/** Chosen so a run takes about two minutes on two idle cores and ends above 96% test accuracy. */
export const DEFAULTS = {
  epochs: 60,
  batch: 64,
  adamLr: 1e-3,
  sgdLr: 0.05,
  hidden: [256, 128],
  seed: 0,
  dropout: 0.2,
  shift: 1,
  out: 'out/mnist',
};
