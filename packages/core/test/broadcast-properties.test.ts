// Property-based tests (fast-check) for broadcasting and gradient shapes: random shapes that broadcast, random
// elementwise programs with a random reduction, random upstream gradients. Each input's gradient must have the
// input's shape and dtype and agree with central differences (float64 gradcheck) or with the closed form. The
// seeds are fixed so CI is repeatable; change them (or drop them) to explore further.
import fc from 'fast-check';
import { Generator, type Tensor, tensor } from '@tapegrad/core';
import { gradcheck } from '@tapegrad/gradcheck';
import { broadcastMap, broadcastShape, sizeOf } from './op-harness';

type Shape = readonly number[];

/** An output shape (rank 0-4, sizes 1-3) and `count` operand shapes that broadcast to it: leading axes dropped, sizes set to 1. */
function broadcastingShapes(count: number): fc.Arbitrary<{ out: Shape; operands: Shape[] }> {
  return fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 4 }).chain((out) =>
    fc
      .array(
        fc.record({
          drop: fc.integer({ min: 0, max: out.length }),
          ones: fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
        }),
        { minLength: count, maxLength: count },
      )
      .map((specs) => ({ out, operands: specs.map(({ drop, ones }) => out.map((d, i) => (ones[i] ? 1 : d)).slice(drop)) })),
  );
}

function values(shape: Shape, seed: number, lo = -1.5, hi = 1.5, dtype: 'float64' | 'float32' = 'float64'): Tensor {
  const g = new Generator(seed);
  const data = Array.from({ length: sizeOf(shape) }, () => lo + (hi - lo) * g.uniform());
  return tensor(dtype === 'float64' ? Float64Array.from(data) : Float32Array.from(data), { shape, requiresGrad: true });
}

const UNARY: Array<[string, (x: Tensor) => Tensor]> = [
  ['tanh', (x) => x.tanh()],
  ['sin', (x) => x.sin()],
  ['exp(tanh)', (x) => x.tanh().exp()],
  ['square', (x) => x.square()],
  ['sigmoid', (x) => x.sigmoid()],
  ['softplus', (x) => x.softplus()],
  ['neg', (x) => x.neg()],
];
const BINARY: Array<[string, (a: Tensor, b: Tensor) => Tensor]> = [
  ['add', (a, b) => a.add(b)],
  ['sub', (a, b) => a.sub(b)],
  ['mul', (a, b) => a.mul(b)],
  ['div', (a, b) => a.div(b.softplus().add(0.5))], // kept away from 0
  ['pow', (a, b) => a.sigmoid().add(0.5).pow(b)], // positive base
];

/** A random program: each step applies a unary op to, or a binary op between, values computed so far. */
const program = fc.array(fc.record({ binary: fc.boolean(), op: fc.nat(), a: fc.nat(), b: fc.nat() }), { minLength: 1, maxLength: 6 });
type Program = Array<{ binary: boolean; op: number; a: number; b: number }>;

function run(steps: Program, inputs: readonly Tensor[]): Tensor {
  const pool = [...inputs];
  for (const s of steps) {
    const x = pool[s.a % pool.length];
    pool.push(s.binary ? BINARY[s.op % BINARY.length][1](x, pool[s.b % pool.length]) : UNARY[s.op % UNARY.length][1](x));
  }
  // The last value, combined with every input so that each of them reaches the output.
  return pool.slice(inputs.length).reduce((acc, v) => acc.add(v), pool[pool.length - 1].mul(inputs.reduce((p, x) => p.add(x))));
}

const REDUCTIONS: Array<[string, (x: Tensor, axes: number[], keep: boolean) => Tensor]> = [
  ['sum', (x, axes, keep) => x.sum(axes, keep)],
  ['mean', (x, axes, keep) => x.mean(axes, keep)],
  ['max', (x, axes, keep) => x.max(axes, keep)],
  ['logSumExp', (x, axes, keep) => x.logSumExp(axes, keep)],
  ['softmax', (x, axes) => (x.rank === 0 ? x : x.softmax(axes[0] ?? -1))],
  ['logSoftmax', (x, axes) => (x.rank === 0 ? x : x.logSoftmax(axes[0] ?? -1))],
];

