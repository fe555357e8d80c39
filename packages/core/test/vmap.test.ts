// vmap: f written for one sample, run on a batch at once. Every result here is checked against f applied to each
// sample in a loop (or against a closed form), in float64.
import {
  GradError,
  type Scalar,
  ShapeError,
  type Tensor,
  TransformError,
  defineOp,
  embedding,
  grad,
  jvp,
  maxPool2d,
  noGrad,
  randn,
  scalar,
  stack,
  tensor,
  valuesForCheck,
  vmap,
  zeros,
} from '@tapegrad/core';
import { uniform } from './op-harness';

const close = (actual: Tensor, expected: Tensor) => {
  expect(actual.shape).toEqual(expected.shape);
  expect(Array.from(actual.data)).toBeAllClose(Array.from(expected.data), { rtol: 1e-12, atol: 1e-14 });
};
const rows = (x: Tensor) => Array.from({ length: x.shape[0] }, (_, i) => x.slice([i], [1]).squeeze(0));

// A small MLP's per-sample loss: softmax cross-entropy of tanh(x W1 + b1) W2 + b2 against an int32 label.
function mlpLoss(w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor, x: Tensor, label: Tensor): Tensor {
  const logits = x.matmul(w1).add(b1).tanh().matmul(w2).add(b2);
  return logits
    .logSoftmax(-1)
    .takeAlongAxis(label.reshape([1]), -1)
    .neg()
    .sum();
}
const params = (): [Tensor, Tensor, Tensor, Tensor] => [
  uniform([4, 5], -1, 1, { seed: 1 }),
  uniform([5], -1, 1, { seed: 2 }),
  uniform([5, 3], -1, 1, { seed: 3 }),
  uniform([3], -1, 1, { seed: 4 }),
];
const batch = () => ({
  xs: uniform([6, 4], -2, 2, { seed: 5, requiresGrad: false }),
  labels: tensor([2, 0, 1, 1, 2, 0], { dtype: 'int32' }),
});

