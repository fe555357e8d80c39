/** tapegrad, through its public API only: the implementation under test. */
import { type DType, type Scalar, type Tensor, fuse, noGrad, scalar, tensor, tidy } from '@tapegrad/core';
import { softmaxCrossEntropy } from '@tapegrad/nn';
import { enableThreads } from '@tapegrad/threads';
import { MNIST_EPOCH_BATCHES, matmulSize } from '../cases.js';
import { type HostArray, lenetData, matmulData, mlpData, scalarMlpData, tanhSumData } from '../data.js';
import { scalarMlpLoss } from '../micrograd-reference.js';
import { PIXELS } from '@tapegrad/examples/mnist';
import { mnistEpochSetup } from '../mnist-epoch.js';
import { blockRunner } from './tapegrad-block.js';
import { lenetLogits, meanCrossEntropy, mlpLogits } from './tapegrad-models.js';
import type { Peer, Runner, WorkloadRunners } from './peer.js';

function fromHost(h: HostArray, dtype: DType, requiresGrad = false): Tensor {
  const data = dtype === 'float32' ? Float32Array.from(h.data) : Float64Array.from(h.data);
  return tensor(data, { shape: h.shape, dtype, requiresGrad });
}

/**
 * The mean cross-entropy of the logits `forward` computes at `labels` ([batch, 1]), its backward, and a plain SGD
 * step on `params` outside the tape, as W1 and W5 train; returns the loss. Inside `tidy`, as TF.js's peer steps
 * (its optimizer's `minimize` runs in `tf.tidy`): the step's arrays go back to the pool for the next step.
 */
function crossEntropyStep(forward: () => Tensor, labels: Tensor, params: readonly Tensor[], learningRate: number, tidied = true): number {
  return (tidied ? tidy : (f: () => number) => f())(() => {
    const loss = meanCrossEntropy(forward(), labels);
    loss.backward();
    noGrad(() => {
      for (const p of params) {
        p.addInPlace(p.grad as Tensor, -learningRate);
        p.zeroGrad();
      }
    });
    return loss.item();
  });
}

function mlpRunner(dtype: DType, tidied = true): Runner {
  const d = mlpData();
  const x = fromHost(d.x, dtype);
  const labels = tensor(d.labels, { shape: [d.labels.length, 1], dtype: 'int32' });
  const params = d.params.map((p) => fromHost(p, dtype, true));
  return { step: () => crossEntropyStep(() => mlpLogits(x, params), labels, params, d.learningRate, tidied) };
}

function matmulRunner(n: number): Runner {
  const { a, b } = matmulData(n);
  const ta = fromHost(a, 'float32');
  const tb = fromHost(b, 'float32');
  return {
    step() {
      // Disposed after reading, as TF.js's peer does (c.dispose()).
      const product = ta.matmul(tb);
      const c = product.data;
      let s = 0;
      for (let i = 0; i < c.length; i++) s += c[i];
      product.dispose();
      return s;
    },
  };
}

function scalarMlpRunner(): Runner {
  const data = scalarMlpData();
  const params = data.weights.map((layer) => layer.map((neuron) => neuron.map((w) => scalar(w))));
  const flat = params.flat(2);
  return {
    step() {
      for (const p of flat) p.zeroGrad();
      const loss = scalarMlpLoss<Scalar>(params, data);
      loss.backward();
      return loss.value;
    },
  };
}

/** W5 with the functional ops a user writes a CNN with (tapegrad-models.ts); tests pass a small batch (the case is 64). */
export function lenetRunner(batch = 64): Runner {
  const d = lenetData(batch);
  const x = fromHost(d.x, 'float32');
  const labels = tensor(d.labels, { shape: [batch, 1], dtype: 'int32' });
  const params = d.params.map((p) => fromHost(p, 'float32', true));
  return { step: () => crossEntropyStep(() => lenetLogits(x, params), labels, params, d.learningRate) };
}

/** Keeps gradient reads from being optimised away. */
export let sink = 0;

