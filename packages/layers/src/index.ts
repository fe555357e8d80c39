/**
 * @tapegrad/layers: the textbook layer objects (forward / backward(dout)) of "Deep Learning from Scratch",
 * built on @tapegrad/core. Each is a thin wrapper: forward applies core ops to a private graph and backward
 * sweeps it, so every derivative is the core op's rule, written once.
 * @module @tapegrad/layers
 * @packageDocumentation
 */
export { MulLayer } from './mul-layer.js';
export { AddLayer } from './add-layer.js';
export { ReluLayer } from './relu-layer.js';
export { SigmoidLayer } from './sigmoid-layer.js';
export { AffineLayer } from './affine-layer.js';
export { SoftmaxWithLossLayer } from './softmax-with-loss-layer.js';
export { TwoLayerNet } from './two-layer-net.js';
export type { TwoLayerNetOptions, TwoLayerParams } from './two-layer-net.js';
export { LocalGraph } from './local-graph.js';
export type { Value } from './local-graph.js';
