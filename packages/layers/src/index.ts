/** @tapegrad/layers: the textbook layer objects (forward / backward(dout)) built on @tapegrad/core. */
export {};
