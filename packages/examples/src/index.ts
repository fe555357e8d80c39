/** @tapegrad/examples: the worked examples behind the `tapegrad` CLI. */
export {};
