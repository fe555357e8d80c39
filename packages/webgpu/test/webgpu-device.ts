/**
 * The tests' WebGPU device: Dawn (the `webgpu` package) on whatever adapter this machine has; on a machine without a
 * GPU, SwiftShader from Debian's chromium package, found through VK_ICD_FILENAMES (jest.config.ts sets it when it is not set already).
 * Without an adapter the WebGPU tests skip with the reason printed, unless TAPEGRAD_REQUIRE_WEBGPU=1 (CI) makes that
 * a failure.
 */
import { disposeWebGPU, webgpuStatus, webgpuSync } from '@tapegrad/webgpu';
import { initWebGPUNode } from '@tapegrad/webgpu/node';

/** Initialises the 'webgpu' device; resolves to whether there is one (and throws if there must be). */
export async function webgpuDevice(): Promise<boolean> {
  if (await initWebGPUNode()) return true;
  const reason = webgpuStatus().reason ?? 'unknown reason';
  if (process.env.TAPEGRAD_REQUIRE_WEBGPU === '1') throw new Error(`TAPEGRAD_REQUIRE_WEBGPU=1 but there is no WebGPU adapter: ${reason}`);
  console.log(`WebGPU tests skipped: ${reason}`);
  return false;
}

/** Waits for the device's queued work, then releases it: Dawn's threads must be idle before the worker exits. */
export async function releaseWebgpuDevice(): Promise<void> {
  await webgpuSync();
  disposeWebGPU();
}
