/** @tapegrad/nn/node: the Node-only file I/O of @tapegrad/nn (saveSafetensors, loadSafetensors). */
export {};
