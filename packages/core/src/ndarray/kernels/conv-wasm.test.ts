// The convolution's WebAssembly path (float32, one group: patch copies in wasm/patches.ts, the weight gradient's dot
// products on them in place) against its TypeScript path (convLimits.wasm = false: the patch copies of conv.ts, the
// same products): the same bits for the forward, dX and dW over strides, paddings, dilations, kernel shapes, chunks
// that cut images, sizes that are not multiples of the kernels' vectors and tiles, and NaN and -0 in the input.
// Both paths are checked against the definition elsewhere (ops/conv2d.test.ts); here, that the fast one changes nothing.
import { setGemmExecutor } from './backend/gemm-executor';
import { type KernelBackend, getKernelBackend, setKernelBackend } from './backend/kernel-backend';
import { type ConvGeometry, conv2dForward, conv2dForwardKeepingPatches, conv2dInputGrad, conv2dWeightGrad, convLimits } from './conv';
import { NDArray } from '../ndarray';
import { lcg } from '../../../test/lcg';

const next = lcg(4242);
/** Float32 values in [-0.5, 0.5), continuing one sequence. */
const random = (shape: number[]) =>
  new NDArray(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => next() / 2147483648 - 0.5),
    shape,
  );

interface Case {
  batch: number;
  c: number;
  o: number;
  size: [number, number];
  kernel: [number, number];
  stride?: [number, number];
  dilation?: [number, number];
  pad?: [number, number, number, number];
}

function geometry(s: Case): ConvGeometry {
  const [sh, sw] = s.stride ?? [1, 1];
  const [dh, dw] = s.dilation ?? [1, 1];
  const [pt, pb, pl, pr] = s.pad ?? [0, 0, 0, 0];
  const [h, w] = s.size;
  const [kh, kw] = s.kernel;
  return {
    batch: s.batch,
    inChannels: s.c,
    outChannels: s.o,
    groups: 1,
    height: h,
    width: w,
    kernelH: kh,
    kernelW: kw,
    strideH: sh,
    strideW: sw,
    dilationH: dh,
    dilationW: dw,
    padTop: pt,
    padLeft: pl,
    outH: Math.floor((h + pt + pb - dh * (kh - 1) - 1) / sh) + 1,
    outW: Math.floor((w + pl + pr - dw * (kw - 1) - 1) / sw) + 1,
  };
}

/** Forward, dX and dW with the WebAssembly path on or off. */
function run(g: ConvGeometry, x: NDArray, w: NDArray, dy: NDArray, wasm: boolean): Float32Array[] {
  const saved = convLimits.wasm;
  convLimits.wasm = wasm;
  try {
    return [conv2dForward(x, w, g), conv2dInputGrad(dy, w, g), conv2dWeightGrad(x, dy, g)].map((a) => a.data as Float32Array);
  } finally {
    convLimits.wasm = saved;
  }
}

const CASES: Array<[string, Case]> = [
  ["LeNet-5's first layer (5x5, padding 2), 3 images", { batch: 3, c: 1, o: 6, size: [28, 28], kernel: [5, 5], pad: [2, 2, 2, 2] }],
  ["LeNet-5's second layer (5x5 on 14x14)", { batch: 2, c: 6, o: 16, size: [14, 14], kernel: [5, 5] }],
  [
    'stride 2 with padding 1, odd output channels',
    { batch: 2, c: 3, o: 5, size: [9, 11], kernel: [3, 3], stride: [2, 2], pad: [1, 1, 1, 1] },
  ],
  [
    'stride 2 along the width only, uneven padding',
    { batch: 2, c: 2, o: 3, size: [7, 10], kernel: [3, 2], stride: [1, 2], pad: [0, 2, 1, 0] },
  ],
  ['dilation 2, a kernel wider than tall', { batch: 1, c: 2, o: 4, size: [8, 9], kernel: [2, 3], dilation: [2, 2], pad: [1, 1, 2, 2] }],
  ['1x1 kernel', { batch: 2, c: 5, o: 7, size: [3, 3], kernel: [1, 1] }],
  ['padding wider than the kernel reaches (rows of only zeros)', { batch: 1, c: 1, o: 2, size: [3, 4], kernel: [2, 2], pad: [3, 3, 3, 3] }],
  ['one output position', { batch: 3, c: 2, o: 3, size: [4, 4], kernel: [4, 4] }],
];

