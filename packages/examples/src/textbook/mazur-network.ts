/**
 * Seed 002's worked example (after Matt Mazur's step-by-step post): a 2-2-2 sigmoid network, inputs 0.05 and
 * 0.10, targets 0.01 and 0.99, E = sum 1/2 (target - out)^2, learning rate 0.5, weights w1..w8 trained and the
 * biases b1, b2 held fixed. Everything is computed with named Scalars on the tape.
 */
import { type Scalar, scalar, sweep } from '@tapegrad/core';

export const INPUTS = [0.05, 0.1] as const;
export const TARGETS = [0.01, 0.99] as const;
export const INITIAL_WEIGHTS = [0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55] as const;
export const BIASES = [0.35, 0.6] as const;
export const LEARNING_RATE = 0.5;

export interface MazurForward {
  readonly w: readonly Scalar[];
  readonly netH1: Scalar;
  readonly outH1: Scalar;
  readonly netH2: Scalar;
  readonly outH2: Scalar;
  readonly netO1: Scalar;
  readonly outO1: Scalar;
  readonly netO2: Scalar;
  readonly outO2: Scalar;
  readonly eO1: Scalar;
  readonly eO2: Scalar;
  readonly eTotal: Scalar;
}

function named<T extends Scalar>(s: T, name: string): T {
  s.name = name;
  return s;
}

/** The forward pass on the tape; w1 feeds i1 -> h1, w2 i2 -> h1, w3 i1 -> h2, w4 i2 -> h2, w5/w6 h1/h2 -> o1, w7/w8 -> o2. */
export function forward(weights: readonly number[] = INITIAL_WEIGHTS): MazurForward {
  const w = weights.map((v, k) => scalar(v, { name: `w${k + 1}` }));
  const [i1, i2] = INPUTS.map((v, k) => scalar(v, { name: `i${k + 1}`, requiresGrad: false }));
  const [b1, b2] = BIASES.map((v, k) => scalar(v, { name: `b${k + 1}`, requiresGrad: false }));
  // Every intermediate is named, so the tape listing and `explain` read like the document.
  const net = (wa: Scalar, a: Scalar, wb: Scalar, b: Scalar, bias: Scalar, name: string) =>
    named(
      named(wa.mul(a), `${wa.name}*${a.name}`)
        .add(named(wb.mul(b), `${wb.name}*${b.name}`))
        .add(named(bias.mul(1), `${bias.name}*1`)),
      name,
    );
  const halfSquaredError = (target: number, out: Scalar, name: string) => {
    const diff = named(scalar(target, { name: 'target', requiresGrad: false }).sub(out), `target-${out.name}`);
    return named(named(diff.square(), `(target-${out.name})^2`).mul(0.5), name);
  };
  const netH1 = net(w[0], i1, w[1], i2, b1, 'net_h1');
  const outH1 = named(netH1.sigmoid(), 'out_h1');
  const netH2 = net(w[2], i1, w[3], i2, b1, 'net_h2');
  const outH2 = named(netH2.sigmoid(), 'out_h2');
  const netO1 = net(w[4], outH1, w[5], outH2, b2, 'net_o1');
  const outO1 = named(netO1.sigmoid(), 'out_o1');
  const netO2 = net(w[6], outH1, w[7], outH2, b2, 'net_o2');
  const outO2 = named(netO2.sigmoid(), 'out_o2');
  const eO1 = halfSquaredError(TARGETS[0], outO1, 'E_o1');
  const eO2 = halfSquaredError(TARGETS[1], outO2, 'E_o2');
  const eTotal = named(eO1.add(eO2), 'E_total');
  return { w, netH1, outH1, netH2, outH2, netO1, outO1, netO2, outO2, eO1, eO2, eTotal };
}

/** d root / d target by a sweep that touches no `.grad` (the graph is kept). */
function partial(root: Scalar, target: Scalar): number {
  return sweep({ roots: [root], seeds: [scalar(1, { requiresGrad: false })], targets: [target], retainGraph: true })[0].item();
}

/** The local derivative d sigmoid(net) / d net at `net`, from the engine's sigmoid rule. */
function sigmoidSlope(net: number): number {
  const x = scalar(net);
  x.sigmoid().backward();
  return x.grad;
}

/** One gradient-descent step: every weight moves by -lr * dE/dw, all computed before any is changed. */
export function updatedWeights(weights: readonly number[]): number[] {
  const f = forward(weights);
  f.eTotal.backward();
  return f.w.map((w) => w.value - LEARNING_RATE * w.grad);
}

export interface MazurTrace {
  readonly forward: MazurForward;
  /** Every quantity the document prints, by key (see mazur-document.ts). */
  readonly values: Readonly<Record<string, number>>;
  /** w1..w8 after the first update. */
  readonly weightsAfterOne: readonly number[];
  /** E_total measured in the forward pass of the 10,000th iteration, i.e. after 9,999 updates. */
  readonly errorBeforeUpdate10000: number;
  /** out_o1 and out_o2 after all the updates. */
  readonly outputsAfter10000: readonly [number, number];
}

/** Runs the document's example: one forward/backward/update, then 10,000 updates in all. */
export function trace(updates = 10_000): MazurTrace {
  const f = forward();
  const { w } = f;
  f.eTotal.backward({ retainGraph: true });
  const after = w.map((x) => x.value - LEARNING_RATE * x.grad);
  let weights: number[] = after;
  let errorBefore = f.eTotal.value;
  for (let k = 1; k < updates; k++) {
    const g = forward(weights);
    errorBefore = g.eTotal.value;
    g.eTotal.backward();
    weights = g.w.map((x) => x.value - LEARNING_RATE * x.grad);
  }
  const last = forward(weights);
  const values: Record<string, number> = {
    net_h1: f.netH1.value,
    out_h1: f.outH1.value,
    net_h2: f.netH2.value,
    out_h2: f.outH2.value,
    net_o1: f.netO1.value,
    out_o1: f.outO1.value,
    net_o2: f.netO2.value,
    out_o2: f.outO2.value,
    E_o1: f.eO1.value,
    E_o2: f.eO2.value,
    E_total: f.eTotal.value,
    'dE_total/dout_o1': f.outO1.grad,
    'dout_o1/dnet_o1': sigmoidSlope(f.netO1.value),
    'dnet_o1/dw5': partial(f.netO1, w[4]),
    'dE_total/dw5': w[4].grad,
    w5: w[4].value,
    'w5+': after[4],
    'w6+': after[5],
    'w7+': after[6],
    'w8+': after[7],
    'dE_o1/dnet_o1': partial(f.eO1, f.netO1),
    'dnet_o1/dout_h1': partial(f.netO1, f.outH1),
    'dE_o1/dout_h1': partial(f.eO1, f.outH1),
    'dE_o2/dout_h1': partial(f.eO2, f.outH1),
    'dE_total/dout_h1': f.outH1.grad,
    'dout_h1/dnet_h1': sigmoidSlope(f.netH1.value),
    'dnet_h1/dw1': partial(f.netH1, w[0]),
    'dE_total/dw1': w[0].grad,
    'w1+': after[0],
    'w2+': after[1],
    'w3+': after[2],
    'w4+': after[3],
    'E_total after 1 update': forward(after).eTotal.value,
    [`E_total after ${updates} updates`]: last.eTotal.value,
  };
  return {
    forward: f,
    values,
    weightsAfterOne: after,
    errorBeforeUpdate10000: errorBefore,
    outputsAfter10000: [last.outO1.value, last.outO2.value],
  };
}
