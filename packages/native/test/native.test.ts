// enableNative() in front of core's matmul: what it takes and what it hands on, the thread budget it shares with
// @tapegrad/threads in either order of enabling (helpers run from the sources, as in the threads package's tests),
// and the one-line fallback when the addon is unavailable.
import { type GemmExecutor, getGemmExecutor, setGemmExecutor, tensor } from '@tapegrad/core';
import { NATIVE_MIN_WORK, disableNative, enableNative, nativeAddon, nativeStatus } from '@tapegrad/native';
import { disableThreads, enableThreads } from '@tapegrad/threads';
import { addon, describeNative } from './native-addon';

jest.mock('../../threads/src/spawn', () => require('../../threads/test/source-workers').spawnModule());

const product = (dtype: 'float32' | 'float64' | 'int32', size = 24) =>
  tensor(new Float64Array(size * size).fill(1), { shape: [size, size], dtype }).matmul(
    tensor(new Float64Array(size * size).fill(2), { shape: [size, size], dtype }),
  );

/** A stand-in for the thread pool: records what it is offered and declines it. */
function recordingExecutor(threads: number): GemmExecutor & { offered: string[] } {
  const offered: string[] = [];
  return {
    offered,
    threads: () => threads,
    gemm(A) {
      offered.push(A.constructor.name);
      return false;
    },
  };
}

describeNative('enableNative', () => {
  afterEach(async () => {
    disableNative();
    await disableThreads();
    setGemmExecutor(null);
    jest.restoreAllMocks();
  });

  it('sends float products to OpenBLAS until disabled, and reports what it runs on', () => {
    const gemm = jest.spyOn(addon, 'gemm');
    expect(enableNative()).toBe(true);
    expect(nativeStatus()).toMatchObject({ active: true, available: true, threads: 1, blas: expect.stringMatching(/OpenBLAS/) });
    expect(product('float32').data[0]).toBe(48);
    expect(product('float64').data[0]).toBe(48);
    expect(gemm).toHaveBeenCalledTimes(2);
    disableNative();
    expect(nativeStatus().active).toBe(false);
    expect(getGemmExecutor()).toBeNull();
    product('float32');
    expect(gemm).toHaveBeenCalledTimes(2);
  });

  it(`leaves products under minWork (default ${NATIVE_MIN_WORK} multiply-adds) to core`, () => {
    const gemm = jest.spyOn(addon, 'gemm');
    enableNative();
    expect(product('float32', 7).data[0]).toBe(14);
    expect(gemm).not.toHaveBeenCalled();
    enableNative({ minWork: 0 });
    product('float32', 7);
    expect(gemm).toHaveBeenCalledTimes(1);
  });

  it('stands in front of the executor installed before it: hands it int32 products, follows its thread count, and puts it back', () => {
    const pool = recordingExecutor(3);
    setGemmExecutor(pool);
    const setThreads = jest.spyOn(addon, 'setThreads');
    enableNative();
    expect(nativeStatus().threads).toBe(3);
    product('float32');
    expect(setThreads).toHaveBeenLastCalledWith(3);
    expect(pool.offered).toEqual([]);
    expect(product('int32').data[0]).toBe(48);
    expect(pool.offered).toEqual(['Int32Array']);
    enableNative({ threads: 1 }); // enabling again keeps the same executor behind
    product('float32');
    expect(setThreads).toHaveBeenLastCalledWith(1);
    disableNative();
    expect(getGemmExecutor()).toBe(pool);
  });

  it('shares one thread budget with @tapegrad/threads, whichever is enabled first', async () => {
    const setThreads = jest.spyOn(addon, 'setThreads');
    const gemm = jest.spyOn(addon, 'gemm');
    for (const nativeFirst of [true, false]) {
      setThreads.mockClear();
      if (nativeFirst) enableNative();
      expect(await enableThreads({ threads: 2 })).toBe(2);
      if (!nativeFirst) enableNative();
      const front = getGemmExecutor();
      expect(nativeStatus()).toMatchObject({ active: true, threads: 2 });
      expect(front?.behind?.threads?.()).toBe(2);
      product('float32', 100);
      expect(setThreads).toHaveBeenLastCalledWith(2); // OpenBLAS splits the product; the pool's helper waits
      await disableThreads();
      expect(getGemmExecutor()).toBe(front);
      expect(front?.behind).toBeNull();
      product('float32', 100);
      expect(setThreads).toHaveBeenLastCalledWith(1);
      disableNative();
    }
    expect(gemm).toHaveBeenCalledTimes(4);
  }, 60_000);

  it('nativeAddon() hands out the raw kernels: OpenBLAS on plain typed arrays', () => {
    const c = new Float32Array(4);
    nativeAddon()!.gemm(new Float32Array([1, 2, 3, 4]), 0, new Float32Array([5, 6, 7, 8]), 0, c, 0, 2, 2, 2, false, false);
    expect(Array.from(c)).toEqual([19, 22, 43, 50]);
  });

  it('rejects a bad thread count or minWork', () => {
    expect(() => enableNative({ threads: 0 })).toThrow(/enableNative: threads must be a whole number of at least 1, got 0/);
    expect(() => enableNative({ threads: 1.5 })).toThrow(RangeError);
    expect(() => enableNative({ minWork: -1 })).toThrow(/minWork must be a number of multiply-adds >= 0/);
  });
});

describe('enableNative without the addon', () => {
  it('prints one line naming the reason, once, returns false and changes nothing', () => {
    jest.isolateModules(() => {
      jest.doMock('../src/addon', () => ({
        loadAddon: () => ({ addon: null, reason: 'not built at install: OpenBLAS headers not found' }),
      }));
      const native = require('../src/index') as typeof import('../src/index');
      const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
      const before = getGemmExecutor();
      expect(native.enableNative()).toBe(false);
      expect(native.enableNative()).toBe(false);
      expect(native.enableNative({ quiet: true })).toBe(false);
      expect(warn.mock.calls).toEqual([
        ['@tapegrad/native: not built at install: OpenBLAS headers not found; using the WebAssembly kernels'],
      ]);
      expect(getGemmExecutor()).toBe(before);
      expect(native.nativeStatus()).toEqual({
        active: false,
        available: false,
        reason: 'not built at install: OpenBLAS headers not found',
      });
      warn.mockRestore();
    });
  });
});
