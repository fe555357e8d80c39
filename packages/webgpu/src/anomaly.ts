/**
 * Anomaly mode on the device (core's DeviceBackend.watchFinite). A device value cannot be read synchronously, so each
 * check is queued behind the op that made the value: one workgroup finds the value's first non-finite element and
 * writes its flat index + 1 (0: all finite) and the element to a slot of a small buffer. The next read of any device
 * value (or webgpuSync) first reads those slots and, if one is set, rejects with the error of the first set slot in
 * the order the checks were made: the AnomalyError core would have thrown at once on the CPU, naming the same op,
 * only later. The slots are cleared after every read.
 */
import type { NDArray } from '@tapegrad/core';
import type { WebGPUBackend } from './backend.js';
import { FLAT_HEADER, REDUCE_WORKGROUP } from './kernels/wgsl.js';

/** Slots per buffer of checks (a new buffer after that many checks between two reads). */
const SLOTS = 1024;

/** One workgroup: the smallest flat index of a non-finite element of x, as [index + 1, its bits] in slot p[1]. */
const FIRST_NON_FINITE = `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> slots: array<u32>;
var<workgroup> part: array<u32, ${REDUCE_WORKGROUP}>;
@compute @workgroup_size(${REDUCE_WORKGROUP}) fn main(@builtin(local_invocation_index) li: u32) {
  let n = p[0];
  var first = 0xffffffffu;
  for (var e = li; e < n; e += ${REDUCE_WORKGROUP}u) {
    let v = x[e];
    // exponent bits all set: Infinity or NaN (tested on the bits, which no compiler folds away)
    if ((bitcast<u32>(v) & 0x7f800000u) == 0x7f800000u && first == 0xffffffffu) { first = e; }
  }
  part[li] = first;
  workgroupBarrier();
  for (var s = ${REDUCE_WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (li < s) { part[li] = min(part[li], part[li + s]); }
    workgroupBarrier();
  }
  if (li == 0u && part[0] != 0xffffffffu) {
    slots[2u * p[1]] = part[0] + 1u;
    slots[2u * p[1] + 1u] = bitcast<u32>(x[part[0]]);
  }
}`;

interface Check {
  readonly buffer: GPUBuffer;
  readonly slot: number;
  readonly shape: readonly number[];
  readonly fail: (found: string) => Error;
}

export class AnomalyWatch {
  private readonly buffers: GPUBuffer[] = [];
  private checks: Check[] = [];

  constructor(private readonly backend: WebGPUBackend) {}

  watch(x: NDArray, fail: (found: string) => Error): void {
    const a = this.backend.operand(x, 'detectAnomaly');
    if (a.size === 0) return;
    const count = this.checks.length;
    const index = Math.floor(count / SLOTS);
    const buffer = (this.buffers[index] ??= this.backend.device.createBuffer({ size: SLOTS * 8, usage: 0x80 | 0x04 | 0x08 }));
    const slot = count % SLOTS;
    this.backend.run(FIRST_NON_FINITE, [a.size, slot], [this.backend.bufferOf(a), buffer], [1, 1, 1]);
    this.checks.push({ buffer, slot, shape: a.shape.slice(), fail });
  }

  /** Reads the pending checks, clears them, and throws the first failure's error. */
  async settle(): Promise<void> {
    const checks = this.checks;
    if (checks.length === 0) return;
    this.checks = [];
    const used = this.buffers.slice(0, Math.ceil(checks.length / SLOTS));
    const contents = await Promise.all(used.map((b) => this.backend.pool.read(b, SLOTS * 8)));
    const encoder = this.backend.device.createCommandEncoder();
    for (const b of used) encoder.clearBuffer(b);
    this.backend.device.queue.submit([encoder.finish()]);
    for (const check of checks) {
      const words = new Uint32Array(contents[used.indexOf(check.buffer)], check.slot * 8, 2);
      if (words[0] === 0) continue;
      const value = new Float32Array(words.buffer, words.byteOffset + 4, 1)[0];
      throw check.fail(`${value} at flat index ${words[0] - 1} of shape [${check.shape.join(', ')}]`);
    }
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
  }
}
