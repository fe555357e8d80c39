import { wasmGemmAvailable } from './wasm-gemm.js';
import { shared } from '../shared.js';

/**
 * Which implementation runs the heavy kernels (matrix products, float32 tanh): 'wasm' (WebAssembly SIMD, when the
 * host supports it) or 'js' (the pure-TypeScript reference). 'auto', the default, picks wasm when it loads and js otherwise; every
 * backend gives the same values within float32 rounding, so tests run each case under each backend.
 */
export type KernelBackend = 'auto' | 'wasm' | 'js';

// One choice for every copy of the library in the process (shared.ts).
const choice = shared('kernelBackend', () => ({ selected: 'auto' as KernelBackend }));

/**
 * Chooses the kernel backend for the calls that follow.
 * @example
 * setKernelBackend('js');      // the TypeScript reference kernels only
 * setKernelBackend('wasm');    // WebAssembly for every float product and float32 tanh, however small (throws if unavailable)
 * setKernelBackend('auto');    // WebAssembly SIMD where available (the default)
 */
export function setKernelBackend(backend: KernelBackend): void {
  if (backend !== 'auto' && backend !== 'wasm' && backend !== 'js')
    throw new TypeError(`setKernelBackend: unknown backend ${String(backend)}; expected 'auto', 'wasm' or 'js'`);
  if (backend === 'wasm' && !wasmGemmAvailable())
    throw new TypeError(
      'setKernelBackend: the WebAssembly SIMD backend is not available on this host (no WebAssembly, or no SIMD support)',
    );
  choice.selected = backend;
}

/** The backend chosen with setKernelBackend ('auto' unless changed). */
export function getKernelBackend(): KernelBackend {
  return choice.selected;
}
