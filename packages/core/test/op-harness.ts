/**
 * Shared, table-driven checks for op tests: seeded inputs away from kinks, independent oracles (broadcasting
 * and reductions by explicit index arithmetic, never through the kernels under test), and suites that run
 * the same checks over every shape case for unary, binary and reduction ops, on Tensors and on Scalars. Every
 * op's tangent rule (forward mode) is checked two ways: against its gradient rule by the duality
 * <v, J u> = <J^T v, u> (no finite difference: float64 rounding only), and against central differences.
 */
import { checkDuality, gradcheck, gradgradcheck } from '@tapegrad/gradcheck';
import { Generator, type Node, type Scalar, type Tensor, jvp, scalar, tensor } from '@tapegrad/core';

export type Shape = readonly number[];

/** Number of elements of a shape. */
export function sizeOf(shape: Shape): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** Flat index -> multi-index (row-major). */
export function unravel(i: number, shape: Shape): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

/** Multi-index -> flat index (row-major). */
export function ravel(idx: readonly number[], shape: Shape): number {
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d] + idx[d];
  return flat;
}

export interface UniformOptions {
  readonly seed?: number;
  /** Values closer than `gap` to any of these are redrawn (kinks, poles). */
  readonly avoid?: readonly number[];
  readonly gap?: number;
  readonly requiresGrad?: boolean;
  readonly dtype?: 'float64' | 'float32';
}

/** A seeded leaf with values uniform in [lo, hi), kept `gap` away from every point in `avoid`. */
export function uniform(shape: Shape, lo: number, hi: number, options: UniformOptions = {}): Tensor {
  const g = new Generator(options.seed ?? 1);
  const gap = options.gap ?? 0.05;
  const values = Array.from({ length: sizeOf(shape) }, () => {
    for (;;) {
      const v = lo + (hi - lo) * g.uniform();
      if (!(options.avoid ?? []).some((k) => Math.abs(v - k) < gap)) return v;
    }
  });
  const data = options.dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
  return tensor(data, { shape, requiresGrad: options.requiresGrad ?? true });
}

/** A seeded leaf whose values are pairwise at least 0.1 apart (no ties for max/min), in random order. */
export function distinct(shape: Shape, seed = 1): Tensor {
  const n = sizeOf(shape);
  const g = new Generator(seed);
  const values = Array.from({ length: n }, (_, i) => (i - n / 2) * 0.25 + 0.1 * g.uniform());
  for (let i = n - 1; i > 0; i--) {
    const j = g.int(i + 1);
    [values[i], values[j]] = [values[j], values[i]];
  }
  return tensor(Float64Array.from(values), { shape, requiresGrad: true });
}

/** The broadcast shape by NumPy's rule, written out independently of the library's. */
export function broadcastShape(...shapes: Shape[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) => Math.max(...shapes.map((s) => s[i - (rank - s.length)] ?? 1)));
}

/** Elementwise f over broadcast operands, by explicit index arithmetic. */
export function broadcastMap(
  operands: ReadonlyArray<{ shape: Shape; data: ArrayLike<number> }>,
  f: (...v: number[]) => number,
): { shape: number[]; data: number[] } {
  const shape = broadcastShape(...operands.map((o) => o.shape));
  const data = Array.from({ length: sizeOf(shape) }, (_, flat) => {
    const idx = unravel(flat, shape);
    const args = operands.map((o) => {
      const local = o.shape.map((d, k) => (d === 1 ? 0 : idx[k + shape.length - o.shape.length]));
      return o.data[ravel(local, o.shape)];
    });
    return f(...args);
  });
  return { shape, data };
}