describe('broadcasting (fast-check)', () => {
  it('gives the NumPy result shape and the value of index arithmetic for every binary op', () => {
    fc.assert(
      fc.property(broadcastingShapes(2), fc.integer({ min: 1, max: 1e6 }), ({ operands: [sa, sb] }, seed) => {
        const a = values(sa, seed);
        const b = values(sb, seed + 1, 0.5, 2);
        const cases: Array<[Tensor, (x: number, y: number) => number]> = [
          [a.add(b), (x, y) => x + y],
          [a.sub(b), (x, y) => x - y],
          [a.mul(b), (x, y) => x * y],
          [a.div(b), (x, y) => x / y],
          [b.pow(a), (x, y) => y ** x],
          [a.maximum(b), (x, y) => Math.max(x, y)],
        ];
        const expectedShape = broadcastShape(sa, sb);
        for (const [y, f] of cases) {
          expect(y.shape).toEqual(expectedShape);
          expect(Array.from(y.data)).toEqual(broadcastMap([a, b], f).data);
        }
      }),
      { seed: 1201, numRuns: 150 },
    );
  });

  it('sums the gradient of a broadcast operand back to its own shape: d sum(w (a * b)) / da = sum over the copies of w b', () => {
    fc.assert(
      fc.property(broadcastingShapes(2), fc.integer({ min: 1, max: 1e6 }), ({ operands: [sa, sb] }, seed) => {
        const a = values(sa, seed);
        const b = values(sb, seed + 1);
        const w = values(broadcastShape(sa, sb), seed + 2);
        a.mul(b).backward(w.detach());
        expect(a.grad!.shape).toEqual(sa);
        expect(b.grad!.shape).toEqual(sb);
        // Closed form by index arithmetic: each output element adds w * b to the element of a it was broadcast from.
        const expected = new Array<number>(a.size).fill(0);
        const ys = broadcastShape(sa, sb);
        for (let flat = 0; flat < sizeOf(ys); flat++) {
          const idx = unravel(flat, ys);
          expected[ravelFrom(idx, sa)] += w.data[flat] * b.data[ravelFrom(idx, sb)];
        }
        expect(Array.from(a.grad!.data)).toBeAllClose(expected, { rtol: 1e-12, atol: 1e-12 });
      }),
      { seed: 1202, numRuns: 150 },
    );
  });
});

describe('gradients of random elementwise programs with a random reduction (fast-check)', () => {
  it('give each input a gradient of its shape and dtype that matches central differences', () => {
    fc.assert(
      fc.property(
        broadcastingShapes(2),
        program,
        fc.nat(REDUCTIONS.length - 1),
        fc.array(fc.nat(3), { maxLength: 3 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 1e6 }),
        ({ operands }, steps, reduction, axisPicks, keepDims, seed) => {
          const inputs = operands.map((s, i) => values(s, seed + i));
          const reduce = (y: Tensor): Tensor => {
            const axes = [...new Set(axisPicks.map((k) => k % Math.max(1, y.rank)))].filter((k) => k < y.rank);
            return REDUCTIONS[reduction][1](y, axes, keepDims);
          };
          const f = (...xs: Tensor[]) => reduce(run(steps, xs));
          const y = f(...inputs);
          y.backward(values(y.shape, seed + 7).detach());
          inputs.forEach((x, i) => {
            expect(x.grad!.shape).toEqual(operands[i]);
            expect(x.grad!.dtype).toBe('float64');
          });
          const report = gradcheck(f, inputs, { atol: 1e-5, rtol: 1e-4 });
          if (!report.ok) throw new Error(`${REDUCTIONS[reduction][0]} of ${JSON.stringify(steps)}:\n${report.toString()}`);
        },
      ),
      { seed: 1203, numRuns: 150 },
    );
  });

  it("keep float32 gradients float32 and of their inputs' shapes, beside a float64 0-d weight", () => {
    fc.assert(
      fc.property(broadcastingShapes(2), program, fc.integer({ min: 1, max: 1e6 }), ({ operands }, steps, seed) => {
        const inputs = operands.map((s, i) => values(s, seed + i, -1.5, 1.5, 'float32'));
        const weight = values([], seed + 5);
        const h = run(steps, inputs);
        const y = h.mul(weight).sum();
        // A 0-d weight counts by category only beside axes; between two 0-d values promotion is the ordinary one.
        expect(y.dtype).toBe(h.rank > 0 ? 'float32' : 'float64');
        y.backward();
        inputs.forEach((x, i) => {
          expect(x.grad!.shape).toEqual(operands[i]);
          expect(x.grad!.dtype).toBe('float32');
        });
        expect(weight.grad!.dtype).toBe('float64');
        expect(weight.grad!.shape).toEqual([]);
      }),
      { seed: 1204, numRuns: 60 },
    );
  });
});

function unravel(flat: number, shape: Shape): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return idx;
}

/** The flat index in `shape` of the element an index of the broadcast result was taken from. */
function ravelFrom(idx: readonly number[], shape: Shape): number {
  const off = idx.length - shape.length;
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d] + (shape[d] === 1 ? 0 : idx[d + off]);
  return flat;
}
