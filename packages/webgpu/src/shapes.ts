/** Shape arithmetic the backend's kernel calls share: strides, broadcasting, and numbers passed as float32 bits. */
import { ShapeError, kernelModuleSupport } from '@tapegrad/core';

/** Row-major strides of `shape`: core's own (its kernel packages' seam). */
export const stridesOf: (shape: readonly number[]) => number[] = kernelModuleSupport.stridesOf;

/** The number of elements of `shape`: core's own. */
export const sizeOf: (shape: readonly number[]) => number = kernelModuleSupport.sizeOf;

/** A number's float32 bits, as a kernel's u32 params carry it. */
export const f32Bits = (v: number): number => new Uint32Array(new Float32Array([v]).buffer)[0];

export const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** Strides that read `shape` broadcast to `target` (0 along repeated axes), aligned to the target's rank. */
export function broadcastStrides(shape: readonly number[], target: readonly number[]): number[] {
  const own = stridesOf(shape);
  const lead = target.length - shape.length;
  return target.map((_, i) => (i < lead || shape[i - lead] === 1 ? 0 : own[i - lead]));
}

/** NumPy's broadcast of two shapes, or a ShapeError naming `op`. */
export function broadcastShape(a: readonly number[], b: readonly number[], op: string): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const x = a[i - (rank - a.length)] ?? 1;
    const y = b[i - (rank - b.length)] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new ShapeError(`${op}: shapes ${fmt(a)} and ${fmt(b)} do not broadcast`);
    return x === 1 ? y : x;
  });
}

/** WebGPU's cap on workgroups along one axis of a dispatch. */
export const MAX_GROUPS = 65535;
