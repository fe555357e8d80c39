/**
 * @tapegrad/webgpu: tapegrad's tensors on a GPU through WebGPU. `await initWebGPU()` finds an adapter and registers
 * the 'webgpu' device; then `tensor(data, { device: 'webgpu' })` or `t.to('webgpu')` puts float32 tensors on it, every
 * op on them runs a WGSL kernel, and the tape, the sweep and every gradient rule are core's, unchanged. Calls stay
 * synchronous (the work is queued, as TensorFlow.js does); values come back with `await t.dataAsync()`,
 * `await t.toArrayAsync()` or `await t.to('cpu')`. In Node, `@tapegrad/webgpu/node` supplies Dawn through the
 * `webgpu` npm package.
 * @module @tapegrad/webgpu
 * @packageDocumentation
 */
import { registerDevice, unregisterDevice } from '@tapegrad/core';
import { WebGPUBackend } from './backend.js';
import type { PoolStats } from './pool.js';

export type { PoolStats } from './pool.js';

/** Options of {@link initWebGPU}. */
export interface WebGPUOptions {
  /** The GPU entry point; default `navigator.gpu` (browsers). Node passes Dawn's (see `@tapegrad/webgpu/node`). */
  readonly gpu?: GPU;
  /** Which adapter to ask for (`requestAdapter`'s option). */
  readonly powerPreference?: GPUPowerPreference;
}

/** What {@link webgpuStatus} reports. */
export interface WebGPUStatus {
  /** Whether the 'webgpu' device is registered and usable. */
  readonly active: boolean;
  /** The adapter's name (vendor, architecture, device, description as the adapter gives them). */
  readonly adapter?: string;
  /** Why WebGPU is unavailable, when it is. */
  readonly reason?: string;
}

let backend: WebGPUBackend | null = null;
let failure: string | undefined;

/** @internal records why WebGPU is unavailable (the Node entry point's reasons). */
export function _unavailable(reason: string): false {
  failure = reason;
  return false;
}

/**
 * An adapter's name as tapegrad reports it: vendor, architecture, device and description, those the adapter gives,
 * joined by ' / ' (what {@link webgpuStatus} says, and what a page can show about another library's adapter).
 * @example
 * const adapter = await navigator.gpu.requestAdapter();
 * console.log(describeAdapter(adapter?.info)); // e.g. 'google / swiftshader / SwiftShader driver 5.0.0'
 */
export function describeAdapter(info: GPUAdapterInfo | undefined): string {
  if (info === undefined) return 'unknown adapter';
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((s) => typeof s === 'string' && s !== '');
  return parts.length > 0 ? [...new Set(parts)].join(' / ') : 'unnamed adapter';
}

/**
 * Finds a WebGPU adapter, opens a device and registers it as tapegrad's 'webgpu' device. Returns whether it did;
 * when there is no WebGPU or no adapter it returns false and {@link webgpuStatus} says why (nothing throws, so a
 * program can fall back to the CPU). Calling it again after success returns true without opening another device.
 * @example
 * import { initWebGPU, webgpuStatus } from '@tapegrad/webgpu';
 * if (await initWebGPU()) console.log(`training on ${webgpuStatus().adapter}`);
 */
export async function initWebGPU(options: WebGPUOptions = {}): Promise<boolean> {
  if (backend !== null) return true;
  const gpu = options.gpu ?? (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (gpu === undefined) {
    failure = 'this environment has no WebGPU (navigator.gpu is undefined; in Node use @tapegrad/webgpu/node)';
    return false;
  }
  const adapter = await gpu.requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : undefined);
  if (adapter === null) {
    failure = 'WebGPU found no adapter (no GPU, and no software adapter such as SwiftShader)';
    return false;
  }
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxStorageBuffersPerShaderStage: Math.min(8, limits.maxStorageBuffersPerShaderStage),
    },
  });
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  // The backend keeps the GPU entry point and the adapter alive with the device: Dawn tears its instance down when the
  // JavaScript object of either is collected, and the device's threads crash with it.
  backend = new WebGPUBackend(device, describeAdapter(info), [gpu, adapter]);
  failure = undefined;
  registerDevice(backend);
  return true;
}

/**
 * Whether the 'webgpu' device is active, on which adapter, or why not.
 * @example
 * const { active, adapter, reason } = webgpuStatus();
 * console.log(active ? `webgpu on ${adapter}` : `no webgpu: ${reason ?? 'initWebGPU() not called'}`);
 */
export function webgpuStatus(): WebGPUStatus {
  return backend !== null ? { active: true, adapter: backend.adapterName } : { active: false, reason: failure };
}

/**
 * The device's storage buffers: how many were made, how many live arrays hold now, how many wait in the pool.
 * A loop that repeats the same shapes stops making new ones after its first pass.
 * @throws DeviceError-free: returns zeros when WebGPU is not initialised.
 * @example
 * const { created, live } = webgpuMemory();
 */
export function webgpuMemory(): PoolStats {
  return backend?.memory() ?? { created: 0, live: 0, free: 0, bytes: 0 };
}

/**
 * Waits until the work queued on the device so far has run (for timing; reading values waits by itself). In anomaly
 * mode it rejects, as a read does, with the AnomalyError of the first op whose device value was not finite.
 * @example
 * loss.backward();
 * await webgpuSync();
 */
export async function webgpuSync(): Promise<void> {
  if (backend !== null) await backend.sync();
}

/**
 * Unregisters the 'webgpu' device and releases its buffers and the device; tensors still on it become unusable.
 * @example
 * disposeWebGPU();
 */
export function disposeWebGPU(): void {
  if (backend === null) return;
  unregisterDevice('webgpu');
  backend.destroy();
  backend = null;
}