describe('vmap', () => {
  it('maps over a batch axis, with the per-sample shape inside', () => {
    const shapes: number[][] = [];
    const f = (x: Tensor) => {
      shapes.push(x.shape.slice());
      return x.square().sum().sqrt();
    };
    const norms = vmap(f)(
      tensor([
        [3, 4],
        [6, 8],
        [0, 1],
      ]),
    );
    expect(shapes).toEqual([[2]]);
    expect(norms.toArray()).toEqual([5, 10, 1]);
  });

  it('takes a batch axis per argument (negative counts from the end) and puts the result where outAxes says', () => {
    const a = uniform([3, 2, 4], -1, 1, { seed: 1, requiresGrad: false }); // batch on axis -1 (4 samples of [3, 2])
    const b = uniform([4, 2], -1, 1, { seed: 2, requiresGrad: false }); // batch on axis 0 (4 samples of [2])
    const f = (x: Tensor, y: Tensor) => x.mul(y).exp();
    const y = vmap(f, { inAxes: [-1, 0], outAxes: 1 })(a, b);
    const loop = Array.from({ length: 4 }, (_, i) => f(a.slice([0, 0, i], [3, 2, 1]).squeeze(2), rows(b)[i]));
    close(y, stack(loop, 1));
  });

  it('passes an argument with inAxes null unchanged to every sample', () => {
    const w = uniform([3, 2], -1, 1, { seed: 3, requiresGrad: false });
    const xs = uniform([5, 3], -1, 1, { seed: 4, requiresGrad: false });
    const y = vmap((w: Tensor, x: Tensor) => x.matmul(w), { inAxes: [null, 0] })(w, xs);
    close(y, xs.matmul(w));
  });

  it('repeats an output that does not depend on a batched argument along the batch axis (as JAX)', () => {
    const c = tensor([1, 2]);
    const [same, fromX] = vmap((x: Tensor) => [c.mul(2), x.sum()], { outAxes: -1 })(zeros([3, 4]));
    expect(same.toArray()).toEqual([
      [2, 2, 2],
      [4, 4, 4],
    ]);
    expect(fromX.toArray()).toEqual([0, 0, 0]);
    expect(vmap((_x: Tensor) => scalar(7, { requiresGrad: false }))(zeros([2])).toArray()).toEqual([7, 7]);
  });

  it('returns nested lists of outputs with the same structure', () => {
    const xs = uniform([3, 2], -1, 1, { seed: 5, requiresGrad: false });
    const [a, [b, c]] = vmap((x: Tensor) => [x.exp(), [x.sum(), x.max()]] as const)(xs);
    close(a, xs.exp());
    close(b, xs.sum(1));
    close(c, xs.max(1));
  });

  it('nests: vmap(vmap(f)) maps over two axes, an inner function seeing the outer batched value too', () => {
    const xs = uniform([3, 4], -1, 1, { seed: 6, requiresGrad: false });
    const ys = uniform([5, 4], -1, 1, { seed: 7, requiresGrad: false });
    // Pairwise squared distances: outer over xs, inner over ys (the outer x is captured by the inner function).
    const d = vmap((x: Tensor) => vmap((y: Tensor) => x.sub(y).square().sum())(ys))(xs);
    const loop = rows(xs).map((x) => stack(rows(ys).map((y) => x.sub(y).square().sum())));
    close(d, stack(loop));
    // The same over a batch axis that is not first, and with the outer value batched again inside.
    const e = vmap((x: Tensor) => vmap((y: Tensor, x2: Tensor) => y.mul(x2).sum(), { inAxes: [1, null] })(ys.transpose(), x), {
      outAxes: 1,
    })(xs);
    close(
      e,
      stack(
        rows(xs).map((x) => stack(rows(ys).map((y) => y.mul(x).sum()))),
        1,
      ),
    );
  });

  it('gives per-sample gradients: vmap(grad(loss)) equals grad(loss) for each sample, for several argnums', () => {
    const p = params();
    const { xs, labels } = batch();
    const perSample = grad(mlpLoss, { argnums: [0, 1, 2, 3] });
    const batched = vmap(perSample, { inAxes: [null, null, null, null, 0, 0] })(...p, xs, labels);
    const loop = rows(xs).map((x, i) => perSample(...p, x, rows(labels)[i]));
    batched.forEach((g, j) => {
      expect(g.shape).toEqual([6, ...p[j].shape]);
      close(g, stack(loop.map((l) => l[j])));
    });
    // And their mean is the gradient of the mean loss.
    const mean = grad((w1: Tensor) => stack(rows(xs).map((x, i) => mlpLoss(w1, p[1], p[2], p[3], x, rows(labels)[i]))).mean())(p[0]);
    close(batched[0].mean(0), mean);
  });

  it('differentiates through vmap: grad of the mean of a vmapped loss', () => {
    const p = params();
    const { xs, labels } = batch();
    const viaVmap = grad((w1: Tensor) =>
      vmap(mlpLoss, { inAxes: [null, null, null, null, 0, 0] })(w1, p[1], p[2], p[3], xs, labels).mean(),
    )(p[0]);
    const viaLoop = grad((w1: Tensor) => stack(rows(xs).map((x, i) => mlpLoss(w1, p[1], p[2], p[3], x, rows(labels)[i]))).mean())(p[0]);
    close(viaVmap, viaLoop);
  });

  it('composes grad, vmap and grad: the gradient of the summed squared per-sample gradient norms', () => {
    const w = uniform([3], -1, 1, { seed: 8 });
    const xs = uniform([4, 3], -1, 1, { seed: 9, requiresGrad: false });
    const loss = (w: Tensor, x: Tensor) => x.mul(w).sin().sum();
    const norms = (w: Tensor) =>
      vmap(grad(loss), { inAxes: [null, 0] })(w, xs)
        .square()
        .sum();
    const loopNorms = (w: Tensor) => stack(rows(xs).map((x) => grad(loss)(w, x).square().sum())).sum();
    close(grad(norms)(w), grad(loopNorms)(w));
  });

  it('composes with forward mode both ways: vmap(jvp(f)) and jvp(vmap(f)) equal a loop of jvps', () => {
    const f = (x: Tensor, w: Tensor) => x.matmul(w).tanh().mul(x.sum());
    const w = uniform([3, 2], -1, 1, { seed: 20, requiresGrad: false });
    const xs = uniform([4, 3], -1, 1, { seed: 21, requiresGrad: false });
    const txs = uniform([4, 3], -1, 1, { seed: 22, requiresGrad: false });
    const tw = uniform([3, 2], -1, 1, { seed: 23, requiresGrad: false });
    const loop = rows(xs).map((x, i) => jvp(f, [x, w], [rows(txs)[i], tw]));
    const [ys, tys] = vmap((x: Tensor, t: Tensor) => jvp(f, [x, w], [t, tw]))(xs, txs);
    close(ys, stack(loop.map(([y]) => y)));
    close(tys, stack(loop.map(([, t]) => t)));
    const [ys2, tys2] = jvp((x: Tensor, w: Tensor) => vmap(f, { inAxes: [0, null] })(x, w), [xs, w], [txs, tw]);
    close(ys2, stack(loop.map(([y]) => y)));
    close(tys2, stack(loop.map(([, t]) => t)));
  });

  it('runs .backward() inside the function as well', () => {
    const xs = uniform([3, 2], -1, 1, { seed: 10, requiresGrad: false });
    const g = vmap((x: Tensor) => {
      const leaf = x.detach().setRequiresGrad(true);
      leaf.mul(leaf).mul(leaf).sum().backward();
      return leaf.grad!;
    })(xs);
    close(g, xs.square().mul(3));
  });

  it('changes a batched value in place, as a loop would', () => {
    const xs = uniform([3, 2], -1, 1, { seed: 11, requiresGrad: false });
    const ys = uniform([3, 2], -1, 1, { seed: 12, requiresGrad: false });
    const f = (x: Tensor, y: Tensor) => x.mul(1).addInPlace(y, 0.5).mulInPlace(2);
    close(vmap(f)(xs, ys), stack(rows(xs).map((x, i) => f(x, rows(ys)[i]))));
    close(vmap(f, { inAxes: [0, null] })(xs, ys.slice([0], [1]).squeeze(0)), stack(rows(xs).map((x) => f(x, rows(ys)[0]))));
  });

  it('argmax and argmin pick per sample', () => {
    const xs = tensor([
      [
        [1, 5],
        [7, 0],
      ],
      [
        [9, 2],
        [3, 4],
      ],
    ]);
    expect(vmap((x: Tensor) => x.argmax(0), { inAxes: 2 })(xs).toArray()).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(vmap((x: Tensor) => x.argmin(-1, true))(xs).toArray()).toEqual([
      [[0], [1]],
      [[1], [0]],
    ]);
  });
});