/** A reduction over `axes` (any sign, undefined = all) by grouping elements on their kept index. */
export function reduceOracle(
  x: { shape: Shape; data: ArrayLike<number> },
  axis: number | readonly number[] | undefined,
  keepDims: boolean,
  combine: (values: number[]) => number,
): { shape: number[]; data: number[] } {
  const rank = x.shape.length;
  const list = axis === undefined ? x.shape.map((_, i) => i) : typeof axis === 'number' ? [axis] : axis;
  const axes = new Set(list.map((a) => (a < 0 ? a + rank : a)));
  const kept = x.shape.map((d, i) => (axes.has(i) ? 1 : d));
  const groups: number[][] = Array.from({ length: sizeOf(kept) }, () => []);
  for (let flat = 0; flat < sizeOf(x.shape); flat++) {
    const idx = unravel(flat, x.shape).map((v, i) => (axes.has(i) ? 0 : v));
    groups[ravel(idx, kept)].push(x.data[flat]);
  }
  const shape = keepDims ? kept : x.shape.filter((_, i) => !axes.has(i));
  return { shape, data: groups.map(combine) };
}

/** Expects a tensor to hold `expected` (shape and values within rtol). */
export function expectTensor(actual: Tensor, expected: { shape: Shape; data: ArrayLike<number> }, rtol = 1e-12, atol = 1e-12): void {
  expect(actual.shape).toEqual(expected.shape);
  expect(Array.from(actual.data)).toBeAllClose(Array.from(expected.data), { rtol, atol });
}

/** Makes a single-value output non-unit, so a rule that forgets dy cannot pass by multiplying by 1. */
export function scaled(f: (...xs: any[]) => Node): (...xs: any[]) => Node {
  return (...xs) => {
    const y = f(...xs);
    return y.size === 1 ? y.mul(-1.7) : y;
  };
}

/** Asserts gradcheck (and optionally gradgradcheck) pass, showing the report when they do not. */
export function expectGradients(
  f: (...xs: any[]) => Node,
  inputs: readonly Node[],
  options: { secondOrder?: boolean; eps?: number; atol?: number; rtol?: number } = {},
): void {
  const g = scaled(f);
  const report = gradcheck(g, inputs, options);
  expect(report.toString()).toMatch(/^gradcheck: passed/);
  if (options.secondOrder) {
    const second = gradgradcheck(g, inputs, options);
    expect(second.toString()).toMatch(/^gradgradcheck: passed/);
  }
}

/**
 * Asserts the op's forward mode is right: its tangents are dual to its gradients (<v, J u> = <J^T v, u> for random
 * u and v, relative 1e-12; with `secondOrder`, forward-over-reverse against reverse-over-reverse too), and they
 * match central differences (gradcheck of forward mode, one jvp per element).
 */
export function expectTangents(
  f: (...xs: any[]) => Node,
  inputs: readonly Node[],
  options: { secondOrder?: boolean; eps?: number; atol?: number; rtol?: number; dualityRtol?: number } = {},
): void {
  const duality = checkDuality(f, inputs, { secondOrder: options.secondOrder, rtol: options.dualityRtol });
  expect(duality.toString()).toMatch(/^checkDuality: passed/);
  const forward = gradcheck(scaled(f), inputs, { eps: options.eps, atol: options.atol, rtol: options.rtol, mode: 'forward' });
  expect(forward.toString()).toMatch(/^gradcheck \(forward mode\): passed/);
}

/**
 * The Scalar gradients of `apply` at `values` through the node form of each rule: a backward with createGraph
 * runs the rules on recorded nodes, where a plain backward over Scalars runs them on numbers. The two must agree.
 */
export function nodeRuleGrads(apply: (...xs: any[]) => any, values: readonly number[], seed: number): number[] {
  const xs = values.map((v) => scalar(v));
  (apply(...xs) as Scalar).backward({ seed, createGraph: true });
  return xs.map((x) => x.gradNode!.value);
}

/** A fixed non-unit upstream gradient of `shape`. */
export function upstream(shape: Shape, seed = 99): Tensor {
  return uniform(shape, 0.5, 1.5, { seed, requiresGrad: false }).mul(-1);
}

export const UNARY_SHAPES: Array<[Shape]> = [[[]], [[5]], [[2, 3]], [[2, 1, 3]]];

