// W5's TF.js-wasm peer trains with a convolution gradient composed from the wasm backend's forward kernels
// (tfjs-backend-wasm has no Conv2DBackpropFilter). It must be TF.js's own gradient: checked here against the cpu
// backend's real Conv2DBackpropFilter/Conv2DBackpropInput kernels on the same numbers, on LeNet-5's two convolutions.
import * as tf from '@tensorflow/tfjs';
import { seededUniform } from '../src/data';
import { lenetRunner as tapegradLenet } from '../src/peers/tapegrad';
import { lenetRunner as tfjsLenet, tfjsCpuPeer, tfjsWasm1Peer } from '../src/peers/tfjs';
import { composedConv2d } from '../src/peers/tfjs-conv-grad';

interface ConvCase {
  readonly name: string;
  readonly x: number[];
  readonly w: number[];
  readonly pad: 'same' | 'valid';
}

// LeNet-5's layers at batch 3: conv 5x5 'same' 1 -> 6 on 28x28, conv 5x5 'valid' 6 -> 16 on 14x14.
const CASES: ConvCase[] = [
  { name: 'conv1 (5x5 same, 1 -> 6, 28x28)', x: [3, 28, 28, 1], w: [5, 5, 1, 6], pad: 'same' },
  { name: 'conv2 (5x5 valid, 6 -> 16, 14x14)', x: [3, 14, 14, 6], w: [5, 5, 6, 16], pad: 'valid' },
];

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function values(shape: number[], seed: number): Float32Array {
  const next = seededUniform(seed);
  return Float32Array.from({ length: size(shape) }, () => 2 * next() - 1);
}

interface Grads {
  readonly dx: Float32Array;
  readonly dw: Float32Array;
}

/** The gradients of sum(conv(x, w) · dy) with a random upstream dy (so every output's gradient counts differently). */
function gradients(c: ConvCase, conv: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D): Grads {
  return tf.tidy(() => {
    const x = tf.tensor4d(values(c.x, 1), c.x as [number, number, number, number]);
    const w = tf.tensor4d(values(c.w, 2), c.w as [number, number, number, number]);
    const out = conv(x, w);
    const dy = tf.tensor(values(out.shape, 3), out.shape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), dy)))([x, w]);
    return { dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
  });
}

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  }
  expect(scale).toBeGreaterThan(0.1);
  expect(worst).toBeLessThanOrEqual(1e-5 * scale);
}

describe("W5's TF.js-wasm convolution gradient, composed from the backend's forward kernels", () => {
  const reference = new Map<string, Grads>();
  beforeAll(async () => {
    await tfjsCpuPeer.init();
    for (const c of CASES)
      reference.set(
        c.name,
        gradients(c, (x, w) => tf.conv2d(x, w, 1, c.pad)),
      );
    await tfjsWasm1Peer.init();
  });
  afterAll(() => tfjsCpuPeer.init());

  it("is needed: tf.conv2d's own gradient throws on the wasm backend (no Conv2DBackpropFilter kernel)", () => {
    expect(() => gradients(CASES[1], (x, w) => tf.conv2d(x, w, 1, 'valid'))).toThrow(/Conv2DBackpropFilter/);
  });

  it.each(CASES)("gives the cpu backend's real filter and input gradients on $name", (c) => {
    const ours = gradients(c, (x, w) => composedConv2d(x, w, c.pad, true));
    expectClose(ours.dw, reference.get(c.name)!.dw);
    expectClose(ours.dx, reference.get(c.name)!.dx);
  });

  it('computes only the filter gradient for a first layer, and the same one', () => {
    const c = CASES[0];
    const x = tf.tensor4d(values(c.x, 1), c.x as [number, number, number, number]);
    const w = tf.tensor4d(values(c.w, 2), c.w as [number, number, number, number]);
    const dy = tf.tensor(values([3, 28, 28, 6], 3), [3, 28, 28, 6]);
    const dw = tf.grad((b: tf.Tensor) => tf.sum(tf.mul(composedConv2d(x, b as tf.Tensor4D, 'same', false), dy)))(w);
    expectClose(dw.dataSync() as Float32Array, reference.get(c.name)!.dw);
    tf.dispose([x, w, dy, dw]);
  });

  it('trains W5 as tapegrad does (batch 2): the same loss at the first step and after three SGD steps', () => {
    const ours = tapegradLenet(2);
    const theirs = tfjsLenet(2, 'composed');
    const first = [ours.step(), theirs.step()];
    expect(Math.abs(first[0] - first[1])).toBeLessThanOrEqual(1e-4 * first[1]);
    ours.step();
    theirs.step();
    const third = [ours.step(), theirs.step()];
    expect(third[0]).not.toBeCloseTo(first[0], 3);
    expect(Math.abs(third[0] - third[1])).toBeLessThanOrEqual(1e-4 * third[1]);
  });
});
