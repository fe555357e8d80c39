/**
 * @tapegrad/webgpu/node: WebGPU in Node through Dawn (the `webgpu` npm package, which ships Dawn's binary for
 * Linux, macOS and Windows inside the package: nothing is downloaded at install). On a machine without a GPU, Dawn
 * runs on a software Vulkan driver such as SwiftShader (Debian's chromium package ships one; point
 * `VK_ICD_FILENAMES` at its vk_swiftshader_icd.json, with Debian's libvulkan1 installed).
 * @module @tapegrad/webgpu/node
 * @packageDocumentation
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type WebGPUOptions, _unavailable, initWebGPU } from './index.js';

/** Options of {@link initWebGPUNode}: Dawn's own flags beside initWebGPU's. */
export interface WebGPUNodeOptions extends Omit<WebGPUOptions, 'gpu'> {
  /** Flags for Dawn's `create`, e.g. `['backend=vulkan']`. */
  readonly dawnFlags?: readonly string[];
}

/**
 * The file this module was loaded from, in the ESM and CommonJS builds alike (as @tapegrad/native finds its addon:
 * neither `import.meta.url` nor `__filename` compiles in both).
 */
function thisFile(): string {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back as it was
  const original = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_error, frames) => frames;
    const frames = new Error().stack as unknown as NodeJS.CallSite[];
    const name = frames[0]?.getFileName() ?? '';
    return name.startsWith('file:') ? fileURLToPath(name) : name;
  } finally {
    Error.prepareStackTrace = original;
  }
}

/**
 * Dawn's `create`, loaded from the `webgpu` package's binary directly: the package's own entry is ESM-only, which
 * CommonJS callers (Jest, a CJS user) cannot require in Node 20.
 */
function loadDawn(): { create(flags: string[]): GPU } | string {
  let root: string;
  try {
    root = dirname(createRequire(thisFile()).resolve('webgpu/package.json'));
  } catch {
    return "the 'webgpu' package is not installed (npm install webgpu)";
  }
  const arch = process.platform === 'darwin' ? 'universal' : process.arch;
  const file = join(root, 'dist', `${process.platform}-${arch}`, 'dawn.node');
  if (!existsSync(file)) return `the 'webgpu' package has no Dawn binary for ${process.platform}-${arch}`;
  try {
    return createRequire(file)(file) as { create(flags: string[]): GPU };
  } catch (error) {
    return `Dawn did not load: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}

/**
 * initWebGPU on Dawn: loads the `webgpu` package (an optional peer dependency) and registers the 'webgpu' device.
 * Returns false, with the reason in webgpuStatus(), when the package or an adapter is missing.
 * @example
 * import { initWebGPUNode } from '@tapegrad/webgpu/node';
 * if (!(await initWebGPUNode())) console.log('no WebGPU adapter here');
 */
export async function initWebGPUNode(options: WebGPUNodeOptions = {}): Promise<boolean> {
  const dawn = loadDawn();
  if (typeof dawn === 'string') return _unavailable(dawn);
  const { dawnFlags = [], ...rest } = options;
  return initWebGPU({ ...rest, gpu: dawn.create([...dawnFlags]) });
}
