// nn's optimisers on core's fused kernels (WebAssembly SIMD under the 'wasm' backend) against their own TypeScript
// loops (the 'js' backend), the oracle: the same parameters and state, bit for bit, after several steps, in float32
// and float64, at odd and even lengths, with NaN, infinities, signed zeros and subnormals among the gradients and
// parameters. Each case also checks which path ran, so a kernel that silently declined would fail here. Then each
// rule's kernel against PyTorch's update formulas worked by hand.
import * as fc from 'fast-check';
import {
  type DType,
  type DeviceOptimizerUpdate,
  type KernelBackend,
  type Tensor,
  getKernelBackend,
  setKernelBackend,
  tensor,
} from '@tapegrad/core';
import { AdaGrad, Adam, AdamW, type Optimizer, RMSprop, SGD } from '@tapegrad/nn';
import { wasmOptimizerStep } from '../src/optim/wasm-step';

type Make = (params: Tensor[]) => Optimizer<any>;
const CASES: Array<[string, Make]> = [
  ['SGD', (p) => new SGD(p, { lr: 0.1 })],
  ['SGD, weight decay', (p) => new SGD(p, { lr: 0.05, weightDecay: 0.3 })],
  ['SGD, momentum and dampening', (p) => new SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.25, weightDecay: 0.01 })],
  ['SGD, Nesterov', (p) => new SGD(p, { lr: 0.1, momentum: 0.8, nesterov: true, weightDecay: 0.02 })],
  ['Adam', (p) => new Adam(p, { lr: 0.01 })],
  ['Adam, L2 and AMSGrad', (p) => new Adam(p, { lr: 0.02, betas: [0.8, 0.95], weightDecay: 0.1, amsgrad: true, eps: 1e-6 })],
  ['AdamW', (p) => new AdamW(p, { lr: 0.03, weightDecay: 0.05 })],
  ['AdamW, AMSGrad', (p) => new AdamW(p, { lr: 0.03, amsgrad: true })],
  ['RMSprop', (p) => new RMSprop(p, { lr: 0.01 })],
  ['RMSprop, centered', (p) => new RMSprop(p, { lr: 0.01, centered: true, alpha: 0.9 })],
  ['RMSprop, momentum and weight decay', (p) => new RMSprop(p, { lr: 0.01, momentum: 0.7, weightDecay: 0.2 })],
  ['RMSprop, centered with momentum', (p) => new RMSprop(p, { lr: 0.02, momentum: 0.5, centered: true, eps: 0 })],
  ['AdaGrad', (p) => new AdaGrad(p, { lr: 0.1 })],
  ['AdaGrad, decay, L2 and a start', (p) => new AdaGrad(p, { lr: 0.1, lrDecay: 0.3, weightDecay: 0.1, initialAccumulatorValue: 0.1 })],
];

const specials = [NaN, Infinity, -Infinity, 0, -0, 1e-310, -5e-324, 3e38, -1.5, 1e-3];
const value = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -10, max: 10, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(...specials) },
);

/** Runs `steps` gradients through a fresh optimiser on the backend; returns the parameter and the state, and whether the loop ran. */
function train(make: Make, dtype: DType, p0: number[], grads: number[][], backend: KernelBackend) {
  const previous = getKernelBackend();
  setKernelBackend(backend);
  try {
    const p = tensor(p0, { dtype, requiresGrad: true });
    const opt = make([p]);
    const loop = jest.spyOn(opt as unknown as { update(): void }, 'update');
    for (const g of grads) {
      p.grad = tensor(g, { dtype });
      opt.step();
    }
    const ranLoop = loop.mock.calls.length > 0;
    loop.mockRestore();
    const state = Object.entries(opt.stateDict()).map(([k, t]) => [k, Array.from(t.data)] as const);
    return { values: Array.from(p.data), state, ranLoop };
  } finally {
    setKernelBackend(previous);
  }
}

