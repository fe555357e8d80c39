/** The pure-TypeScript reference kernels, for backends and fused ops in other packages. */
export * as binary from './binary.js';
export * as unary from './unary.js';
export { reduce, argReduce } from './reduce.js';
export { matmul, matmulShape } from './matmul.js';
export type { MatmulFlags } from './matmul.js';
export * as layout from './layout.js';
