/**
 * WebGPU in the bench's Node processes: Dawn (the `webgpu` package) on whatever adapter it finds. On a machine without
 * a GPU Dawn finds none; then, unless VK_ICD_FILENAMES already names a driver, the peers fall back to the SwiftShader
 * Vulkan driver that Debian's chromium ships (a CPU implementation of the GPU: its figures say nothing about GPU
 * speed, and the notes say so). Both webgpu peers come here, so they run on the same adapter.
 */
import { existsSync } from 'node:fs';
import { describeAdapter } from '@tapegrad/webgpu';
import { create, globals } from 'webgpu';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** A GPU entry point with an adapter, that adapter's name, and whether it is SwiftShader. */
export interface DawnGpu {
  readonly gpu: GPU;
  readonly adapter: string;
  readonly software: boolean;
}

/** Dawn's GPU entry point, with WebGPU's globals (GPUBufferUsage, ...) installed for libraries that expect a browser. */
export async function dawnGpu(): Promise<DawnGpu> {
  Object.assign(globalThis, globals);
  let gpu: GPU = create([]);
  let adapter = await gpu.requestAdapter();
  if (adapter === null && process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER;
    gpu = create([]);
    adapter = await gpu.requestAdapter();
  }
  if (adapter === null)
    throw new Error(`Dawn found no WebGPU adapter (no GPU; for SwiftShader install chromium and libvulkan1, or set VK_ICD_FILENAMES)`);
  const name = describeAdapter(adapter.info);
  return { gpu, adapter: name, software: /swiftshader|llvmpipe|lavapipe/i.test(name) };
}

/** The note a webgpu peer reports: its adapter, and that a software one says nothing about speed. */
export function adapterNote(d: DawnGpu): string {
  return `on ${d.adapter}${d.software ? ' (a CPU implementation of WebGPU: its figures say nothing about GPU speed)' : ''}`;
}
