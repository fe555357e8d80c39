/**
 * The convolution's float32 patch copies in WebAssembly (source: packages/core/wasm/patches.ts), and the dot-product
 * kernel run in place on the patches they write, in the memory of the convolution's module. A convolution kernel
 * lays out its buffers there once per call (`patchArena`), copies its input in, and runs chunk after chunk on the
 * same views: nothing else runs in that module's memory while a convolution kernel does, and the memory grows only
 * in `patchArena`, before the views are made (growing would detach them).
 */
import type { WindowGeometry } from '../window.js';
import { type WasmDotKernels, align16, wasmDotKernels, wasmMemory } from './wasm-module.js';

/** Float32 buffers laid out in the convolution module's memory for one kernel call, and their byte addresses. */
export interface PatchArena {
  readonly kernels: WasmDotKernels;
  readonly views: Float32Array[];
  readonly at: number[];
  /** Where the 16 int32 values of a patch copy's geometry are written. */
  readonly geometry: Int32Array;
}

/** Buffers of the given float32 lengths in the convolution module's memory, or null when the module is unavailable. */
export function patchArena(lengths: readonly number[]): PatchArena | null {
  const kernels = wasmDotKernels();
  if (kernels === null) return null;
  const geometryAt = align16(kernels.heapBase());
  const at: number[] = [];
  let end = geometryAt + 64;
  for (const length of lengths) {
    at.push(end);
    end = align16(end + length * 4);
  }
  const buffer = wasmMemory(kernels, end);
  return {
    kernels,
    views: lengths.map((length, i) => new Float32Array(buffer, at[i], length)),
    at,
    geometry: new Int32Array(buffer, geometryAt, 16),
  };
}

/** The geometry of one patch copy: the image [channels, height, width], the window, output rows [r0, r1), rows `ld` apart. */
export interface PatchCopy extends WindowGeometry {
  readonly inChannels: number;
}

/**
 * im2col (or with `add`, col2im) of output rows [r0, r1) between the input at arena buffer `x` and the patch matrix at
 * buffer `col`, whose rows are `ld` apart (entries [cols, ld) of each row written 0 by im2col).
 */
export function wasmPatches(
  arena: PatchArena,
  x: number,
  col: number,
  g: PatchCopy,
  r0: number,
  r1: number,
  ld: number,
  add: boolean,
): void {
  arena.geometry.set([
    g.inChannels,
    g.height,
    g.width,
    g.kernelH,
    g.kernelW,
    g.strideH,
    g.strideW,
    g.dilationH,
    g.dilationW,
    g.padTop,
    g.padLeft,
    g.outH,
    g.outW,
    r0,
    r1,
    ld,
  ]);
  (add ? arena.kernels.col2imF32 : arena.kernels.im2colF32)(arena.at[x], arena.at[col], arena.geometry.byteOffset);
}
