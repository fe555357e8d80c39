/**
 * TensorFlow.js peers: the 'cpu' backend (plain JS kernels) and the 'wasm' backend (XNNPACK, SIMD), written the
 * way a TF.js user would write each workload (variables, tf.train.sgd, tf.losses.softmaxCrossEntropy, tf.grads).
 */
import * as path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { MNIST_EPOCH_BATCHES, matmulSize } from '../cases.js';
import { type HostArray, type ScalarMlpData, lenetData, matmulData, mlpData, scalarMlpData, tanhSumData } from '../data.js';
import type { Peer, Runner, WorkloadRunners } from './peer.js';
import { blockRunner } from './tfjs-block.js';
import { composedConv2d } from './tfjs-conv-grad.js';

const fromHost = (h: HostArray): tf.Tensor => tf.tensor(h.data, h.shape.slice(), 'float32');

/** W1's and the MNIST epoch's network: 784-256-128-10 with ReLUs, softmax cross-entropy against `oneHot`. */
function mlpLoss(x: tf.Tensor, oneHot: tf.Tensor, [w1, b1, w2, b2, w3, b3]: readonly tf.Tensor[]): tf.Scalar {
  const h1 = tf.relu(tf.add(tf.matMul(x, w1), b1));
  const h2 = tf.relu(tf.add(tf.matMul(h1, w2), b2));
  const logits = tf.add(tf.matMul(h2, w3), b3);
  return tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(oneHot, logits);
}

/** A training step that returns its loss tensor (read synchronously here, asynchronously on the WebGPU backend). */
export interface TrainingStep {
  step(): tf.Scalar;
  dispose(): void;
}

/** W1's SGD step. */
export function mlpStep(): TrainingStep {
  const d = mlpData();
  const x = fromHost(d.x);
  const oneHot = tf.oneHot(tf.tensor1d(d.labels, 'int32'), 10);
  const vars = d.params.map((p) => tf.variable(fromHost(p)));
  const optimizer = tf.train.sgd(d.learningRate);
  return {
    step: () => optimizer.minimize(() => mlpLoss(x, oneHot, vars), true) as tf.Scalar,
    dispose() {
      tf.dispose([x, oneHot, ...vars]);
      optimizer.dispose();
    },
  };
}

/** A runner that reads each step's loss synchronously. */
function syncRunner(training: TrainingStep): Runner {
  return {
    step() {
      const loss = training.step();
      const value = loss.dataSync()[0];
      loss.dispose();
      return value;
    },
    dispose: () => training.dispose(),
  };
}

function mlpRunner(): Runner {
  return syncRunner(mlpStep());
}

function matmulRunner(n: number): Runner {
  const { a, b } = matmulData(n);
  const ta = fromHost(a);
  const tb = fromHost(b);
  return {
    step() {
      const c = tf.matMul(ta, tb);
      const data = c.dataSync();
      c.dispose();
      let s = 0;
      for (let i = 0; i < data.length; i++) s += data[i];
      return s;
    },
  };
}

// The scalar MLP with one 0-d tf.Tensor per value, as a user porting micrograd to TF.js would write it.
function scalarMlpLoss(params: tf.Variable[][][], data: ScalarMlpData): tf.Scalar {
  let loss: tf.Tensor | null = null;
  for (let s = 0; s < data.xs.length; s++) {
    let acts: tf.Tensor[] = data.xs[s].map((v) => tf.scalar(v));
    for (const layer of params) {
      acts = layer.map((neuron) => {
        const nin = neuron.length - 1;
        let act: tf.Tensor = neuron[nin];
        for (let i = 0; i < nin; i++) act = tf.add(act, tf.mul(neuron[i], acts[i]));
        return tf.tanh(act);
      });
    }
    const diff = tf.sub(acts[0], data.ys[s]);
    const sq = tf.mul(diff, diff);
    loss = loss === null ? sq : tf.add(loss, sq);
  }
  return loss as tf.Scalar;
}

function scalarMlpRunner(): Runner {
  const data = scalarMlpData();
  const params = data.weights.map((layer) => layer.map((neuron) => neuron.map((w) => tf.variable(tf.scalar(w)))));
  const vars = params.flat(2);
  return {
    step() {
      return tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => scalarMlpLoss(params, data), vars);
        for (const v of vars) grads[v.name].dataSync();
        return value.dataSync()[0];
      });
    },
  };
}

