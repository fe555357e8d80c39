/**
 * The seam core's own kernel packages build on (nn's optimiser module, webgpu's kernel calls): what core's
 * WebAssembly kernels already use to load a module, lay out its memory and choose it, and core's row-major shape
 * arithmetic, re-exported under one name so that those packages do not keep copies. Internal: not covered by
 * semver (docs/decisions.md, "Session 7"), and excluded from the API reference.
 */
import { align16, floatArrayKind, loadedOnce, wasmMemory } from './ndarray/kernels/backend/wasm-module.js';
import { wasmChosen } from './ndarray/kernels/backend/kernel-backend.js';
import { sliceIndices } from './ndarray/kernels/attention.js';
import { sizeOf, stridesOf } from './ndarray/shape.js';

/**
 * @internal For tapegrad's own packages only; may change in any release.
 * - `loadedOnce(hex)`: a WebAssembly module's exports from its hex, compiled and instantiated (no imports) on the
 *   first call, the same object after; null where the host cannot run it.
 * - `wasmMemory(kernels, end)`: the module's memory grown to at least `end` bytes (views must be made after it).
 * - `align16(bytes)`: a byte address rounded up to 16.
 * - `wasmChosen(n, autoMin)`: whether the kernel backend runs WebAssembly for a call on `n` elements.
 * - `floatArrayKind(...arrays)`: Float32Array or Float64Array when every array is one, else null.
 * - `sizeOf(shape)`, `stridesOf(shape)`: element count and row-major strides.
 * - `sliceIndices(own, batch)`: for each index of the batch shape `batch`, the slice of an operand with batch
 *   shape `own` it broadcasts from.
 * @example
 * const kernels = kernelModuleSupport.loadedOnce<{ heapBase(): number }>(MODULE_HEX);
 */
export const kernelModuleSupport = { loadedOnce, wasmMemory, align16, wasmChosen, floatArrayKind, sizeOf, stridesOf, sliceIndices };
