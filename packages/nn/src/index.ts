/**
 * @tapegrad/nn: modules, losses, initialisers, optimisers, data batching and safetensors, browser-safe.
 * File I/O lives in `@tapegrad/nn/node`.
 * @module @tapegrad/nn
 * @packageDocumentation
 */
export { Module, StateDictError } from './module.js';
export type { StateDict, ForwardHook, ForwardPreHook, FullBackwardHook, RemovableHandle } from './module.js';
export type { SummaryInput, SummaryOptions } from './module-summary.js';
export { Linear } from './layers/linear.js';
export type { LinearOptions, LinearInit } from './layers/linear.js';
export { ReLU, LeakyReLU, Sigmoid, Tanh, Softmax, Identity, GELU, SiLU } from './layers/activations.js';
export { Dropout } from './layers/dropout.js';
export { BatchNorm1d } from './layers/batch-norm.js';
export type { BatchNormOptions } from './layers/batch-norm.js';
export { Sequential } from './layers/sequential.js';
export { Conv1d, Conv2d } from './layers/conv.js';
export type { ConvLayerOptions } from './layers/conv.js';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from './layers/pooling.js';
export { Flatten, Unflatten } from './layers/flatten.js';
export { Embedding } from './layers/embedding.js';
export type { EmbeddingLayerOptions } from './layers/embedding.js';
export { LayerNorm } from './layers/layer-norm.js';
export type { LayerNormLayerOptions } from './layers/layer-norm.js';
export { BatchNorm2d } from './layers/batch-norm2d.js';
export { MultiheadAttention } from './layers/multihead-attention.js';
export type { MultiheadAttentionOptions, MultiheadAttentionCallOptions } from './layers/multihead-attention.js';
export { TransformerBlock } from './layers/transformer-block.js';
export type { TransformerBlockOptions, TransformerBlockCallOptions } from './layers/transformer-block.js';
export { MLP } from './layers/mlp.js';
export type { MLPOptions, HiddenActivation, OutputActivation } from './layers/mlp.js';
export { mseLoss } from './losses/mse.js';
export { crossEntropy } from './losses/cross-entropy.js';
export type { CrossEntropyOptions } from './losses/cross-entropy.js';
export { nllLoss } from './losses/nll.js';
export type { NLLOptions } from './losses/nll.js';
export { l1Loss } from './losses/l1.js';
export { huberLoss, smoothL1Loss } from './losses/huber.js';
export type { HuberOptions, SmoothL1Options } from './losses/huber.js';
export { softmaxCrossEntropy } from './losses/softmax-cross-entropy.js';
export { binaryCrossEntropy, binaryCrossEntropyWithLogits } from './losses/binary-cross-entropy.js';
export type { BCEOptions } from './losses/binary-cross-entropy.js';
export type { Reduction } from './losses/reduction.js';
export { oneHot } from './losses/targets.js';
export * as init from './init.js';
export { xavierUniform, xavierNormal, heUniform, heNormal, fans } from './init.js';
export type { InitOptions } from './init.js';
export { Optimizer } from './optim/optimizer.js';
export type {
  UpdateContext,
  StepContext,
  KernelStep,
  OptionBounds,
  ParamState,
  Hyperparameters,
  ParamGroup,
  ParamGroupSpec,
  Params,
} from './optim/optimizer.js';
export { SGD } from './optim/sgd.js';
export type { SGDOptions, SGDHyperparameters } from './optim/sgd.js';
export { AdaGrad } from './optim/adagrad.js';
export type { AdaGradOptions, AdaGradHyperparameters } from './optim/adagrad.js';
export { RMSprop } from './optim/rmsprop.js';
export type { RMSpropOptions, RMSpropHyperparameters } from './optim/rmsprop.js';
export { Adam, AdamW } from './optim/adam.js';
export type { AdamOptions, AdamHyperparameters } from './optim/adam.js';
export { LRScheduler, StepLR, ExponentialLR, LinearLR, CosineAnnealingLR, SequentialLR } from './optim/schedule.js';
export type { LinearLROptions } from './optim/schedule.js';
export { OneCycleLR } from './optim/one-cycle.js';
export type { OneCycleLROptions } from './optim/one-cycle.js';
export { ReduceLROnPlateau } from './optim/plateau.js';
export type { ReduceLROnPlateauOptions } from './optim/plateau.js';
export { clipGradNorm, clipGradNormTensor, clipGradValue } from './optim/clip.js';
export { DataLoader, permutation, accuracy } from './data.js';
export type { DataLoaderOptions } from './data.js';
export {
  encodeSafetensors,
  decodeSafetensors,
  safetensorsMetadata,
  SafetensorsError,
  MAX_HEADER_BYTES,
  MAX_ENTRIES,
  MAX_RANK,
} from './safetensors.js';