function tanhSumRunner(): Runner {
  const d = tanhSumData();
  const x = tf.tensor1d(d.x, 'float32');
  const w = tf.scalar(d.w);
  const b = tf.scalar(d.b);
  const f = tf.valueAndGrads((wv: tf.Tensor, bv: tf.Tensor) => tf.sum(tf.tanh(tf.add(tf.mul(x, wv), bv))));
  return {
    step() {
      return tf.tidy(() => {
        const { value, grads } = f([w, b]);
        grads[0].dataSync();
        grads[1].dataSync();
        return value.dataSync()[0];
      });
    },
  };
}

/**
 * W5 as a TF.js user writes LeNet-5: NHWC, tf.conv2d / tf.maxPool, tf.train.sgd. The inputs and weights are the
 * shared PyTorch-layout arrays moved into TF.js's layouts once, before timing: images to NHWC, filters to
 * [kh, kw, in, out], dense weights to [in, out], and fc1's rows reordered from (c, h, w) to NHWC's (h, w, c)
 * flattening order, so that both libraries compute the same function from the same numbers.
 *
 * `convBackward: 'composed'` is for backends without `Conv2DBackpropFilter` (wasm): the convolutions' gradients
 * come from tfjs-conv-grad.ts, built from the backend's own forward kernels; 'kernels' is `tf.conv2d`'s own gradient.
 */
export type ConvBackward = 'kernels' | 'composed';

/** W5's runner; tests pass a small batch (the case is 64). */
export function lenetRunner(batch = 64, convBackward: ConvBackward = 'kernels'): Runner {
  return syncRunner(lenetStep(batch, convBackward));
}

/** W5's SGD step. */
export function lenetStep(batch = 64, convBackward: ConvBackward = 'kernels'): TrainingStep {
  const d = lenetData(batch);
  const x = tf.tidy(() => tf.transpose(fromHost(d.x), [0, 2, 3, 1]));
  const oneHot = tf.oneHot(tf.tensor1d(d.labels, 'int32'), 10);
  const starts = d.params.map((p, i) =>
    tf.tidy(() => {
      const t = fromHost(p);
      if (i === 0 || i === 2) return tf.transpose(t, [2, 3, 1, 0]);
      if (i === 4) return tf.reshape(tf.transpose(tf.reshape(t, [120, 16, 5, 5]), [2, 3, 1, 0]), [400, 120]);
      return p.shape.length === 2 ? tf.transpose(t) : t;
    }),
  );
  const vars = starts.map((t) => tf.variable(t));
  tf.dispose(starts);
  const [c1, c1b, c2, c2b, f1, f1b, f2, f2b, f3, f3b] = vars;
  const optimizer = tf.train.sgd(d.learningRate);
  return {
    step: () =>
      optimizer.minimize(() => {
        const convolve = (input: tf.Tensor4D, filter: tf.Tensor4D, pad: 'same' | 'valid', first: boolean) =>
          convBackward === 'composed' ? composedConv2d(input, filter, pad, !first) : tf.conv2d(input, filter, 1, pad);
        const conv = (input: tf.Tensor4D, filter: tf.Variable, bias: tf.Variable, pad: 'same' | 'valid', first = false) =>
          tf.maxPool<tf.Tensor4D>(tf.relu(tf.add<tf.Tensor4D>(convolve(input, filter as tf.Tensor4D, pad, first), bias)), 2, 2, 'valid');
        const h = conv(conv(x as tf.Tensor4D, c1, c1b, 'same', true), c2, c2b, 'valid');
        let z: tf.Tensor = tf.reshape(h, [batch, 400]);
        z = tf.relu(tf.add(tf.matMul(z, f1), f1b));
        z = tf.relu(tf.add(tf.matMul(z, f2), f2b));
        const logits = tf.add(tf.matMul(z, f3), f3b);
        return tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(oneHot, logits);
      }, true) as tf.Scalar,
    dispose() {
      tf.dispose([x, oneHot, ...vars]);
      optimizer.dispose();
    },
  };
}

/**
 * The MNIST epoch as a TF.js user would write the main job's loop: variables, tf.train.adam and
 * tf.losses.softmaxCrossEntropy. Adam's epsilon is set to PyTorch's (and tapegrad's) 1e-8; TF.js's default is 1e-7.
 * The starting weights are copied from tapegrad's model (loaded lazily, so the other workloads never load it).
 */
