/**
 * The compiled pipelines (one per distinct WGSL source) and the kernels' params buffers: cached by content, so that a
 * loop over the same shapes makes no new ones, and one buffer rewritten before each dispatch for numbers that change
 * every call.
 */
import { DeviceError } from '@tapegrad/core';

const PARAMS_CACHE_LIMIT = 4096;
/** u32 entries of the one params buffer that is rewritten for every call of a kernel whose numbers change per step. */
const DYNAMIC_PARAMS = 64;

export class KernelCache {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly params = new Map<string, GPUBuffer>();
  private dynamicParams: GPUBuffer | null = null;

  constructor(private readonly device: GPUDevice) {}

  pipeline(code: string): GPUComputePipeline {
    let p = this.pipelines.get(code);
    if (p === undefined) {
      const module = this.device.createShaderModule({ code });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
      this.pipelines.set(code, p);
    }
    return p;
  }

  /** A read-only buffer of u32 parameters, cached by content: a loop over the same shapes makes no new ones. */
  paramsBuffer(values: readonly number[]): GPUBuffer {
    const key = values.join(',');
    let b = this.params.get(key);
    if (b === undefined) {
      if (this.params.size >= PARAMS_CACHE_LIMIT) {
        for (const old of this.params.values()) old.destroy();
        this.params.clear();
      }
      const data = new Uint32Array(Math.max(4, values.length));
      data.set(values);
      b = this.device.createBuffer({ size: data.byteLength, usage: 0x80 | 0x08 });
      this.device.queue.writeBuffer(b, 0, data);
      this.params.set(key, b);
    }
    return b;
  }

  /**
   * The params buffer of a kernel whose numbers change with every call (an optimiser's step size): one buffer, written
   * before each dispatch. The queue runs writes and submissions in the order they were made, so each dispatch reads
   * the values written just before it, and no buffer is made per call.
   */
  freshParams(values: readonly number[]): GPUBuffer {
    if (values.length > DYNAMIC_PARAMS) throw new DeviceError(`webgpu: ${values.length} dynamic parameters exceed ${DYNAMIC_PARAMS}`);
    this.dynamicParams ??= this.device.createBuffer({ size: DYNAMIC_PARAMS * 4, usage: 0x80 | 0x08 });
    this.device.queue.writeBuffer(this.dynamicParams, 0, new Uint32Array(values));
    return this.dynamicParams;
  }

  destroy(): void {
    this.dynamicParams?.destroy();
    for (const b of this.params.values()) b.destroy();
    this.params.clear();
  }
}
