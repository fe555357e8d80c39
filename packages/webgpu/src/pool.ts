/**
 * Device buffers, pooled by size. A device array holds one storage buffer; when JavaScript drops the array, a
 * FinalizationRegistry hands its buffer back to the pool, and the next array of that size takes it instead of a new
 * one: a training step that repeats the same shapes allocates no device memory after its first run. Reuse is safe
 * without waiting for the GPU because every kernel is submitted as it is called: work already queued that reads the
 * old contents runs before anything later writes the buffer (one queue, in order).
 */

// GPUBufferUsage's values, written out: Node's `webgpu` package only puts its globals on globalThis when asked.
export const STORAGE = 0x80;
export const COPY_SRC = 0x04;
export const COPY_DST = 0x08;
export const MAP_READ = 0x01;
const MAP_MODE_READ = 1;

/** Bytes are rounded up to this so that nearby sizes share buffers (and every buffer is a multiple of 4 bytes). */
const GRANULE = 256;

/** What the pool counts: how many buffers it made in all, how many are free now, and their bytes. */
export interface PoolStats {
  /** Storage buffers made since the device was initialised. */
  readonly created: number;
  /** Of those, how many are held by live arrays now (created minus free). */
  readonly live: number;
  /** Free buffers waiting for an array of their size. */
  readonly free: number;
  /** Bytes of every storage buffer made (live and free). */
  readonly bytes: number;
}

export class BufferPool {
  private readonly freeBySize = new Map<number, GPUBuffer[]>();
  private readonly readbackBySize = new Map<number, GPUBuffer[]>();
  private created = 0;
  private freeCount = 0;
  private bytes = 0;
  private readonly finalizer = new FinalizationRegistry<GPUBuffer>((buffer) => this.release(buffer));

  constructor(private readonly device: GPUDevice) {}

  /** A storage buffer of at least `byteLength` bytes, tied to `owner`: it returns here when `owner` is collected. */
  acquire(byteLength: number, owner: object): GPUBuffer {
    const size = Math.max(GRANULE, Math.ceil(byteLength / GRANULE) * GRANULE);
    const list = this.freeBySize.get(size);
    let buffer = list?.pop();
    if (buffer !== undefined) this.freeCount--;
    else {
      buffer = this.device.createBuffer({ size, usage: STORAGE | COPY_SRC | COPY_DST });
      this.created++;
      this.bytes += size;
    }
    this.finalizer.register(owner, buffer);
    return buffer;
  }

  /** A storage buffer back in the pool (the finalizer's path; a test may call it for a buffer it owns). */
  release(buffer: GPUBuffer): void {
    let list = this.freeBySize.get(buffer.size);
    if (list === undefined) this.freeBySize.set(buffer.size, (list = []));
    list.push(buffer);
    this.freeCount++;
  }

  /** Copies `byteLength` bytes of `source` to the CPU, through a pooled staging buffer. */
  async read(source: GPUBuffer, byteLength: number): Promise<ArrayBuffer> {
    const size = Math.max(GRANULE, Math.ceil(byteLength / GRANULE) * GRANULE);
    const staging = this.readbackBySize.get(size)?.pop() ?? this.device.createBuffer({ size, usage: MAP_READ | COPY_DST });
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(source, 0, staging, 0, size);
    this.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(MAP_MODE_READ, 0, size);
    const copy = staging.getMappedRange(0, byteLength).slice(0);
    staging.unmap();
    let list = this.readbackBySize.get(size);
    if (list === undefined) this.readbackBySize.set(size, (list = []));
    list.push(staging);
    return copy;
  }

  stats(): PoolStats {
    return { created: this.created, live: this.created - this.freeCount, free: this.freeCount, bytes: this.bytes };
  }

  /** Frees every pooled buffer (the device is going away). */
  destroy(): void {
    for (const list of [...this.freeBySize.values(), ...this.readbackBySize.values()]) for (const b of list) b.destroy();
    this.freeBySize.clear();
    this.readbackBySize.clear();
  }
}
