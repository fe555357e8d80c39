/**
 * Seed 000: a one-hidden-layer network z = f(XW + b), a = zV + c, y = g(a), trained by maximising the
 * log-likelihood Ln. Its boxed closed forms are
 *   (18)  dLn/dV_mk = sum_n (t_nk - y_nk) z_nm
 *   (30)  dLn/dW_dm = sum_n sum_k (t_nk - y_nk) V_mk z_nm (1 - z_nm) x_nd
 * (30) is written for a sigmoid hidden layer; for any f the factor z(1 - z) is f'(XW + b): 1 - z^2 for tanh,
 * [XW + b > 0] for ReLU. Both forms need dLn/da = t - y, which holds for each output g paired with its own
 * log-likelihood: softmax with sum t ln y, sigmoid with the Bernoulli one, linear with -1/2 sum (t - a)^2.
 * The closed forms below are evaluated with plain loops, independently of the engine, and compared with the tape.
 */
import { Generator, type Tensor, randn, tensor } from '@tapegrad/core';

export type Hidden = 'sigmoid' | 'tanh' | 'relu';
export type Output = 'softmax' | 'sigmoid' | 'linear';
export const HIDDEN: readonly Hidden[] = ['sigmoid', 'tanh', 'relu'];
export const OUTPUT: readonly Output[] = ['softmax', 'sigmoid', 'linear'];

export interface Network {
  readonly X: Tensor; // N x D
  readonly T: Tensor; // N x K
  readonly W: Tensor; // D x M
  readonly b: Tensor; // M
  readonly V: Tensor; // M x K
  readonly c: Tensor; // K
}

/** A random network and data set (N = 6 examples, D = 4 features, M = 5 hidden units, K = 3 outputs). */
export function randomNetwork(output: Output, seedValue = 0, sizes = { N: 6, D: 4, M: 5, K: 3 }): Network {
  const g = new Generator(seedValue);
  const { N, D, M, K } = sizes;
  const targets: number[][] = [];
  for (let n = 0; n < N; n++) {
    if (output === 'softmax') {
      const k = Math.floor(g.uniform() * K);
      targets.push(Array.from({ length: K }, (_, j) => (j === k ? 1 : 0)));
    } else if (output === 'sigmoid') targets.push(Array.from({ length: K }, () => (g.uniform() < 0.5 ? 1 : 0)));
    else targets.push(Array.from({ length: K }, () => g.normal()));
  }
  return {
    X: randn([N, D], { generator: g }),
    T: tensor(targets),
    W: randn([D, M], { generator: g }),
    b: randn([M], { generator: g, std: 0.5 }),
    V: randn([M, K], { generator: g }),
    c: randn([K], { generator: g, std: 0.5 }),
  };
}

/** dLn/dV and dLn/dW from the tape: Ln written with core ops, then one backward. */
export function tapeGradients(net: Network, hidden: Hidden, output: Output): { dV: Tensor; dW: Tensor } {
  const [W, b, V, c] = [net.W, net.b, net.V, net.c].map((p) => p.detach().setRequiresGrad());
  const pre = net.X.matmul(W).add(b);
  const z = hidden === 'sigmoid' ? pre.sigmoid() : hidden === 'tanh' ? pre.tanh() : pre.relu();
  const a = z.matmul(V).add(c);
  const T = net.T;
  let Ln: Tensor;
  if (output === 'softmax') Ln = T.mul(a.logSoftmax(-1)).sum();
  // ln sigmoid(a) = -softplus(-a) and ln(1 - sigmoid(a)) = -softplus(a), the stable forms.
  else if (output === 'sigmoid') Ln = T.mul(a.neg().softplus().neg()).add(T.neg().add(1).mul(a.softplus().neg())).sum();
  else Ln = T.sub(a).square().sum().mul(-0.5);
  Ln.backward();
  return { dV: V.grad!, dW: W.grad! };
}

type Matrix = number[][];

function rows(t: Tensor): Matrix {
  const r = t.rank === 1 ? [t.toArray() as number[]] : (t.toArray() as Matrix);
  return r;
}