describe('the convolution on its WebAssembly path gives the TypeScript path bits', () => {
  let backend: KernelBackend;
  beforeAll(() => {
    backend = getKernelBackend();
    setKernelBackend('wasm');
  });
  afterAll(() => setKernelBackend(backend));

  it.each(CASES)('%s: forward, dX and dW', (_name, s) => {
    const g = geometry(s);
    const x = random([g.batch, g.inChannels, g.height, g.width]);
    const w = random([g.outChannels, g.inChannels, g.kernelH, g.kernelW]);
    const dy = random([g.batch, g.outChannels, g.outH, g.outW]);
    expect(run(g, x, w, dy, true)).toEqual(run(g, x, w, dy, false));
  });

  it('in chunks that cut images (every chunk size from one output row up), with NaN and -0 in the input', () => {
    const g = geometry({ batch: 3, c: 2, o: 3, size: [6, 7], kernel: [3, 3], pad: [1, 1, 1, 1] });
    const x = random([3, 2, 6, 7]);
    (x.data as Float32Array).set([NaN, -0, -0, Infinity], 40);
    const w = random([3, 2, 3, 3]);
    const dy = random([3, 3, 6, 7]);
    const saved = convLimits.colElements;
    try {
      for (const rows of [1, 2, 5, 18]) {
        convLimits.colElements = rows * 18 * 7;
        expect(run(g, x, w, dy, true)).toEqual(run(g, x, w, dy, false));
      }
    } finally {
      convLimits.colElements = saved;
    }
  });

  it('keeps no patch matrix on this path (the weight gradient copies them again), and keeps it on the other', () => {
    const g = geometry(CASES[1][1]);
    const x = random([2, 6, 14, 14]);
    const w = random([16, 6, 5, 5]);
    expect(conv2dForwardKeepingPatches(x, w, g).patches).toBeNull();
    convLimits.wasm = false;
    try {
      expect(conv2dForwardKeepingPatches(x, w, g).patches).not.toBeNull();
    } finally {
      convLimits.wasm = true;
    }
  });

  it("leaves float64, grouped convolutions and the 'js' backend to the TypeScript path", () => {
    // Observed through the kept patches: the TypeScript path keeps them, the WebAssembly path does not.
    const g = geometry(CASES[2][1]);
    const kept = (x: NDArray, w: NDArray, geometryOf = g) => conv2dForwardKeepingPatches(x, w, geometryOf).patches !== null;
    const x = random([2, 3, 9, 11]);
    const w = random([5, 3, 3, 3]);
    expect(kept(x, w)).toBe(false);
    expect(kept(new NDArray(Float64Array.from(x.data), x.shape), new NDArray(Float64Array.from(w.data), w.shape))).toBe(true);
    expect(kept(random([2, 4, 9, 11]), random([6, 2, 3, 3]), { ...g, inChannels: 4, outChannels: 6, groups: 2 })).toBe(true);
    setKernelBackend('js');
    expect(kept(x, w)).toBe(true);
    setKernelBackend('wasm');
  });

  it('with a parallel executor taking the products (in two halves of C), the same bits as on the calling thread', () => {
    const g = geometry(CASES[1][1]);
    const x = random([2, 6, 14, 14]);
    const w = random([16, 6, 5, 5]);
    const dy = random([2, 16, 10, 10]);
    const alone = run(g, x, w, dy, true);
    let calls = 0;
    // An executor that computes C in two bands of rows, each with the single-thread kernel, as a thread pool shares it.
    setGemmExecutor({
      gemm(A, ao, B, bo, C, co, m, n, k, tA, tB, kernel) {
        calls++;
        const half = m >> 1;
        if (tA || half === 0) return false;
        kernel(A, ao, B, bo, C, co, half, n, k, tA, tB);
        kernel(A, ao + half * k, B, bo, C, co + half * n, m - half, n, k, tA, tB);
        return true;
      },
    });
    try {
      expect(run(g, x, w, dy, true)).toEqual(alone);
      expect(calls).toBe(2); // the forward's product and dX's; dW's dot products stay on the calling thread
    } finally {
      setGemmExecutor(null);
    }
  });
});
