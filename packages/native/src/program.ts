/**
 * Fused programs (what core's `fuse` compiles) on the addon's C block runner (csrc/program.c), plugged into core's
 * kernel seam as a kernel set's `fused`: forward and backward of a fused chain each become one call into C, which
 * runs the program's kernel calls a cache-sized block at a time.
 *
 * Only programs every step of which the addon computes with core's bits are encoded (the kernels kernel-set.ts
 * installs for eager ops); any other program is declined and core runs it as before. So a fused call gives the
 * same bits with or without the native backend.
 */
import type { FusedImplementation, FusedProgram, TypedArray } from '@tapegrad/core';
import type { FloatArray, NativeAddon } from './addon.js';

/** A program as runProgram takes it, and a reusable array for its sums. */
interface Encoded {
  readonly code: Int32Array;
  readonly constants: Float64Array;
  readonly sums: Float64Array;
}

/** csrc/program.c's limits (MAX_SLOTS, MAX_IO, MAX_RANK): a larger program is declined, never an error. */
const MAX_SLOTS = 256,
  MAX_IO = 64,
  MAX_RANK = 16;

/** Slot kinds of csrc/program.c. */
const FULL = 0,
  SCALAR = 1,
  CONSTANT = 2,
  STEP = 3,
  STEP_SCALAR = 4,
  PARTIAL = 5;

/**
 * Encodes `program` for csrc/program.c, or returns null when a step's kernel is not in `exact` for the program's
 * dtype or the program is past the C runner's limits.
 */
export function encodeProgram(
  program: FusedProgram,
  kernelIndex: { readonly unary: ReadonlyMap<string, number>; readonly binary: ReadonlyMap<string, number> },
  exact: (name: string, unary: boolean, dtype: FusedProgram['dtype']) => boolean,
): Encoded | null {
  if (program.slots.length > MAX_SLOTS || program.outputs.length > MAX_IO || program.shape.length > MAX_RANK) return null;
  const constants: number[] = [];
  const partials: number[] = [];
  const code: number[] = [program.dtype === 'float64' ? 1 : 0, program.slots.length, program.steps.length, program.outputs.length];
  for (const slot of program.slots) {
    if (slot.kind === 'partial') {
      code.push(PARTIAL, partials.length / (1 + program.shape.length));
      partials.push(slot.input, ...slot.strides);
    } else if (slot.kind === 'full') code.push(FULL, slot.input);
    else if (slot.kind === 'scalar') code.push(SCALAR, slot.input);
    else if (slot.kind === 'const') code.push(CONSTANT, constants.push(slot.value) - 1);
    else code.push(slot.scalar ? STEP_SCALAR : STEP, 0);
  }
  for (const step of program.steps) {
    const unary = step.b < 0;
    const index = (unary ? kernelIndex.unary : kernelIndex.binary).get(step.kernel.name);
    if (index === undefined || !exact(step.kernel.name, unary, program.dtype)) return null;
    code.push(unary ? 1 : 0, index, step.a, unary ? 0 : step.b, step.out);
  }
  for (const output of program.outputs) code.push(output.slot, output.reduce ? 1 : 0);
  code.push(program.shape.length, ...program.shape, partials.length / (1 + program.shape.length), ...partials);
  return { code: Int32Array.from(code), constants: Float64Array.from(constants), sums: new Float64Array(program.outputs.length) };
}

/**
 * The kernel set's `fused`: runs programs of at least `minElements` elements whose arrays are all of the program's
 * dtype on the addon, encoding each program once.
 */
export function nativeFused(
  addon: NativeAddon,
  minElements: number,
  exact: (name: string, unary: boolean, dtype: FusedProgram['dtype']) => boolean,
): FusedImplementation {
  const names = addon.programKernels();
  const kernelIndex = {
    unary: new Map(names.unary.map((name, i) => [name, i])),
    binary: new Map(names.binary.map((name, i) => [name, i])),
  };
  const encoded = new WeakMap<FusedProgram, Encoded | null>();
  return (program, inputs, written) => {
    if (program.size < minElements || inputs.length > MAX_IO || written.length > MAX_IO) return undefined;
    const Kind = program.dtype === 'float32' ? Float32Array : Float64Array;
    const ofDtype = (x: TypedArray | null): boolean => x === null || x instanceof Kind;
    if (!inputs.every(ofDtype) || !written.every(ofDtype)) return undefined;
    let e = encoded.get(program);
    if (e === undefined) encoded.set(program, (e = encodeProgram(program, kernelIndex, exact)));
    if (e === null) return undefined;
    addon.runProgram(e.code, e.constants, inputs as FloatArray[], written as Array<FloatArray | null>, program.size, e.sums);
    return Array.from(e.sums);
  };
}