function tanhSumRunner(fused = false): Runner {
  const d = tanhSumData();
  // fuse: the same chain as one pass forward and one backward (packages/core/src/fusion), bit for bit the eager result.
  const chain = fused ? fuse((x, w, b) => x.mul(w).add(b).tanh().sum()) : (x: Tensor, w: Tensor, b: Tensor) => x.mul(w).add(b).tanh().sum();
  const x = tensor(d.x, { shape: [d.x.length], dtype: 'float32' });
  const w = tensor(Float32Array.of(d.w), { shape: [], dtype: 'float32', requiresGrad: true });
  const b = tensor(Float32Array.of(d.b), { shape: [], dtype: 'float32', requiresGrad: true });
  return {
    step() {
      // Inside tidy, as TF.js's peer (tf.tidy): the step's arrays go back to the pool for the next step.
      return tidy(() => {
        const y = chain(x, w, b);
        y.backward();
        // Reading both gradients is part of the work: a peer that computed them lazily must pay here.
        sink = (w.grad as Tensor).item() + (b.grad as Tensor).item();
        w.zeroGrad();
        b.zeroGrad();
        return y.item();
      });
    },
  };
}

/**
 * One pass over the batches with the main job's model and Adam, step for step as its training loop does it
 * (zeroGrad, forward, softmaxCrossEntropy, backward, step, read the loss). Returns the first batch's loss.
 */
async function mnistRunner(batchCount: number): Promise<Runner> {
  const { batches, trainer } = await mnistEpochSetup(batchCount);
  const { model, optimizer } = trainer;
  // Built once, outside the timed epochs, like the other peers' inputs: the epoch times the training itself.
  const inputs = batches.map((b) => ({
    x: tensor(b.images, { shape: [b.size, PIXELS] }),
    y: tensor(b.labels, { shape: [b.size] }),
  }));
  model.train();
  return {
    step() {
      let first = NaN;
      for (let i = 0; i < inputs.length; i++) {
        optimizer.zeroGrad();
        const loss = softmaxCrossEntropy(model.forward(inputs[i].x), inputs[i].y);
        loss.backward();
        optimizer.step();
        const value = loss.item();
        if (i === 0) first = value;
      }
      return first;
    },
  };
}

const RUNNERS: WorkloadRunners = {
  W1: (c) => mlpRunner(c.id === 'W1-f64' ? 'float64' : 'float32'),
  W2: (c) => matmulRunner(matmulSize(c)),
  W3: () => scalarMlpRunner(),
  W4: () => tanhSumRunner(),
  W5: () => lenetRunner(),
  W6: () => blockRunner(),
  MNIST: (c) => mnistRunner(c.batches ?? MNIST_EPOCH_BATCHES),
};

/** tapegrad from source, default kernel backend ('auto': WebAssembly SIMD matmul where available). */
export const tapegradPeer: Peer = {
  id: 'tapegrad',
  label: 'tapegrad',
  init() {
    return "@tapegrad/core from source, default kernel backend 'auto': matmul on the WebAssembly SIMD kernel (packages/core/wasm/gemm.ts), elementwise ops, row broadcasts, sums and the SGD update on the WebAssembly elementwise and axpy modules (packages/core/wasm/) from their size thresholds, in TypeScript below them; W1, W4 and W5 steps inside tidy (TF.js's peer steps inside tf.tidy), W2's product disposed after reading (as TF.js's)";
  },
  supports: () => true,
  prepare: (c) => RUNNERS[c.workload](c),
  // The memory check runs W1 with no tidy: memory must stay flat for a user who never disposes anything.
  prepareWithoutCleanup: (c) =>
    c.workload === 'W1' ? mlpRunner(c.id === 'W1-f64' ? 'float64' : 'float32', false) : RUNNERS[c.workload](c),
};

/** W4 written with `fuse`: the elementwise chain and its sum as one pass over the data, forward and backward. */
export const tapegradFusedPeer: Peer = {
  id: 'tapegrad-fused',
  label: 'tapegrad fused',
  init() {
    return "as tapegrad, with the W4 chain written as fuse((x, w, b) => x.mul(w).add(b).tanh().sum()): one pass forward and one backward, no intermediate arrays (float32 on the WebAssembly elementwise module's cache-sized blocks under 'wasm' and 'auto')";
  },
  supports: (c) => c.workload === 'W4',
  prepare: () => tanhSumRunner(true),
};

/**
 * The same runners with `@tapegrad/threads` on: every product of at least its default minWork multiply-adds is
 * shared between the calling thread and one helper; everything else is unchanged.
 */
export const tapegrad2tPeer: Peer = {
  ...tapegradPeer,
  id: 'tapegrad-2t',
  label: 'tapegrad 2 threads',
  async init() {
    const threads = await enableThreads({ threads: 2 });
    return `as tapegrad, plus @tapegrad/threads enableThreads({ threads: 2 }): ${threads} threads share each matmul of at least 80^3 multiply-adds (WebAssembly SIMD kernel on each share)`;
  },
};
