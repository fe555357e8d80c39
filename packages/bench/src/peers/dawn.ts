/**
 * WebGPU in the bench's Node processes: Dawn (the `webgpu` package) on whatever adapter it finds. On a machine without
 * a GPU Dawn finds none; then, unless VK_ICD_FILENAMES already names a driver, the peers fall back to the SwiftShader
 * Vulkan driver that Debian's chromium ships (a CPU implementation of the GPU: its figures say nothing about GPU
 * speed, and the notes say so). Both webgpu peers come here, so they run on the same adapter.
 */
import { existsSync } from 'node:fs';
import { describeAdapter } from '@tapegrad/webgpu';
import { create, globals } from 'webgpu';
import type { BenchCase } from '../cases.js';
import type { Peer } from './peer.js';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** A GPU entry point with an adapter, that adapter's name, and whether it is SwiftShader. */
export interface DawnGpu {
  readonly gpu: GPU;
  readonly adapter: string;
  readonly software: boolean;
}

/** The adapter dawnGpu found last (both webgpu peers find the same one). */
let found: DawnGpu | null = null;

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
  found = { gpu, adapter: name, software: /swiftshader|llvmpipe|lavapipe/i.test(name) };
  return found;
}

/** What the two webgpu peers share: the cases they run on the GPU, and fewer iterations on a software adapter. */
export const webgpuPeerTraits = {
  supports: (c: BenchCase): boolean => c.id === 'W1' || c.workload === 'W2' || c.workload === 'W5' || c.workload === 'W6',
  // On a software adapter (seconds per iteration) a few iterations say all there is to say.
  isSlowOn: (): boolean => found?.software ?? false,
} satisfies Partial<Peer>;

/** The note a webgpu peer reports: its adapter, and that a software one says nothing about speed. */
export function adapterNote(d: DawnGpu): string {
  return `on ${d.adapter}${d.software ? ' (a CPU implementation of WebGPU: its figures say nothing about GPU speed)' : ''}`;
}