describe('vmap of an op without a batching rule', () => {
  // A user's op: y = x^3, written MulLayer-style with no batch rule; its backward saves a value of its own.
  const cube = defineOp({
    name: 'userCube',
    forward(ctx, x: Tensor) {
      const square = noGrad(() => x.mul(x));
      ctx.save(x, square);
      return square.mul(x);
    },
    backward(ctx, g: Tensor) {
      const [, square] = ctx.saved as Tensor[];
      return [g.mul(square).mul(3)];
    },
  });

  it('loops over the samples, warning once with the op name, and its gradient works inside and outside the vmap', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const xs = uniform([4, 3], -1, 1, { seed: 13 });
      close(vmap((x: Tensor) => cube(x).sum())(xs), xs.pow(3).sum(1));
      close(vmap(grad((x: Tensor) => cube(x).sum()))(xs), xs.square().mul(3));
      const outer = grad((x: Tensor) => vmap((r: Tensor) => cube(r).sum())(x).sum())(xs);
      close(outer, xs.square().mul(3));
      expect(warn.mock.calls.filter(([m]) => String(m).includes("'userCube'"))).toHaveLength(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/vmap: op 'userCube' has no batching rule/);
    } finally {
      warn.mockRestore();
    }
  });

  it('uses a batch rule when the op has one', () => {
    const twice = defineOp({
      name: 'userTwice',
      forward: (_ctx, x: Tensor) => x.mul(2),
      backward: (_ctx, g: Tensor) => [g.mul(2)],
      batch: (_ctx, x) => ({ value: x.value.mul(2), dim: x.dim! }),
    });
    const warn = jest.spyOn(console, 'warn');
    try {
      close(
        vmap((x: Tensor) => twice(x))(
          tensor([
            [1, 2],
            [3, 4],
          ]),
        ),
        tensor([
          [2, 4],
          [6, 8],
        ]),
      );
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('refuses a batch rule that returns the wrong batch, naming the op', () => {
    const bad = defineOp({
      name: 'userBad',
      forward: (_ctx, x: Tensor) => x.mul(1),
      backward: (_ctx, g: Tensor) => [g],
      batch: (_ctx, x) => ({ value: x.value.sum(x.dim!), dim: 0 }),
    });
    expect(() => vmap((x: Tensor) => bad(x))(zeros([3, 2]))).toThrow(GradError);
    expect(() => vmap((x: Tensor) => bad(x))(zeros([3, 2]))).toThrow(/userBad: its batch rule must return/);
  });
});

describe('vmap of built-in ops where a batch rule has no batched form for the case', () => {
  const ids = tensor([1, 0, 2, 1, 2, 2], { dtype: 'int32', shape: [2, 3] });

  it('batches an embedding lookup of batched indices in one table, and of one index list in batched tables', () => {
    const warn = jest.spyOn(console, 'warn');
    try {
      const table = uniform([3, 4], -1, 1, { seed: 21 });
      close(vmap((i: Tensor) => embedding(i, table))(ids), stack(rows(ids).map((i) => embedding(i, table))));
      const tables = uniform([2, 3, 4], -1, 1, { seed: 22 });
      const one = tensor([2, 0], { dtype: 'int32' });
      close(vmap((w: Tensor) => embedding(one, w, { paddingIdx: 0 }))(tables), stack(rows(tables).map((w) => embedding(one, w))));
      const g = vmap(grad((w: Tensor) => embedding(one, w, { paddingIdx: 0 }).square().sum()))(tables);
      // d/dw of sum(w[2]^2) + sum(w[0]^2), the padding row 0 getting no gradient: 2 w on row 2, zero elsewhere.
      close(g, stack(rows(tables).map((w) => w.mul(tensor([[0], [0], [2]])))));
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('batches batched indices into batched tables in one call, value and gradient equal to the loop of calls', () => {
    const warn = jest.spyOn(console, 'warn');
    try {
      // The tables' batch on axis 1 ([rows, batch, dim]), the indices' on axis 0.
      const tables = uniform([3, 2, 4], -1, 1, { seed: 23 });
      const perSample = [0, 1].map((b) => tables.slice([0, b, 0], [3, 1, 4]).reshape([3, 4]));
      const f = vmap((i: Tensor, w: Tensor) => embedding(i, w), { inAxes: [0, 1] });
      close(f(ids, tables), stack(rows(ids).map((i, b) => embedding(i, perSample[b]))));
      // Sample 1 looks up row 2 twice (ids [1, 2, 2]): its gradient sums both, as the loop's scatter-add does.
      const lossOf = (w: Tensor, i: Tensor) => embedding(i, w).tanh().sum();
      const g = vmap(grad(lossOf), { inAxes: [1, 0] })(tables, ids);
      close(g, stack(rows(ids).map((i, b) => grad(lossOf)(perSample[b], i))));
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('loops (warning once, naming the op and the batched operands) for batched indices into batched tables with a paddingIdx', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const tables = uniform([2, 3, 4], -1, 1, { seed: 23 });
      const f = vmap((i: Tensor, w: Tensor) => embedding(i, w, { paddingIdx: 0 }));
      close(f(ids, tables), stack(rows(ids).map((i, b) => embedding(i, rows(tables)[b], { paddingIdx: 0 }))));
      f(ids, tables);
      expect(warn.mock.calls.map(([m]) => String(m))).toEqual([
        "vmap: op 'embedding' runs once per sample with operands 0, 1 batched (its batch rule has no batched form for that combination), a loop rather than one batched call",
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it('max pooling inside two vmaps loops at the inner level and still equals the loop of calls', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const xs = uniform([2, 3, 1, 2, 4, 4], -1, 1, { seed: 24 });
      const pooled = vmap(vmap((x: Tensor) => maxPool2d(x, 2)))(xs);
      close(pooled, stack(rows(xs).map((x) => stack(rows(x).map((s) => maxPool2d(s, 2))))));
      expect(warn.mock.calls.map(([m]) => String(m)).join('\n')).toMatch(/op 'maxPool2d' runs once per sample/);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('valuesForCheck', () => {
  it("gives a tensor's own values outside vmap, and every sample's inside one, nested vmaps included", () => {
    const xs = tensor([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 8],
      ],
    ]);
    expect(Array.from(valuesForCheck(xs))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const seen: number[][] = [];
    const record = (x: Tensor) => {
      seen.push(Array.from(valuesForCheck(x)).sort((a, b) => a - b));
      return x.mul(2);
    };
    vmap(record)(xs);
    vmap(vmap(record), { inAxes: 1 })(xs);
    expect(seen).toEqual([
      [1, 2, 3, 4, 5, 6, 7, 8],
      [1, 2, 3, 4, 5, 6, 7, 8],
    ]);
    // The batched tensor's own values stay unreadable: only the check's view sees them.
    expect(() => vmap((x: Tensor) => x.add(x.data[0]))(xs)).toThrow(TransformError);
    expect(() => valuesForCheck([1, 2] as unknown as Tensor)).toThrow(/valuesForCheck: expected a Tensor, got a list of 2/);
  });
});

describe('vmap errors', () => {
  const f = (x: Tensor, y: Tensor) => x.add(y);
  it('refuses batch axes of different sizes, naming vmap and the arguments', () => {
    expect(() => vmap(f)(zeros([3, 2]), zeros([4, 2]))).toThrow(ShapeError);
    expect(() => vmap(f)(zeros([3, 2]), zeros([4, 2]))).toThrow('vmap: the batch axes differ in size: argument 0 has 3, argument 1 has 4');
  });
  it('refuses an axis out of range, naming the argument and its shape', () => {
    expect(() => vmap(f, { inAxes: [0, 2] })(zeros([3, 2]), zeros([3, 2]))).toThrow(ShapeError);
    expect(() => vmap(f, { inAxes: [0, -3] })(zeros([3, 2]), zeros([3, 2]))).toThrow(
      'vmap: inAxes[1] = -3 is out of range for argument 1 of shape [3, 2] (rank 2)',
    );
    expect(() => vmap((x: Tensor) => x, { outAxes: 2 })(zeros([3]))).toThrow(
      'vmap: outAxes 2 is out of range for the output, of shape [] per sample (rank 1 batched)',
    );
  });
  it('refuses inAxes that do not fit the arguments', () => {
    expect(() => vmap(f, { inAxes: [0] })(zeros([3]), zeros([3]))).toThrow(TransformError);
    expect(() => vmap(f, { inAxes: [0] })(zeros([3]), zeros([3]))).toThrow(
      'vmap: inAxes has 1 entries, but the function was called with 2 arguments',
    );
    expect(() => vmap(f, { inAxes: [null, null] })(zeros([3]), zeros([3]))).toThrow('at least one must have a batch axis');
    expect(() => vmap(f, { inAxes: [0, 1.5] })(zeros([3]), zeros([3]))).toThrow(
      'vmap: inAxes[1] must be an integer or null, got number 1.5',
    );
    expect(() => vmap((s: Scalar) => s)(scalar(2))).toThrow('vmap: argument 0 has a batch axis but is a Scalar');
  });
  it('refuses to read the values of a batched tensor inside the function', () => {
    expect(() => vmap((x: Tensor) => tensor(x.item()))(zeros([3]))).toThrow(TransformError);
    expect(() => vmap((x: Tensor) => tensor(x.toArray() as number[]))(zeros([3, 2]))).toThrow(
      'vmap: the values of a batched tensor (shape [2] for each of 3 samples) cannot be read inside vmap',
    );
  });
  it('refuses a batched value used after its vmap returned', () => {
    let leaked: Tensor | null = null;
    vmap((x: Tensor) => {
      leaked = x;
      return x;
    })(zeros([3]));
    expect(() => leaked!.add(1)).toThrow(TransformError);
    expect(() => leaked!.add(1)).toThrow('vmap: a batched value (shape [] per sample) was used after its vmap returned');
  });
  it('refuses writing per-sample values into a tensor shared by every sample', () => {
    const shared = zeros([2]);
    expect(() => vmap((x: Tensor) => shared.addInPlace(x))(randn([3, 2]))).toThrow(TransformError);
    expect(() => vmap((x: Tensor) => shared.addInPlace(x))(randn([3, 2]))).toThrow(
      /vmap: addInPlace would write values that differ between samples/,
    );
  });
  it('shows a batched tensor with its samples when printed', () => {
    let shown = '';
    vmap((x: Tensor) => {
      shown = String(x);
      return x;
    })(
      tensor([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
    );
    expect(shown).toMatch(/^batched\(\[\[1\., 2\.\],/);
    expect(shown).toMatch(/shape=\[2\] per sample, batch axis 0 of 3/);
  });
});
