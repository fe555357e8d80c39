/** The CLI's commands and what each does, in the order `tapegrad --help` lists them: one place for both the list and each command's own help. */
export const COMMANDS = {
  start: 'the main job: train an MLP on real MNIST digits with the default settings (as mnist)',
  mnist: 'train a 784-256-128-10 MLP on MNIST digits and write the checkpoint, curves and reports',
  predict: 'classify held-out MNIST digits with a model saved by mnist',
  names: 'train a small transformer on real first names against a bigram; sample names',
  'apple-orange': "seed 004's apple/orange price graph with layers and with the tape",
  'forward-mode': "seed 004's apple/orange derivatives by forward mode, one input at a time",
  mazur: "seed 002's worked 2-2-2 network, every printed number checked",
  formulas: "seed 000's boxed formulas (18) and (30) against the tape on a random network",
  xor: "seed 004's XOR learned by a two-layer network; prints the truth table",
  saturation: "seed 003's saturated neuron: quadratic vs cross-entropy cost",
  gradcheck: 'gradient check of a small MLP and of each textbook layer',
} as const;

export type CommandName = keyof typeof COMMANDS;
