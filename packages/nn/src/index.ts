/** @tapegrad/nn: modules, losses, initialisers, optimisers, data batching and safetensors, browser-safe. */
export {};