export interface UnaryCase {
  readonly name: string;
  /** Applies the op to a Scalar or a Tensor (through the method both kinds share). */
  readonly apply: (x: any) => any;
  /** The closed form of the value (Math.*). */
  readonly value: (x: number) => number;
  /** The closed form of the derivative. */
  readonly derivative: (x: number) => number;
  readonly domain?: readonly [number, number];
  /** Points to keep inputs away from (kinks). */
  readonly kinks?: readonly number[];
  /** Also run gradgradcheck (ops with a non-trivial second derivative). */
  readonly secondOrder?: boolean;
}

/** The standard proof of an elementwise unary op, on Tensors of every shape case and on Scalars. */
export function describeUnary(c: UnaryCase): void {
  const [lo, hi] = c.domain ?? [-2, 2];
  const input = (shape: Shape, seed = 1) => uniform(shape, lo, hi, { seed, avoid: c.kinks });
  describe(`${c.name} (unary op)`, () => {
    it.each(UNARY_SHAPES)('matches the closed form of the value on shape %j', (shape) => {
      const x = input(shape);
      expectTensor(c.apply(x), { shape, data: Array.from(x.data, c.value) }, 1e-13, 1e-15);
    });
    it.each(UNARY_SHAPES)('passes gradcheck on shape %j', (shape) => {
      expectGradients((t) => c.apply(t), [input(shape, 2)], { secondOrder: c.secondOrder });
    });
    it.each(UNARY_SHAPES)('has tangents dual to its gradients and matching central differences on shape %j', (shape) => {
      expectTangents((t) => c.apply(t), [input(shape, 7)], { secondOrder: c.secondOrder });
    });
    it("carries tangent tx * f'(x) in forward mode, on Tensors and on Scalars", () => {
      const x = input([2, 3], 8);
      const u = upstream([2, 3], 98);
      const [, t] = jvp((a: Tensor) => c.apply(a) as Tensor, [x], [u]);
      expect(Array.from(t.data)).toBeAllClose(
        Array.from(x.data, (v, i) => u.data[i] * c.derivative(v)),
        { rtol: 1e-12, atol: 1e-15 },
      );
      for (const v of input([3], 9).data) {
        const [y, ts] = jvp((s: Scalar) => c.apply(s) as Scalar, [v], [-0.7]);
        expect(y.value).toBeCloseTo(c.value(v), 13);
        expect(ts.value).toBeCloseTo(-0.7 * c.derivative(v), 12);
      }
      expectTangents((s) => c.apply(s), [scalar(input([1], 10).data[0])], { secondOrder: c.secondOrder });
    });
    it("backpropagates dy * f'(x) for a random upstream dy", () => {
      const x = input([2, 3], 3);
      const dy = upstream([2, 3]);
      c.apply(x).backward(dy);
      expect(Array.from(x.grad!.data)).toBeAllClose(
        Array.from(x.data, (v, i) => dy.data[i] * c.derivative(v)),
        { rtol: 1e-12, atol: 1e-15 },
      );
    });
    it('gives Scalars the same value and gradient', () => {
      for (const v of input([4], 4).data) {
        const s = scalar(v);
        const y = c.apply(s) as Scalar;
        expect(y.value).toBeCloseTo(c.value(v), 13);
        y.backward({ seed: 1.7 });
        expect(s.grad).toBeCloseTo(1.7 * c.derivative(v), 12);
        expect(s.grad).toBeCloseTo(nodeRuleGrads(c.apply, [v], 1.7)[0], 14);
      }
      expectGradients((s) => c.apply(s), [scalar(input([1], 5).data[0])], { secondOrder: c.secondOrder });
    });
    it('keeps float32 inputs in float32', () => {
      const x = uniform([3], lo, hi, { seed: 6, avoid: c.kinks, dtype: 'float32' });
      const y = c.apply(x) as Tensor;
      expect(y.dtype).toBe('float32');
      expect(Array.from(y.data)).toBeAllClose(Array.from(x.data, c.value), { rtol: 1e-6, atol: 1e-6 });
    });
  });
}

