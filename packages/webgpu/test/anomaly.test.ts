// Anomaly mode on webgpu: a device value cannot be read synchronously, so each op's output and each gradient is
// checked on the device in the queue, and the next read (or webgpuSync) rejects with the AnomalyError the CPU throws
// at once: the same op, the same element, the same message (the CPU run of the same program is the oracle).
import { AnomalyError, type Tensor, detectAnomaly, tensor } from '@tapegrad/core';
import { webgpuSync } from '@tapegrad/webgpu';
import { releaseWebgpuDevice, webgpuDevice } from './webgpu-device';

let ready = false;
beforeAll(async () => {
  ready = await webgpuDevice();
});
afterAll(releaseWebgpuDevice);

/** The message of the AnomalyError `run` gives on the CPU (thrown at once) and on webgpu (at the next read). */
async function messages(run: (device: 'cpu' | 'webgpu') => Tensor): Promise<{ cpu: string; gpu: string }> {
  let cpu = '';
  try {
    detectAnomaly(() => run('cpu'));
  } catch (e) {
    expect(e).toBeInstanceOf(AnomalyError);
    cpu = (e as Error).message;
  }
  const y = detectAnomaly(() => run('webgpu')); // nothing thrown yet: the checks are queued
  const read = y.dataAsync();
  await expect(read).rejects.toBeInstanceOf(AnomalyError);
  const gpu = await read.then(
    () => '',
    (e: unknown) => (e as Error).message,
  );
  // tensors are numbered in the order they are made (%7): the two runs differ there only
  const unnumbered = (m: string) => m.replace(/%\d+/g, '%n');
  return { cpu: unnumbered(cpu), gpu: unnumbered(gpu) };
}

describe('anomaly mode on webgpu', () => {
  it('names the forward that made a NaN, at the next read, as the CPU does at once', async () => {
    if (!ready) return;
    const { cpu, gpu } = await messages((device) => {
      const x = tensor([4, -1, 9, -2], { dtype: 'float32', device, requiresGrad: true });
      return x.mul(2).log().sum();
    });
    expect(cpu).toMatch(/^log forward produced NaN at flat index 1 of shape \[4\]/);
    expect(gpu).toBe(cpu);
  });

  it('names the backward that made an Infinity in a gradient (sqrt at 0), with the same message', async () => {
    if (!ready) return;
    const { cpu, gpu } = await messages((device) => {
      const x = tensor([1, 0, 4], { dtype: 'float32', device, requiresGrad: true });
      const y = x.sqrt().sum();
      y.backward();
      return x.grad!;
    });
    expect(cpu).toMatch(/^sqrt backward produced Infinity/);
    // the trace of the forward's call site differs between the two runs; the rest is the same
    const head = (m: string) => m.split('\n')[0];
    expect(head(gpu)).toBe(head(cpu));
  });

  it('reports nothing for finite values, and clears a reported failure after it', async () => {
    if (!ready) return;
    const fine = detectAnomaly(() => tensor([1, 2], { device: 'webgpu', requiresGrad: true }).exp().sum());
    expect(Array.from(await fine.dataAsync())[0]).toBeCloseTo(Math.E + Math.E ** 2, 4);
    detectAnomaly(() => tensor([-1], { device: 'webgpu' }).sqrt());
    await expect(webgpuSync()).rejects.toThrow(/sqrt forward produced NaN at flat index 0 of shape \[1\]/);
    await expect(webgpuSync()).resolves.toBeUndefined();
    // outside anomaly mode a NaN is a value like any other
    expect(Array.from(await tensor([-1], { device: 'webgpu' }).sqrt().dataAsync())[0]).toBeNaN();
  });
});