const sameBits = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe.each(['float32', 'float64'] as const)('optimiser kernels in %s', (dtype) => {
  it.each(CASES)('%s: the TypeScript loop’s bits', (_name, make) => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 13 })
          .chain((n) =>
            fc.tuple(
              fc.array(value, { minLength: n, maxLength: n }),
              fc.array(fc.array(value, { minLength: n, maxLength: n }), { minLength: 1, maxLength: 3 }),
            ),
          ),
        ([p0, grads]) => {
          const loop = train(make, dtype, p0, grads, 'js');
          const kernel = train(make, dtype, p0, grads, 'wasm');
          expect(loop.ranLoop).toBe(true);
          expect(kernel.ranLoop).toBe(false);
          expect(sameBits(kernel.values, loop.values)).toBe(true);
          expect(kernel.state.map(([k]) => k)).toEqual(loop.state.map(([k]) => k));
          kernel.state.forEach(([key, values], i) => expect([key, sameBits(values, loop.state[i][1])]).toEqual([key, true]));
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("the 'auto' backend", () => {
  it('takes the kernel for a parameter of 4,096 elements or more, the loop below', () => {
    const big = train(
      (p) => new Adam(p),
      'float32',
      Array.from({ length: 4096 }, (_, i) => Math.sin(i)),
      [Array.from({ length: 4096 }, (_, i) => Math.cos(i))],
      'auto',
    );
    const small = train((p) => new Adam(p), 'float32', [1, 2, 3], [[0.5, -1, 2]], 'auto');
    expect([big.ranLoop, small.ranLoop]).toEqual([false, true]);
  });
});

// One step of each optimiser rule on the WebAssembly module against PyTorch's update formulas worked by hand, in
// float64 at an odd length (the padded lane).
describe('wasmOptimizerStep', () => {
  const g = [0.5, 0.25, -4];
  const sign = g.map(Math.sign);
  const sgd = { rule: 'sgd', lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, firstStep: true } as const;
  let previous: KernelBackend;
  beforeEach(() => {
    previous = getKernelBackend();
    setKernelBackend('wasm');
  });
  afterEach(() => setKernelBackend(previous));

  /** Runs `update` on p = [1, -2, 0.5] and the gradient above; returns p and the state after it. */
  function step(update: DeviceOptimizerUpdate, state: number[][] = []) {
    const p = new Float64Array([1, -2, 0.5]);
    const s = state.map((values) => Float64Array.from(values));
    expect(wasmOptimizerStep(update, p, Float64Array.from(g), s)).toBe(true);
    return { p: Array.from(p), state: s.map((a) => Array.from(a)) };
  }
  const close = (actual: number[], expected: number[]) => expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, 12));

  it('SGD: p - lr (g + wd p); with momentum the buffer starts as the gradient, then mu b + (1 - dampening) g', () => {
    close(step({ ...sgd, weightDecay: 0.2 }).p, [1 - 0.1 * (0.5 + 0.2), -2 - 0.1 * (0.25 - 0.4), 0.5 - 0.1 * (-4 + 0.1)]);
    const first = step({ ...sgd, momentum: 0.9 }, [[7, 7, 7]]);
    close(first.state[0], g);
    close(first.p, [0.95, -2.025, 0.9]);
    const later = step({ ...sgd, momentum: 0.9, dampening: 0.5, firstStep: false }, [g]);
    close(
      later.state[0],
      g.map((v) => 0.9 * v + 0.5 * v),
    );
    const nesterov = step({ ...sgd, momentum: 0.9, nesterov: true, firstStep: false }, [g]);
    close(
      nesterov.p,
      [1, -2, 0.5].map((p, i) => p - 0.1 * (g[i] + 0.9 * 1.9 * g[i])),
    );
  });

  it('Adam at step 1: the bias-corrected step is lr sign(g); AdamW shrinks p by (1 - lr wd) first; AMSGrad keeps the larger v', () => {
    const adam = { rule: 'adam', lr: 0.1, betas: [0.9, 0.999], eps: 0, weightDecay: 0, decoupled: false, amsgrad: false, step: 1 } as const;
    const plain = step(adam, [
      [0, 0, 0],
      [0, 0, 0],
    ]);
    close(
      plain.p,
      [1, -2, 0.5].map((p, i) => p - 0.1 * sign[i]),
    );
    close(
      plain.state[0],
      g.map((v) => 0.1 * v),
    );
    close(
      plain.state[1],
      g.map((v) => 0.001 * v * v),
    );
    close(
      step({ ...adam, decoupled: true, weightDecay: 0.5 }, [
        [0, 0, 0],
        [0, 0, 0],
      ]).p,
      [1, -2, 0.5].map((p, i) => p * 0.95 - 0.1 * sign[i]),
    );
    const ams = step({ ...adam, amsgrad: true }, [
      [0, 0, 0],
      [0, 0, 0],
      [1, 0, 0],
    ]);
    close(ams.state[2], [1, 0.001 * 0.0625, 0.001 * 16]);
    close(ams.p.slice(1), [-2 - 0.1 * sign[1], 0.5 - 0.1 * sign[2]]);
    close([ams.p[0]], [1 - (0.1 * 0.05) / 0.1 / (Math.sqrt(1) / Math.sqrt(0.001))]);
  });

  it('RMSprop: v = (1 - alpha) g^2, so p moves by lr g / sqrt(v); centered subtracts the mean squared; momentum buffers g / denom', () => {
    const rms = { rule: 'rmsprop', lr: 0.01, alpha: 0.99, eps: 0, weightDecay: 0, momentum: 0, centered: false } as const;
    const plain = step(rms, [[0, 0, 0]]);
    close(
      plain.p,
      [1, -2, 0.5].map((p, i) => p - 0.1 * sign[i]),
    );
    close(
      plain.state[0],
      g.map((v) => 0.01 * v * v),
    );
    // centered: v - gAvg^2 = 0.01 g^2 - 0.0001 g^2 = 0.0099 g^2.
    const centered = step({ ...rms, centered: true, momentum: 0.5 }, [
      [0, 0, 0],
      [0, 0, 0],
      [1, 1, 1],
    ]);
    const b = g.map((v) => 0.5 + v / Math.sqrt(0.0099 * v * v));
    close(centered.state[2], b);
    close(
      centered.p,
      [1, -2, 0.5].map((p, i) => p - 0.01 * b[i]),
    );
  });

  it('AdaGrad: sum += g^2 and p -= lr g / (sqrt(sum) + eps)', () => {
    const out = step({ rule: 'adagrad', lr: 0.3, weightDecay: 0, eps: 0 }, [[0.1, 0.1, 0.1]]);
    close(
      out.state[0],
      g.map((v) => 0.1 + v * v),
    );
    close(
      out.p,
      [1, -2, 0.5].map((p, i) => p - (0.3 * g[i]) / Math.sqrt(0.1 + g[i] * g[i])),
    );
  });

  it("declines under 'js', below 4,096 elements under 'auto', and for mixed or int32 arrays, changing nothing", () => {
    const p = new Float32Array(4096).fill(1);
    const grad = new Float32Array(4096).fill(0.5);
    setKernelBackend('js');
    expect(wasmOptimizerStep(sgd, p, grad, [])).toBe(false);
    setKernelBackend('auto');
    expect(wasmOptimizerStep(sgd, p.subarray(0, 4095), grad.subarray(0, 4095), [])).toBe(false);
    expect(p.every((v) => v === 1)).toBe(true);
    expect(wasmOptimizerStep(sgd, p, grad, [])).toBe(true);
    expect(p.every((v) => v === Math.fround(1 - 0.05))).toBe(true);
    setKernelBackend('wasm');
    expect(wasmOptimizerStep(sgd, new Float32Array(2), new Float64Array(2), [])).toBe(false);
    expect(wasmOptimizerStep(sgd, new Int32Array(2), new Int32Array(2), [])).toBe(false);
    expect(wasmOptimizerStep({ ...sgd, momentum: 0.9 }, new Float64Array(2), new Float64Array(2), [new Float64Array(3)])).toBe(false);
  });
});
