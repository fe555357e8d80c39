// checkpoint(fn): one op on the tape that keeps only its inputs and recomputes fn during backward. Same values and
// gradients as fn itself, through backward(), grad (to second order), jvp and jvp of grad; random draws replayed.
import { GradError, type Scalar, type Tensor, checkpoint, grad, jvp, rand, randn, scalar, seed, tapeOf, tensor } from '@tapegrad/core';
import { checkDuality } from '@tapegrad/gradcheck';

seed(11);
const w1 = randn([3, 4], { dtype: 'float64' });
const w2 = randn([4, 2], { dtype: 'float64' });
const block = (x: Tensor, a: Tensor, b: Tensor) => x.matmul(a).tanh().matmul(b).sin();
const loss = (f: typeof block) => (x: Tensor, a: Tensor, b: Tensor) => f(x, a, b).square().sum();

function leaves() {
  return [
    tensor(
      [
        [0.3, -0.2, 0.9],
        [1.1, 0.4, -0.6],
      ],
      { requiresGrad: true },
    ),
    w1.detach().setRequiresGrad(true),
    w2.detach().setRequiresGrad(true),
  ];
}

describe('checkpoint', () => {
  it("gives the same value and .grad through backward(), with one op on the tape instead of fn's", () => {
    const plain = leaves();
    const y = loss(block)(...(plain as [Tensor, Tensor, Tensor]));
    y.backward();
    const ck = leaves();
    const out = checkpoint(block)(...(ck as [Tensor, Tensor, Tensor]));
    const yc = out.square().sum();
    yc.backward();
    expect(yc.item()).toBe(y.item());
    ck.forEach((x, i) => expect(Array.from(x.grad!.data)).toEqual(Array.from(plain[i].grad!.data)));
    expect(out.creator!.op.name).toBe('checkpoint');
    expect(tapeOf(out).map((r) => r.op)).toEqual(['checkpoint']);
  });

  it('runs fn once forward and once more during backward', () => {
    let calls = 0;
    const counted = checkpoint((x: Tensor) => {
      calls++;
      return x.exp().mul(x);
    });
    const x = tensor([0.5, 1], { requiresGrad: true });
    const y = counted(x).sum();
    expect(calls).toBe(1);
    y.backward();
    expect(calls).toBe(2);
    expect(Array.from(x.grad!.data)).toBeAllClose(
      [0.5, 1].map((v) => Math.exp(v) * (1 + v)),
      { rtol: 1e-15 },
    );
  });

  it('gives the same gradients through grad, and second derivatives through grad of grad', () => {
    const [x, a, b] = leaves().map((t) => t.detach());
    const plain = grad(loss(block), { argnums: [0, 1, 2] })(x, a, b);
    const ck = grad(loss(checkpoint(block)), { argnums: [0, 1, 2] })(x, a, b);
    ck.forEach((g, i) => expect(Array.from(g.data)).toBeAllClose(Array.from(plain[i].data), { rtol: 1e-14, atol: 1e-15 }));
    const second = (f: typeof block) => grad((v: Tensor) => grad(loss(f))(v, a, b).sum())(x);
    expect(Array.from(second(checkpoint(block)).data)).toBeAllClose(Array.from(second(block).data), { rtol: 1e-13, atol: 1e-14 });
  });

  it('carries tangents in forward mode, and passes the duality check to second order', () => {
    const [x, a, b] = leaves().map((t) => t.detach());
    const u = tensor([
      [1, 0, -1],
      [0.5, 2, 0],
    ]);
    const [, tPlain] = jvp((v: Tensor) => loss(block)(v, a, b), [x], [u]);
    const [, tCk] = jvp((v: Tensor) => loss(checkpoint(block))(v, a, b), [x], [u]);
    expect(tCk.item()).toBeCloseTo(tPlain.item(), 13);
    const report = checkDuality(checkpoint(block), leaves(), { secondOrder: true });
    expect(report.toString()).toMatch(/^checkDuality: passed/);
  });

  it('replays the random draws of the first run when it recomputes (a dropout mask)', () => {
    const dropout = checkpoint((x: Tensor) => x.mul(rand(x.shape, { dtype: 'float64' }).sub(0.5).relu().mul(2)));
    seed(3);
    const x = tensor([1, 2, 3, 4, 5, 6], { requiresGrad: true });
    const y = dropout(x);
    const mask = Array.from(y.data, (v, i) => v / x.data[i]);
    const afterForward = rand([1]).item();
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toBeAllClose(mask, { rtol: 1e-15 });
    // ...and leaves the generator where the forward pass left it.
    seed(3);
    rand([6]);
    expect(rand([1]).item()).toBe(afterForward);
  });

  it('works on Scalars and passes non-node arguments through', () => {
    const f = checkpoint((s: Scalar, k: number) => s.mul(s).mul(k));
    const s = scalar(3);
    f(s, 2).backward();
    expect(s.grad).toBe(12);
    expect(grad((t: Scalar) => f(t, 5))(2).value).toBe(20);
  });

  it('refuses a function that does not return one node', () => {
    const bad = checkpoint(((x: Tensor) => [x, x]) as unknown as (x: Tensor) => Tensor);
    expect(() => bad(tensor([1], { requiresGrad: true }))).toThrow(GradError);
  });
});
