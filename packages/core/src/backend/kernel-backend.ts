import { wasmGemmAvailable, wasmRelaxedGemmAvailable } from './wasm-gemm.js';
import { shared } from '../shared.js';

/**
 * Which implementation runs the heavy kernels (matrix products, float32 tanh): 'wasm' (WebAssembly SIMD128, when the
 * host supports it), 'wasm-relaxed' (the same, with the matrix product's multiply-adds fused by relaxed SIMD) or 'js'
 * (the pure-TypeScript reference). 'auto', the default, picks 'wasm-relaxed' where the host validates relaxed SIMD,
 * else 'wasm' where it loads, else 'js'. Every backend gives the same values within float32 rounding, so tests run
 * each case under each backend; 'wasm' gives the same bits on every host, 'wasm-relaxed' (and so 'auto') not
 * quite: a fused multiply-add rounds once where SIMD128 rounds twice.
 */
export type KernelBackend = 'auto' | 'wasm' | 'wasm-relaxed' | 'js';

// One choice for every copy of the library in the process (shared.ts).
const choice = shared('kernelBackend', (): { selected: KernelBackend } => ({ selected: 'auto' }));

/**
 * Chooses the kernel backend for the calls that follow.
 * @example
 * setKernelBackend('js');      // the TypeScript reference kernels only
 * setKernelBackend('wasm');    // WebAssembly for every float product and float32 tanh, however small (throws if unavailable)
 * setKernelBackend('wasm-relaxed');   // the same with fused multiply-adds in products (throws where relaxed SIMD is not validated)
 * setKernelBackend('auto');    // WebAssembly, relaxed SIMD where validated (the default)
 */
export function setKernelBackend(backend: KernelBackend): void {
  if (backend !== 'auto' && backend !== 'wasm' && backend !== 'wasm-relaxed' && backend !== 'js')
    throw new TypeError(`setKernelBackend: unknown backend ${String(backend)}; expected 'auto', 'wasm', 'wasm-relaxed' or 'js'`);
  if (backend === 'wasm' && !wasmGemmAvailable())
    throw new TypeError(
      'setKernelBackend: the WebAssembly SIMD backend is not available on this host (no WebAssembly, or no SIMD support)',
    );
  if (backend === 'wasm-relaxed' && !wasmRelaxedGemmAvailable())
    throw new TypeError(
      "setKernelBackend: this host does not validate WebAssembly relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd); 'wasm' works everywhere",
    );
  choice.selected = backend;
}

/** The backend chosen with setKernelBackend ('auto' unless changed). */
export function getKernelBackend(): KernelBackend {
  return choice.selected;
}