export const BINARY_SHAPES: Array<[Shape, Shape]> = [
  [
    [2, 3],
    [2, 3],
  ],
  [[2, 3], [3]],
  [
    [2, 1],
    [1, 3],
  ],
  [[2, 3], []],
  [[], [4]],
  [[], []],
  [[3], [2, 1, 3]],
  [
    [4, 1, 2],
    [3, 1],
  ],
];

export interface BinaryCase {
  readonly name: string;
  readonly apply: (a: any, b: any) => any;
  readonly value: (a: number, b: number) => number;
  readonly da: (a: number, b: number) => number;
  readonly db: (a: number, b: number) => number;
  readonly domainA?: readonly [number, number];
  readonly domainB?: readonly [number, number];
  readonly secondOrder?: boolean;
}

/** The standard proof of a broadcasting binary op, including plain-number and Scalar operands. */
export function describeBinary(c: BinaryCase): void {
  const [aLo, aHi] = c.domainA ?? [-2, 2];
  const [bLo, bHi] = c.domainB ?? [-2, 2];
  const inputs = (sa: Shape, sb: Shape, seed = 1): [Tensor, Tensor] => [
    uniform(sa, aLo, aHi, { seed }),
    uniform(sb, bLo, bHi, { seed: seed + 100 }),
  ];
  describe(`${c.name} (binary op)`, () => {
    it.each(BINARY_SHAPES)('matches the closed form with broadcasting: %j op %j', (sa, sb) => {
      const [a, b] = inputs(sa, sb);
      expectTensor(c.apply(a, b), broadcastMap([a, b], c.value), 1e-13, 1e-15);
    });
    it.each(BINARY_SHAPES)('passes gradcheck (gradients summed to each shape): %j op %j', (sa, sb) => {
      expectGradients((x, y) => c.apply(x, y), inputs(sa, sb, 2), { secondOrder: c.secondOrder });
    });
    it.each(BINARY_SHAPES)('has tangents dual to its gradients (tangents spread to the output shape): %j op %j', (sa, sb) => {
      expectTangents((x, y) => c.apply(x, y), inputs(sa, sb, 6), { secondOrder: c.secondOrder });
    });
    it('carries the closed-form partials times the tangents in forward mode, on Tensors and Scalars', () => {
      const [a, b] = inputs([2, 3], [2, 3], 7);
      const [ua, ub] = [upstream([2, 3], 96), upstream([2, 3], 97)];
      const [, t] = jvp((x: Tensor, y: Tensor) => c.apply(x, y) as Tensor, [a, b], [ua, ub]);
      const expected = Array.from(a.data, (v, i) => ua.data[i] * c.da(v, b.data[i]) + ub.data[i] * c.db(v, b.data[i]));
      expect(Array.from(t.data)).toBeAllClose(expected, { rtol: 1e-12, atol: 1e-15 });
      const [, ts] = jvp((x: Scalar, y: Scalar) => c.apply(x, y) as Scalar, [a.data[0], b.data[0]], [0.3, -1.1]);
      expect(ts.value).toBeCloseTo(0.3 * c.da(a.data[0], b.data[0]) - 1.1 * c.db(a.data[0], b.data[0]), 12);
      expectTangents((x, y) => c.apply(x, y), [scalar(a.data[1]), scalar(b.data[1])], { secondOrder: c.secondOrder });
    });
    it('backpropagates the closed-form partials times a random upstream dy', () => {
      const [a, b] = inputs([2, 3], [2, 3], 3);
      const dy = upstream([2, 3]);
      c.apply(a, b).backward(dy);
      const expectA = Array.from(a.data, (v, i) => dy.data[i] * c.da(v, b.data[i]));
      const expectB = Array.from(b.data, (v, i) => dy.data[i] * c.db(a.data[i], v));
      expect(Array.from(a.grad!.data)).toBeAllClose(expectA, { rtol: 1e-12, atol: 1e-15 });
      expect(Array.from(b.grad!.data)).toBeAllClose(expectB, { rtol: 1e-12, atol: 1e-15 });
    });
    it('takes a plain number as the other operand', () => {
      const [a] = inputs([2, 3], [], 4);
      const k = (bLo + bHi) / 2 + 0.123;
      expectTensor(c.apply(a, k), broadcastMap([a, { shape: [], data: [k] }], c.value), 1e-13, 1e-15);
      expectGradients((x) => c.apply(x, k), [a]);
    });
    it('gives Scalars the same value and partials', () => {
      const [a, b] = inputs([3], [3], 5);
      for (let i = 0; i < 3; i++) {
        const [sa, sb] = [scalar(a.data[i]), scalar(b.data[i])];
        const y = c.apply(sa, sb) as Scalar;
        expect(y.value).toBeCloseTo(c.value(a.data[i], b.data[i]), 13);
        y.backward({ seed: -1.3 });
        expect(sa.grad).toBeCloseTo(-1.3 * c.da(a.data[i], b.data[i]), 12);
        expect(sb.grad).toBeCloseTo(-1.3 * c.db(a.data[i], b.data[i]), 12);
        const [na, nb] = nodeRuleGrads(c.apply, [a.data[i], b.data[i]], -1.3);
        expect(sa.grad).toBeCloseTo(na, 14);
        expect(sb.grad).toBeCloseTo(nb, 14);
      }
      expectGradients((x, y) => c.apply(x, y), [scalar(a.data[0]), scalar(b.data[0])], { secondOrder: c.secondOrder });
    });
  });
}

