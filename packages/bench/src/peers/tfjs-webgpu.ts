/**
 * TensorFlow.js on its WebGPU backend (@tensorflow/tfjs-backend-webgpu), in Node on Dawn through the `webgpu` package
 * (the backend looks for `navigator.gpu`, which this process provides), on the same adapter as tapegrad's webgpu
 * peer. Written as a TF.js user writes the workloads (variables, tf.train.sgd, tf.losses.softmaxCrossEntropy); the
 * WebGPU backend has no synchronous reads, so each iteration ends when `await loss.data()` has read the loss back.
 */
import * as tf from '@tensorflow/tfjs';
import type { BenchCase } from '../cases.js';
import { type HostArray, matmulData, mlpData } from '../data.js';
import { asyncRunner } from './async-runner.js';
import { adapterNote, dawnGpu } from './dawn.js';
import type { Peer, Runner } from './peer.js';

const fromHost = (h: HostArray): tf.Tensor => tf.tensor(h.data, h.shape.slice(), 'float32');
const read = async (t: tf.Tensor): Promise<number> => {
  const value = (await t.data())[0];
  t.dispose();
  return value;
};

function mlpRunner(c: BenchCase): Promise<Runner> {
  const d = mlpData();
  const x = fromHost(d.x);
  const oneHot = tf.oneHot(tf.tensor1d(d.labels, 'int32'), 10);
  const vars = d.params.map((p) => tf.variable(fromHost(p)));
  const [w1, b1, w2, b2, w3, b3] = vars;
  const optimizer = tf.train.sgd(d.learningRate);
  const step = () => {
    const loss = optimizer.minimize(() => {
      const h1 = tf.relu(tf.add(tf.matMul(x, w1), b1));
      const h2 = tf.relu(tf.add(tf.matMul(h1, w2), b2));
      const logits = tf.add(tf.matMul(h2, w3), b3);
      return tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(oneHot, logits);
    }, true) as tf.Scalar;
    return read(loss);
  };
  return asyncRunner(step, c.budget.warmup, () => {
    tf.dispose([x, oneHot, ...vars]);
    optimizer.dispose();
  });
}

function matmulRunner(c: BenchCase, n: number): Promise<Runner> {
  const { a, b } = matmulData(n);
  const ta = fromHost(a);
  const tb = fromHost(b);
  return asyncRunner(
    () => read(tf.tidy(() => tf.sum(tf.matMul(ta, tb)))),
    c.budget.warmup,
    () => tf.dispose([ta, tb]),
  );
}

/** Whether the adapter is a CPU implementation (set by init). */
let software = false;

export const tfjsWebgpuPeer: Peer = {
  id: 'tfjs-webgpu',
  label: 'tfjs-webgpu',
  async init() {
    const dawn = await dawnGpu();
    software = dawn.software;
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: dawn.gpu, userAgent: 'node' }, configurable: true });
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs-backend-webgpu failed to initialise on Dawn');
    return `tfjs ${tf.version.tfjs}, webgpu backend (Dawn ${adapterNote(dawn)})`;
  },
  // On a software adapter (seconds per iteration) a few iterations say all there is to say.
  isSlowOn: () => software,
  supports: (c) => c.id === 'W1' || c.workload === 'W2',
  prepare: (c) => (c.workload === 'W2' ? matmulRunner(c, Number(c.id.split('-')[1])) : mlpRunner(c)),
};
