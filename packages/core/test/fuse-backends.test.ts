// fuse on each kernel backend: jest.config.ts runs this file in the 'js', 'wasm' and 'wasm-relaxed' projects (and on
// 'auto' in the main one). Where WebAssembly is chosen, float32 programs (and float64 ones where generated code is
// refused) run on the elementwise module's blocks (fusion/wasm-blocks.ts); every path must give the eager bits,
// values and gradients, at sizes under one block, across blocks, and not a multiple of four.
import { getKernelBackend, kernelSetNames, tensor, fuse, type Tensor } from '@tapegrad/core';
import { setGeneratedCode } from '../src/fusion/codegen';
import * as wasmBlocks from '../src/fusion/wasm-blocks';
import { type DT, checkRandomChains, sameBits } from './fuse-chains';

const backend = getKernelBackend();

// Rows of five elements: 5, 15 (under four groups of four), 4095 (just under one block of 4096), 8195 (two blocks and 3).
describe.each([
  ['a generated loop', true],
  ['no generated code', false],
])(`fuse on the ${backend} backend, %s`, (_, generated) => {
  beforeAll(() => setGeneratedCode(generated));
  afterAll(() => setGeneratedCode(true));

  test.each([1, 3, 819, 1639])('random chains on %i rows of 5 give the eager values and gradients, bit for bit', (rows) => {
    checkRandomChains(rows, rows < 100 ? 100 : 25);
  });
});

describe(`fuse on the ${backend} backend`, () => {
  // Around the rational form's limit (7.905…), where float32 tanh hands values to Math.tanh, and the special values.
  const specials = [7.9, -7.905311, 7.9053111, 8, -20, 1e30, NaN, Infinity, -Infinity, -0, 0, 3.5e-39, 0.5];
  const w4 = fuse((x, w, b) => x.mul(w).add(b).tanh().sum());
  const w4Map = fuse((x, w, b) => x.mul(w).add(b).tanh());

  test.each([
    ['float32', 3],
    ['float32', 4097],
    ['float32', 12290],
    ['float64', 4099],
    ['float64', 8193],
  ] as Array<[DT, number]>)("W4's chain on %s, %i elements with values past tanh's limit, NaN, Infinity and -0", (dtype, n) => {
    const data = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? specials[(i / 5) % specials.length] : Math.sin(i * 0.37) * 9));
    const run = (f: ((x: Tensor, w: Tensor, b: Tensor) => Tensor) | null, sum: boolean): Tensor[] => {
      const x = tensor(data, { dtype, requiresGrad: true });
      const w = tensor(1.3, { dtype, requiresGrad: true });
      const b = tensor(-0.2, { dtype, requiresGrad: true });
      const y = f !== null ? f(x, w, b) : sum ? x.mul(w).add(b).tanh().sum() : x.mul(w).add(b).tanh();
      y.backward(
        sum
          ? tensor(0.75, { dtype })
          : tensor(
              data.map((v, i) => (i % 3) - 0.5 + v * 0),
              { dtype },
            ),
      );
      return [y, x.grad!, w.grad!, b.grad!];
    };
    for (const sum of [true, false]) {
      const fused = run(sum ? w4 : w4Map, sum);
      const eager = run(null, sum);
      fused.forEach((t, i) => expect([sum, i, sameBits(t, eager[i])]).toEqual([sum, i, true]));
    }
  });

  test("float32 programs run on WebAssembly's blocks under 'wasm' (from 8192 elements under 'auto'), never under 'js'", () => {
    const spy = jest.spyOn(wasmBlocks, 'runOnWasm');
    try {
      const f = fuse((x, w) => x.mul(w).relu().sum());
      for (const n of [100, 9000]) {
        spy.mockClear();
        const x = tensor(
          Array.from({ length: n }, (_, i) => Math.cos(i)),
          { dtype: 'float32' },
        );
        const w = tensor(0.5, { dtype: 'float32', requiresGrad: true });
        f(x, w).backward();
        const ranOnWasm = spy.mock.results.some((r) => r.value !== undefined);
        const expected = backend === 'js' ? false : backend === 'auto' ? n >= 8192 : true;
        // An installed kernel set (the native project's) takes whole programs first.
        if (kernelSetNames().length === 0) expect([n, ranOnWasm]).toEqual([n, expected]);
      }
    } finally {
      spy.mockRestore();
    }
  });
});
