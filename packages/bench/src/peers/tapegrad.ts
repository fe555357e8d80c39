/** tapegrad, through its public API only: the implementation under test. */
import { type DType, type Scalar, type Tensor, conv2d, maxPool2d, noGrad, scalar, tensor } from '@tapegrad/core';
import { softmaxCrossEntropy } from '@tapegrad/nn';
import { enableThreads } from '@tapegrad/threads';
import { MNIST_EPOCH_BATCHES, matmulSize } from '../cases.js';
import { type HostArray, lenetData, matmulData, mlpData, scalarMlpData, tanhSumData } from '../data.js';
import { scalarMlpLoss } from '../micrograd-reference.js';
import { PIXELS } from '@tapegrad/examples/mnist';
import { mnistEpochSetup } from '../mnist-epoch.js';
import { blockRunner } from './tapegrad-block.js';
import type { Peer, Runner, WorkloadRunners } from './peer.js';

function fromHost(h: HostArray, dtype: DType, requiresGrad = false): Tensor {
  const data = dtype === 'float32' ? Float32Array.from(h.data) : Float64Array.from(h.data);
  return tensor(data, { shape: h.shape, dtype, requiresGrad });
}

/**
 * The mean cross-entropy of `logits` at `labels` ([batch, 1]), its backward, and a plain SGD step on `params`
 * outside the tape, as W1 and W5 train; returns the loss.
 */
function crossEntropyStep(logits: Tensor, labels: Tensor, params: readonly Tensor[], learningRate: number): number {
  const loss = logits.logSoftmax(-1).takeAlongAxis(labels, -1).mean().neg();
  loss.backward();
  noGrad(() => {
    for (const p of params) {
      p.addInPlace(p.grad as Tensor, -learningRate);
      p.zeroGrad();
    }
  });
  return loss.item();
}

function mlpRunner(dtype: DType): Runner {
  const d = mlpData();
  const x = fromHost(d.x, dtype);
  const labels = tensor(d.labels, { shape: [d.labels.length, 1], dtype: 'int32' });
  const params = d.params.map((p) => fromHost(p, dtype, true));
  const [w1, b1, w2, b2, w3, b3] = params;
  return {
    step() {
      const h1 = x.matmul(w1).add(b1).relu();
      const h2 = h1.matmul(w2).add(b2).relu();
      return crossEntropyStep(h2.matmul(w3).add(b3), labels, params, d.learningRate);
    },
  };
}

function matmulRunner(n: number): Runner {
  const { a, b } = matmulData(n);
  const ta = fromHost(a, 'float32');
  const tb = fromHost(b, 'float32');
  return {
    step() {
      const c = ta.matmul(tb).data;
      let s = 0;
      for (let i = 0; i < c.length; i++) s += c[i];
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

/** W5 with the functional ops a user writes a CNN with: conv2d, maxPool2d, matmul against [out, in] weights. */
/** W5's runner; tests pass a small batch (the case is 64). */
export function lenetRunner(batch = 64): Runner {
  const d = lenetData(batch);
  const x = fromHost(d.x, 'float32');
  const labels = tensor(d.labels, { shape: [batch, 1], dtype: 'int32' });
  const params = d.params.map((p) => fromHost(p, 'float32', true));
  const [c1, c1b, c2, c2b, f1, f1b, f2, f2b, f3, f3b] = params;
  const perChannel = (b: Tensor) => b.reshape([1, b.shape[0], 1, 1]);
  return {
    step() {
      let h = maxPool2d(conv2d(x, c1, { padding: 2 }).add(perChannel(c1b)).relu(), 2);
      h = maxPool2d(conv2d(h, c2).add(perChannel(c2b)).relu(), 2).reshape([batch, 400]);
      h = h.matmul(f1, { transposeB: true }).add(f1b).relu();
      h = h.matmul(f2, { transposeB: true }).add(f2b).relu();
      return crossEntropyStep(h.matmul(f3, { transposeB: true }).add(f3b), labels, params, d.learningRate);
    },
  };
}

/** Keeps gradient reads from being optimised away. */
export let sink = 0;

function tanhSumRunner(): Runner {
  const d = tanhSumData();
  const x = tensor(d.x, { shape: [d.x.length], dtype: 'float32' });
  const w = tensor(Float32Array.of(d.w), { shape: [], dtype: 'float32', requiresGrad: true });
  const b = tensor(Float32Array.of(d.b), { shape: [], dtype: 'float32', requiresGrad: true });
  return {
    step() {
      const y = x.mul(w).add(b).tanh().sum();
      y.backward();
      // Reading both gradients is part of the work: a peer that computed them lazily must pay here.
      sink = (w.grad as Tensor).item() + (b.grad as Tensor).item();
      w.zeroGrad();
      b.zeroGrad();
      return y.item();
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
    return "@tapegrad/core from source, default kernel backend 'auto': matmul on the WebAssembly SIMD kernel (packages/core/wasm/gemm.ts), elementwise ops and reductions in TypeScript";
  },
  supports: () => true,
  prepare: (c) => RUNNERS[c.workload](c),
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
