/**
 * The names of the addon's elementwise kernels (csrc/elementwise.c), the same as core's kernels of those ops. A module
 * of its own, so that kernel-set.ts can read the lists without loading addon.ts (which tests replace with a mock).
 */
/** The addon's unary kernels by name. */
export const UNARY_KERNELS = ['neg', 'abs', 'relu', 'sqrt', 'sign', 'exp', 'log', 'sin', 'cos', 'tanh', 'sigmoid', 'softplus'] as const;
/** The addon's binary kernels by name. */
export const BINARY_KERNELS = [
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'maximum',
  'minimum',
  'tanhGrad',
  'sigmoidGrad',
  'reluGrad',
  'addRelu',
  'greater',
  'greaterEqual',
  'lessEqual',
  'equal',
] as const;
/** A name in {@link UNARY_KERNELS}. */
export type UnaryKernelName = (typeof UNARY_KERNELS)[number];
/** A name in {@link BINARY_KERNELS}. */
export type BinaryKernelName = (typeof BINARY_KERNELS)[number];
