// Whole Jacobians and Hessians (jacrev, jacfwd, jacobian, hessian, hvp): JAX's shapes, against closed forms,
// against each other (reverse rows, forward columns), and against TensorFlow.js's tf.grad row by row.
import * as tf from '@tensorflow/tfjs';
import { GradError, type Scalar, type Tensor, concat, grad, hessian, hvp, jacfwd, jacobian, jacrev, scalar, tensor } from '@tapegrad/core';

const A = tensor([
  [0.5, -1, 2, 0.25],
  [1.5, 0.75, -0.5, 3],
  [-2, 1, 0.125, -0.5],
]);
const x0 = tensor([0.3, -0.7, 1.1, 0.4]);
const transforms = { jacrev, jacfwd, jacobian } as const;

describe.each(Object.entries(transforms))('%s', (_name, jac) => {
  it('of a linear map x -> A x is A, of shape [...out, ...arg]', () => {
    const J = jac((x: Tensor) => A.matmul(x))(x0);
    expect(J.shape).toEqual([3, 4]);
    expect(J.toArray()).toEqual(A.toArray());
  });

  it('of an elementwise map is diagonal: d sin(x)_i / dx_j = cos(x_i) [i = j], with a matrix output and argument', () => {
    const x = tensor([
      [0.1, 0.2],
      [0.3, 0.4],
    ]);
    const J = jac((v: Tensor) => v.sin())(x);
    expect(J.shape).toEqual([2, 2, 2, 2]);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(J.data[i * 4 + j]).toBeCloseTo(i === j ? Math.cos(x.data[i]) : 0, 15);
  });

  it('gives one Tensor for a number argnums and a list for a list, for each output of a list', () => {
    const a = tensor([1, 2]);
    const b = tensor([3, 5, 7]);
    const f = (u: Tensor, v: Tensor) => [u.sum().mul(v), u.mul(u)] as const;
    const [Jb0, Jb1] = jac(f, { argnums: 1 })(a, b);
    expect(Jb0.shape).toEqual([3, 3]);
    expect(Jb0.toArray()).toEqual([
      [3, 0, 0],
      [0, 3, 0],
      [0, 0, 3],
    ]);
    expect(Jb1.toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    const [[J0a, J0b], [J1a, J1b]] = jac(f, { argnums: [0, 1] })(a, b);
    expect(J0a.toArray()).toEqual([
      [3, 3],
      [5, 5],
      [7, 7],
    ]);
    expect(J0b.shape).toEqual([3, 3]);
    expect(J1a.toArray()).toEqual([
      [2, 0],
      [0, 4],
    ]);
    expect(J1b.shape).toEqual([2, 3]);
  });

  it('of a Scalar function of a Scalar is a Scalar (the derivative)', () => {
    const d = jac((t: Scalar) => t.mul(t).mul(t))(2);
    expect(d.value).toBe(12);
  });

  it('passes aux data through with hasAux', () => {
    const [J, aux] = jac((x: Tensor) => [x.mul(2), 'aux'] as const, { hasAux: true })(tensor([1, 2]));
    expect(J.toArray()).toEqual([
      [2, 0],
      [0, 2],
    ]);
    expect(aux).toBe('aux');
  });

  it('passes the arguments it does not differentiate as given', () => {
    const J = jac((x: Tensor, k: number) => x.mul(k), { argnums: 0 })(tensor([1, 2]), 3);
    expect(J.toArray()).toEqual([
      [3, 0],
      [0, 3],
    ]);
  });

  it('gives the Jacobian of a two-link robot arm in closed form', () => {
    // The end point of an arm with links l1, l2 at joint angles q = (q1, q2).
    const [l1, l2] = [1.5, 0.8];
    const end = (q: Tensor) => {
      const q1 = q.slice([0], [1]);
      const q12 = q.sum().reshape([1]);
      return concat([q1.cos().mul(l1).add(q12.cos().mul(l2)), q1.sin().mul(l1).add(q12.sin().mul(l2))]);
    };
    const [q1, q2] = [0.4, 1.1];
    const J = jac(end)(tensor([q1, q2]));
    const [s1, c1, s12, c12] = [Math.sin(q1), Math.cos(q1), Math.sin(q1 + q2), Math.cos(q1 + q2)];
    expect(Array.from(J.data)).toBeAllClose([-l1 * s1 - l2 * s12, -l2 * s12, l1 * c1 + l2 * c12, l2 * c12], { rtol: 1e-15, atol: 1e-15 });
  });

  it('refuses argnums that name no argument', () => {
    expect(() => jac((x: Tensor) => x, { argnums: 2 })(tensor([1]))).toThrow(GradError);
  });
});

describe('jacobian picks the mode that needs fewer passes', () => {
  function counting<T extends unknown[], R>(f: (...args: T) => R): [(...args: T) => R, () => number] {
    let calls = 0;
    return [
      (...args: T) => {
        calls++;
        return f(...args);
      },
      () => calls,
    ];
  }

  it('reverse (one recorded pass) for a wide Jacobian, forward (one pass per input element) for a tall one', () => {
    const [wide, wideCalls] = counting((x: Tensor) => x.square().sum().reshape([1]));
    jacobian(wide)(tensor([1, 2, 3, 4]));
    expect(wideCalls()).toBe(1);
    const [tall, tallCalls] = counting((x: Tensor) => x.mul(tensor([1, 2, 3, 4, 5])));
    const J = jacobian(tall)(tensor([2]));
    expect(J.toArray()).toEqual([[1], [2], [3], [4], [5]]);
    expect(tallCalls()).toBe(2); // the recorded pass that measured the output, then one jvp
  });
});

describe('Jacobians cross-checked against TensorFlow.js', () => {
  it('has rows equal to tf.grad of each output element', async () => {
    await tf.setBackend('cpu');
    const x = [0.3, -0.9, 1.4];
    const f = (v: Tensor) => v.tanh().mul(v.sum()).add(v.exp().sum().log());
    const ours = jacrev(f)(tensor(x));
    const oursFwd = jacfwd(f)(tensor(x));
    for (let i = 0; i < 3; i++) {
      const row = tf.tidy(() => {
        const g = tf.grad((v: tf.Tensor) => {
          const y = tf.add(tf.mul(tf.tanh(v), tf.sum(v)), tf.log(tf.sum(tf.exp(v))));
          return tf.slice(y, [i], [1]).sum();
        });
        return Array.from(g(tf.tensor1d(x)).dataSync());
      });
      expect(Array.from(ours.data.slice(3 * i, 3 * i + 3))).toBeAllClose(row, { rtol: 1e-5, atol: 1e-6 });
    }
    expect(Array.from(oursFwd.data)).toBeAllClose(Array.from(ours.data), { rtol: 1e-14, atol: 1e-15 });
  });
});

describe('hessian', () => {
  it('of a quadratic form x^T M x is M + M^T', () => {
    const M = tensor([
      [1, 2, 0],
      [-1, 3, 0.5],
      [4, 0, -2],
    ]);
    const H = hessian((x: Tensor) => x.matmul(M.matmul(x)))(tensor([0.2, -0.4, 0.9]));
    expect(H.shape).toEqual([3, 3]);
    expect(H.toArray()).toEqual([
      [2, 1, 4],
      [1, 6, 0.5],
      [4, 0.5, -4],
    ]);
  });

  it('of logSumExp is diag(p) - p p^T, p = softmax(x)', () => {
    const x = tensor([0.5, -1, 2, 0.1]);
    const H = hessian((v: Tensor) => v.logSumExp())(x);
    const e = Array.from(x.data, Math.exp);
    const p = e.map((v) => v / e.reduce((s, w) => s + w, 0));
    const expected = p.flatMap((pi, i) => p.map((pj, j) => (i === j ? pi : 0) - pi * pj));
    expect(Array.from(H.data)).toBeAllClose(expected, { rtol: 1e-14, atol: 1e-16 });
  });

  it("of Rosenbrock's function matches its closed form", () => {
    const rosen = (v: Tensor) => {
      const [x, y] = [v.slice([0], [1]), v.slice([1], [1])];
      return x.neg().add(1).square().add(y.sub(x.square()).square().mul(100)).sum();
    };
    const [x, y] = [-1.2, 1];
    const H = hessian(rosen)(tensor([x, y]));
    expect(H.toArray()).toEqual([
      [2 - 400 * (y - x * x) + 800 * x * x, -400 * x],
      [-400 * x, 200],
    ]);
  });

  it('of a Scalar function is a Scalar, and gives blocks [[Haa, Hab], [Hba, Hbb]] for a list of argnums', () => {
    expect(hessian((t: Scalar) => t.sin())(0.5).value).toBeCloseTo(-Math.sin(0.5), 15);
    const [[Haa, Hab], [Hba, Hbb]] = hessian((a: Tensor, b: Tensor) => a.square().mul(b).sum(), { argnums: [0, 1] })(
      tensor([1, 2]),
      tensor([3, 4]),
    );
    expect(Haa.toArray()).toEqual([
      [6, 0],
      [0, 8],
    ]);
    expect(Hab.toArray()).toEqual([
      [2, 0],
      [0, 4],
    ]);
    expect(Hba.toArray()).toEqual(Hab.toArray());
    expect(Hbb.toArray()).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it('of a non-scalar output has shape [...out, ...arg, ...arg]', () => {
    const H = hessian((x: Tensor) => x.mul(x))(tensor([1, 2]));
    expect(H.shape).toEqual([2, 2, 2]);
    expect(Array.from(H.data)).toEqual([2, 0, 0, 0, 0, 0, 0, 2]);
  });
});

describe('hvp', () => {
  it('equals the Hessian times the vector, for each primal, without forming the Hessian', () => {
    const f = (a: Tensor, b: Tensor) => a.mul(b).sin().sum().add(a.square().sum().mul(b.sum()));
    const a = tensor([0.2, -0.5]);
    const b = tensor([1.1, 0.7]);
    const [va, vb] = [tensor([1, -2]), tensor([0.5, 3])];
    const [ha, hb] = hvp(f, [a, b], [va, vb]);
    const [[Haa, Hab], [Hba, Hbb]] = hessian(f, { argnums: [0, 1] })(a, b);
    const mv = (H: Tensor, v: Tensor) => H.matmul(v);
    expect(Array.from(ha.data)).toBeAllClose(Array.from(mv(Haa, va).add(mv(Hab, vb)).data), { rtol: 1e-14, atol: 1e-15 });
    expect(Array.from(hb.data)).toBeAllClose(Array.from(mv(Hba, va).add(mv(Hbb, vb)).data), { rtol: 1e-14, atol: 1e-15 });
  });

  it('works on Scalars: the second derivative of x^3 times v is 6 x v', () => {
    const [h] = hvp((x: Scalar) => x.mul(x).mul(x), [scalar(2)], [0.5]);
    expect(h.value).toBe(6);
  });
});

describe('Jacobians are differentiable', () => {
  it('so grad of a jacrev entry is a second derivative', () => {
    const d = grad((x: Tensor) => jacrev((v: Tensor) => v.pow(3))(x).sum())(tensor([1, 2]));
    expect(d.toArray()).toEqual([6, 12]);
  });
});