async function mnistRunner(batchCount: number): Promise<Runner> {
  const { mnistEpochSetup } = await import('../mnist-epoch.js');
  const { batches, trainer } = await mnistEpochSetup(batchCount);
  const params = trainer.model.parameters();
  if (params.length !== 6) throw new Error(`MNIST bench: expected three Linear layers (6 parameters), got ${params.length}`);
  // tapegrad's Linear weight is [out, in] (PyTorch's layout); a TF.js kernel is [in, out].
  const vars = params.map((p) => {
    const start = tf.tidy(() => {
      const t = tf.tensor(p.data, p.shape.slice(), 'float32');
      return p.shape.length === 2 ? tf.transpose(t) : t;
    });
    const v = tf.variable(start);
    start.dispose();
    return v;
  });
  const optimizer = tf.train.adam(trainer.optimizer.lr, 0.9, 0.999, 1e-8);
  const inputs = batches.map((b) => ({
    x: tf.tensor2d(b.images, [b.size, b.images.length / b.size], 'float32'),
    oneHot: tf.tidy(() => tf.oneHot(tf.tensor1d(b.labels, 'int32'), 10)),
  }));
  return {
    step() {
      let first = NaN;
      for (let i = 0; i < inputs.length; i++) {
        const { x, oneHot } = inputs[i];
        const loss = optimizer.minimize(() => mlpLoss(x, oneHot, vars), true) as tf.Scalar;
        const value = loss.dataSync()[0];
        loss.dispose();
        if (i === 0) first = value;
      }
      return first;
    },
    dispose() {
      for (const v of vars) v.dispose();
      for (const { x, oneHot } of inputs) tf.dispose([x, oneHot]);
      optimizer.dispose();
    },
  };
}

function runners(convBackward: ConvBackward): WorkloadRunners {
  return {
    W1: () => mlpRunner(),
    W2: (c) => matmulRunner(matmulSize(c)),
    W3: () => scalarMlpRunner(),
    W4: () => tanhSumRunner(),
    W5: () => lenetRunner(64, convBackward),
    W6: () => blockRunner(),
    MNIST: (c) => mnistRunner(c.batches ?? MNIST_EPOCH_BATCHES),
  };
}

/** The folder holding tfjs-backend-wasm's .wasm binaries, resolved from the workspace root (pnpm's cwd). */
function wasmDirectory(): string {
  const require = createRequire(path.join(process.cwd(), 'package.json'));
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}

function tfjsPeer(id: string, label: string, backend: 'cpu' | 'wasm', threads = 1): Peer {
  // tfjs-backend-wasm has no Conv2DBackpropFilter: its W5 runs the composed convolution gradient (tfjs-conv-grad.ts).
  const workloads = runners(backend === 'wasm' ? 'composed' : 'kernels');
  return {
    id,
    label,
    async init() {
      if (backend === 'wasm') {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        wasm.setWasmPaths(wasmDirectory());
        wasm.setThreadsCount(threads);
        // TF.js detects no thread support in Node; forcing it is the only way to ask for a thread pool there.
        if (threads > 1) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
        const ok = await tf.setBackend('wasm');
        if (!ok) throw new Error(`tfjs-backend-wasm failed to initialise with ${threads} thread(s)`);
        const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
        return `tfjs ${tf.version.tfjs}, wasm backend, threads=${wasm.getThreadsCount()}, simd=${simd}; W5 with conv backward composed from its own forward kernels (no Conv2DBackpropFilter in tfjs-backend-wasm)`;
      }
      await tf.setBackend('cpu');
      return `tfjs ${tf.version.tfjs}, cpu backend`;
    },
    // TF.js has no float64 tensors: its W1 figure stands as the yardstick for tapegrad's float64 run.
    supports: (c) => c.id !== 'W1-f64',
    isSlowOn: (c) => c.workload === 'W3' || (backend === 'cpu' && (c.id === 'W2-1024' || c.workload === 'W6')),
    prepare: (c) => workloads[c.workload](c),
  };
}

/** TF.js on its plain-JavaScript 'cpu' backend, and on its WebAssembly backend with 1 or 2 threads. */
export const tfjsCpuPeer = tfjsPeer('tfjs-cpu', 'tfjs-cpu', 'cpu');
export const tfjsWasm1Peer = tfjsPeer('tfjs-wasm-1', 'tfjs-wasm 1 thread', 'wasm', 1);
export const tfjsWasm2Peer = tfjsPeer('tfjs-wasm-2', 'tfjs-wasm 2 threads', 'wasm', 2);
