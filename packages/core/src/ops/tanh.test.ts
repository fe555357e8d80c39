// tanh: derivative 1 - tanh(x)^2.
import { Generator, getKernelBackend, setKernelBackend, tensor } from '@tapegrad/core';
import { describeOp } from '../../test/op-cases';

describeOp('tanh');

describe('tanh of float32 tensors', () => {
  // The float32 kernel is a rational approximation; its bound is in float32 ulps of the exact Math.tanh value.
  function ulpError(got: number, exact: number): number {
    const magnitude = Math.abs(Math.fround(exact));
    const ulp = magnitude === 0 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(magnitude)) - 23);
    return Math.abs(got - exact) / ulp;
  }

  it('stays within 3 float32 ulps of Math.tanh over eight decades of |x|, both signs', () => {
    const g = new Generator(7);
    const values = Float32Array.from({ length: 200_000 }, () => (g.uniform() < 0.5 ? -1 : 1) * 10 ** (-7 + 8 * g.uniform()));
    const y = tensor(values, { dtype: 'float32' }).tanh();
    let worst = 0;
    for (let i = 0; i < values.length; i++) worst = Math.max(worst, ulpError(y.data[i], Math.tanh(values[i])));
    expect(worst).toBeLessThanOrEqual(3);
  });

  it('is exact at 0, -0, the saturated ends, infinities and NaN', () => {
    const y = tensor(Float32Array.of(0, -0, 12, -30, Infinity, -Infinity, NaN), { dtype: 'float32' }).tanh();
    expect(Array.from(y.data)).toEqual([0, -0, 1, -1, 1, -1, NaN]);
  });

  it('is an odd function, bit for bit', () => {
    const x = tensor(Float32Array.of(0.1, 0.5, 1.5, 3, 7.5), { dtype: 'float32' });
    expect(Array.from(x.neg().tanh().data)).toEqual(Array.from(x.tanh().data, (v) => -v));
  });

  it('gives the same bits on the WebAssembly and the TypeScript kernels, odd lengths and values past the limit included', () => {
    // wasm/tanh.ts evaluates the same rational form in the same order, two lanes at a time; it leaves an odd last
    // element and |x| >= 7.905 (where float32 tanh is not yet 1) to the TypeScript loop.
    const g = new Generator(11);
    const special = [0, -0, 7.9, 7.95, -8.5, 9.1, 12, Infinity, -Infinity, NaN, 1e-30, -1e-7];
    const previous = getKernelBackend();
    try {
      for (const length of [1, 2, 3, 255, 256, 257, 4099]) {
        const values = Float32Array.from({ length }, (_, i) => (i % 7 === 3 ? special[i % special.length] : (g.uniform() - 0.5) * 20));
        setKernelBackend('js');
        const js = tensor(values, { dtype: 'float32' }).tanh().data;
        setKernelBackend('wasm');
        const wasm = tensor(values, { dtype: 'float32' }).tanh().data;
        expect(new Uint32Array(wasm.buffer, wasm.byteOffset, length)).toEqual(new Uint32Array(js.buffer, js.byteOffset, length));
      }
    } finally {
      setKernelBackend(previous);
    }
  });
});
