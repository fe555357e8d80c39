/**
 * Core's fused programs (`fuse`) on the device: a program's slots and kernel calls become one WGSL kernel, one thread
 * per element of the full shape, each step the WGSL expression of its core kernel (kernels/wgsl.ts's tables, the same
 * the eager kernels use), every value in a register: a chain of elementwise ops and its gradient run as one pass each,
 * without writing the intermediates. A summed output is written full size and reduced by the sum kernel. A kernel may
 * bind 8 storage buffers: the outputs are spread over several passes when the inputs leave too few.
 */
import { DeviceError, type FusedProgram, type FusedSlot, type NDArray } from '@tapegrad/core';
import type { WebGPUBackend } from './backend.js';
import { BINARY_EXPRESSIONS, FLAT_HEADER, MATH, UNARY_EXPRESSIONS, flatMain } from './kernels/wgsl.js';
import { f32Bits, stridesOf } from './shapes.js';

/** Storage buffers a kernel binds besides its params. */
const BINDINGS = 7;

/** The WGSL function `k_<name>` of a core kernel, or a DeviceError when it has none. */
function kernelFunction(name: string): string {
  const unary = UNARY_EXPRESSIONS[name];
  if (unary !== undefined) return `fn k_${name}(x: f32) -> f32 { return ${unary}; }`;
  const binary = BINARY_EXPRESSIONS[name];
  if (binary !== undefined) return `fn k_${name}(a: f32, b: f32) -> f32 { return ${binary}; }`;
  throw new DeviceError(`fuse: the kernel '${name}' has no webgpu form yet; call the function unfused`);
}

/** The WGSL expression of a slot read from the inputs or a constant (null for a step's slot). */
function slotValue(slot: FusedSlot, shape: readonly number[]): string | null {
  switch (slot.kind) {
    case 'full':
      return `in${slot.input}[e]`;
    case 'scalar':
      return `in${slot.input}[0]`;
    case 'partial': {
      const suffix = stridesOf(shape);
      const terms = slot.strides.flatMap((stride, d) => (stride === 0 ? [] : [`((e / ${suffix[d]}u) % ${shape[d]}u) * ${stride}u`]));
      return `in${slot.input}[${terms.length === 0 ? '0u' : terms.join(' + ')}]`;
    }
    case 'const':
      return `bitcast<f32>(${f32Bits(slot.value)}u)`;
    case 'step':
      return null;
  }
}

/** The kernel computing `program` and writing the slots of `outputs` (its output indices) to out0, out1, ... */
function programSource(program: FusedProgram, inputs: number, outputs: readonly number[]): string {
  const names = [...new Set(program.steps.map((s) => s.kernel.name))];
  const declarations = [
    ...Array.from({ length: inputs }, (_, i) => `@group(0) @binding(${i + 1}) var<storage, read> in${i}: array<f32>;`),
    ...outputs.map((_, k) => `@group(0) @binding(${inputs + k + 1}) var<storage, read_write> out${k}: array<f32>;`),
  ];
  const slots = program.slots.map((slot, s) => {
    const value = slotValue(slot, program.shape);
    return value === null ? `  var v${s} = 0.0;` : `  var v${s} = ${value};`;
  });
  const steps = program.steps.map((s) => `  v${s.out} = k_${s.kernel.name}(v${s.a}${s.b >= 0 ? `, v${s.b}` : ''});`);
  const writes = outputs.map((o, k) => `  out${k}[e] = v${program.outputs[o].slot};`);
  return `${FLAT_HEADER}${MATH}
${names.map(kernelFunction).join('\n')}
${declarations.join('\n')}
${flatMain('e')}
${[...slots, ...steps, ...writes].join('\n')}
}`;
}

export function runProgram(backend: WebGPUBackend, program: FusedProgram, inputs: readonly NDArray[]): NDArray[] {
  const operands = inputs.map((a) => backend.operand(a, 'fuse'));
  const room = BINDINGS - operands.length;
  if (room < 1)
    throw new DeviceError(
      `fuse: a program of ${operands.length} inputs exceeds the ${BINDINGS - 1} webgpu binds; call the function unfused`,
    );
  const written = program.outputs.map((o) => backend.alloc(o.reduce ? [program.size] : program.shape, 'float32'));
  for (let first = 0; first < written.length; first += room) {
    const outputs = written.map((_, k) => k).slice(first, first + room);
    const buffers = [...operands, ...outputs.map((k) => written[k])].map((a) => backend.bufferOf(a));
    backend.flat(programSource(program, operands.length, outputs), [program.size], buffers, program.size);
  }
  return written.map((w, k) => {
    if (!program.outputs[k].reduce) return w;
    const all = program.shape.map((_, d) => d);
    return backend.reduce(backend.view(w, program.shape), all, false, 'sum');
  });
}