function derivative(hidden: Hidden, pre: number, z: number): number {
  if (hidden === 'sigmoid') return z * (1 - z); // the (1 - z) z of formula (29)
  if (hidden === 'tanh') return 1 - z * z;
  return pre > 0 ? 1 : 0;
}

/** Formulas (18) and (30), evaluated with plain loops over the network's numbers. */
export function closedFormGradients(net: Network, hidden: Hidden, output: Output, fPrime: Hidden = hidden): { dV: Matrix; dW: Matrix } {
  const X = rows(net.X);
  const T = rows(net.T);
  const W = rows(net.W);
  const V = rows(net.V);
  const b = rows(net.b)[0];
  const c = rows(net.c)[0];
  const [N, D, M, K] = [X.length, W.length, V.length, c.length];
  const act = (p: number) => (hidden === 'sigmoid' ? 1 / (1 + Math.exp(-p)) : hidden === 'tanh' ? Math.tanh(p) : Math.max(0, p));
  const pre = X.map((x) => Array.from({ length: M }, (_, m) => b[m] + x.reduce((s, xd, d) => s + xd * W[d][m], 0)));
  const z = pre.map((row) => row.map(act));
  const a = z.map((zn) => Array.from({ length: K }, (_, k) => c[k] + zn.reduce((s, zm, m) => s + zm * V[m][k], 0)));
  const y = a.map((an) => {
    if (output === 'linear') return an.slice();
    if (output === 'sigmoid') return an.map((v) => 1 / (1 + Math.exp(-v)));
    const top = Math.max(...an);
    const e = an.map((v) => Math.exp(v - top));
    const s = e.reduce((p, q) => p + q, 0);
    return e.map((v) => v / s);
  });
  const dV = Array.from({ length: M }, (_, m) =>
    Array.from({ length: K }, (_, k) => {
      let s = 0;
      for (let n = 0; n < N; n++) s += (T[n][k] - y[n][k]) * z[n][m]; // (18)
      return s;
    }),
  );
  const dW = Array.from({ length: D }, (_, d) =>
    Array.from({ length: M }, (_, m) => {
      let s = 0;
      for (let n = 0; n < N; n++) {
        let back = 0;
        for (let k = 0; k < K; k++) back += (T[n][k] - y[n][k]) * V[m][k];
        s += back * derivative(fPrime, pre[n][m], z[n][m]) * X[n][d]; // (30), with f' for the hidden activation
      }
      return s;
    }),
  );
  return { dV, dW };
}

function maxDiff(t: Tensor, m: Matrix): number {
  const data = t.data;
  let worst = 0;
  m.flat().forEach((v, i) => (worst = Math.max(worst, Math.abs(v - data[i]))));
  return worst;
}

export interface FormulaCheck {
  readonly hidden: Hidden;
  readonly output: Output;
  /** Largest |tape - formula (18)| over dLn/dV. */
  readonly maxDiff18: number;
  /** Largest |tape - formula (30)| over dLn/dW (with f' generalised to the hidden activation). */
  readonly maxDiff30: number;
  /** Largest |tape - formula (30)| when its sigmoid factor z(1 - z) is used as printed, whatever f is. */
  readonly maxDiff30AsPrinted: number;
  /** Largest gradient entry, for scale. */
  readonly scale: number;
}

/** Compares the tape's gradients with (18) and (30) on one random network. */
export function checkFormulas(hidden: Hidden, output: Output, seedValue = 0): FormulaCheck {
  const net = randomNetwork(output, seedValue);
  const tape = tapeGradients(net, hidden, output);
  const closed = closedFormGradients(net, hidden, output);
  const printed = closedFormGradients(net, hidden, output, 'sigmoid');
  const scale = Math.max(...[...tape.dV.data, ...tape.dW.data].map(Math.abs));
  return {
    hidden,
    output,
    maxDiff18: maxDiff(tape.dV, closed.dV),
    maxDiff30: maxDiff(tape.dW, closed.dW),
    maxDiff30AsPrinted: maxDiff(tape.dW, printed.dW),
    scale,
  };
}
