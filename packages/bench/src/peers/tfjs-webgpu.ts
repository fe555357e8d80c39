/**
 * TensorFlow.js on its WebGPU backend (@tensorflow/tfjs-backend-webgpu), in Node on Dawn through the `webgpu` package
 * (the backend looks for `navigator.gpu`, which this process provides), on the same adapter as tapegrad's webgpu
 * peer. The workloads are tfjs.ts's, written as a TF.js user writes them (variables, tf.train.sgd, tf.losses.softmaxCrossEntropy); the
 * WebGPU backend has no synchronous reads, so each iteration ends when `await loss.data()` has read the loss back.
 */
import * as tf from '@tensorflow/tfjs';
import { type BenchCase, matmulSize } from '../cases.js';
import { type HostArray, matmulData } from '../data.js';
import { asyncRunner } from './async-runner.js';
import { adapterNote, dawnGpu, webgpuPeerTraits } from './dawn.js';
import type { Peer, Runner } from './peer.js';
import { type TrainingStep, lenetStep, mlpStep } from './tfjs.js';
import { w6Loss } from './tfjs-block.js';

const fromHost = (h: HostArray): tf.Tensor => tf.tensor(h.data, h.shape.slice(), 'float32');
const read = async (t: tf.Tensor): Promise<number> => {
  const value = (await t.data())[0];
  t.dispose();
  return value;
};

/** A training step timed until its loss has been read back. */
function trainingRunner(c: BenchCase, training: TrainingStep): Promise<Runner> {
  return asyncRunner(
    () => read(training.step()),
    c.budget.warmup,
    () => training.dispose(),
  );
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

/** W6 as tfjs-block.ts computes it (the loss and every gradient), the loss read back asynchronously. */
function blockStep(): TrainingStep {
  const { f, inputs, dispose } = w6Loss();
  return {
    step: () =>
      tf.tidy(() => {
        const { value, grads } = f(inputs);
        tf.dispose(grads); // queued before the loss is read, so reading it waits for them too
        return value;
      }),
    dispose,
  };
}

export const tfjsWebgpuPeer: Peer = {
  id: 'tfjs-webgpu',
  label: 'tfjs-webgpu',
  async init() {
    const dawn = await dawnGpu();
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: dawn.gpu, userAgent: 'node' }, configurable: true });
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs-backend-webgpu failed to initialise on Dawn');
    return `tfjs ${tf.version.tfjs}, webgpu backend (Dawn ${adapterNote(dawn)})`;
  },
  ...webgpuPeerTraits,
  prepare(c) {
    if (c.workload === 'W2') return matmulRunner(c, matmulSize(c));
    return trainingRunner(c, c.workload === 'W5' ? lenetStep() : c.workload === 'W6' ? blockStep() : mlpStep());
  },
};