/** Axis choices for a rank-3 input: every axis, negative ones, several, all. */
export const AXIS_CASES: Array<number | number[] | undefined> = [undefined, 0, 1, 2, -1, -2, -3, [0, 2], [-1, 0], [1, 2], [0, 1, 2]];

export const REDUCE_CASES: Array<[number | number[] | undefined, boolean]> = AXIS_CASES.flatMap(
  (a) =>
    [
      [a, false],
      [a, true],
    ] as Array<[number | number[] | undefined, boolean]>,
);

export interface ReductionCase {
  readonly name: string;
  readonly apply: (x: Tensor, axis: number | number[] | undefined, keepDims: boolean) => Tensor;
  /** Closed form over the values of one reduced group. */
  readonly combine: (values: number[]) => number;
  /** Inputs must be free of ties (max, min). */
  readonly distinctInputs?: boolean;
  readonly secondOrder?: boolean;
}

/** The standard proof of a reduction: every axis choice, with and without keepDims, on a [2, 3, 4] input. */
export function describeReduction(c: ReductionCase): void {
  const input = (seed: number) => (c.distinctInputs ? distinct([2, 3, 4], seed) : uniform([2, 3, 4], -2, 2, { seed }));
  describe(`${c.name} (reduction)`, () => {
    it.each(REDUCE_CASES)('matches the closed form over axis %j (keepDims %p)', (axis, keepDims) => {
      const x = input(1);
      expectTensor(c.apply(x, axis, keepDims), reduceOracle(x, axis, keepDims, c.combine), 1e-13, 1e-14);
    });
    it.each(REDUCE_CASES)('passes gradcheck over axis %j (keepDims %p)', (axis, keepDims) => {
      expectGradients((x) => c.apply(x, axis, keepDims), [input(2)], { secondOrder: c.secondOrder });
    });
    it.each(REDUCE_CASES)('has tangents dual to its gradients over axis %j (keepDims %p)', (axis, keepDims) => {
      expectTangents((x) => c.apply(x, axis, keepDims), [input(4)], { secondOrder: c.secondOrder });
    });
    it.each([[[]], [[5]]] as Array<[Shape]>)('reduces a rank-%j input over all axes', (shape) => {
      const x = c.distinctInputs ? distinct(shape, 3) : uniform(shape, -2, 2, { seed: 3 });
      expectTensor(c.apply(x, undefined, false), reduceOracle(x, undefined, false, c.combine), 1e-13, 1e-14);
      expectGradients((t) => c.apply(t, undefined, false), [x], { secondOrder: c.secondOrder });
    });
  });
}
