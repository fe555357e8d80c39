/**
 * tapegrad on the 'webgpu' device (@tapegrad/webgpu on Dawn): the workloads whose ops have device kernels, written
 * as a user of the device writes them. W1's loss is the mean of -log_softmax at the labels, taken with a one-hot mask
 * (as TF.js's softmaxCrossEntropy takes it), and its SGD step is nn's, one fused kernel per parameter on the device.
 * Each iteration ends when its loss (W2: the sum of the product) has been read back.
 */
import { type Tensor, tensor } from '@tapegrad/core';
import { SGD } from '@tapegrad/nn';
import { initWebGPU, webgpuStatus } from '@tapegrad/webgpu';
import { type BenchCase, matmulSize } from '../cases.js';
import { type HostArray, lenetData, matmulData, mlpData } from '../data.js';
import { asyncRunner } from './async-runner.js';
import { adapterNote, dawnGpu, webgpuPeerTraits } from './dawn.js';
import type { Peer, Runner } from './peer.js';
import { lenetLogits, meanCrossEntropy, mlpLogits } from './tapegrad-models.js';
import { w6Block } from './tapegrad-block.js';

const onDevice = (h: HostArray, requiresGrad = false): Tensor => tensor(h.data, { shape: h.shape, device: 'webgpu', requiresGrad });

/** The labels as a one-hot [batch, classes] float32 mask on the device. */
export function oneHotOnDevice(labels: Int32Array, classes: number): Tensor {
  const mask = new Float32Array(labels.length * classes);
  labels.forEach((label, i) => (mask[i * classes + label] = 1));
  return tensor(mask, { shape: [labels.length, classes], device: 'webgpu' });
}

const read = async (t: Tensor): Promise<number> => (await t.dataAsync())[0];

function mlpRunner(c: BenchCase): Promise<Runner> {
  const d = mlpData();
  const x = onDevice(d.x);
  const oneHot = oneHotOnDevice(d.labels, 10);
  const params = d.params.map((p) => onDevice(p, true));
  const opt = new SGD(params, { lr: d.learningRate });
  return asyncRunner(() => {
    opt.zeroGrad();
    const loss = mlpLogits(x, params).logSoftmax(-1).mul(oneHot).sum().div(-d.labels.length);
    loss.backward();
    opt.step();
    return read(loss);
  }, c.budget.warmup);
}

/** W5 as on the CPU peer (tapegrad-models.ts), with nn's SGD on the device. */
function lenetRunner(c: BenchCase, batch = 64): Promise<Runner> {
  const d = lenetData(batch);
  const x = onDevice(d.x);
  const labels = tensor(d.labels, { shape: [batch, 1], dtype: 'int32' });
  const params = d.params.map((p) => onDevice(p, true));
  const opt = new SGD(params, { lr: d.learningRate });
  return asyncRunner(() => {
    opt.zeroGrad();
    const loss = meanCrossEntropy(lenetLogits(x, params), labels);
    loss.backward();
    opt.step();
    return read(loss);
  }, c.budget.warmup);
}

/** W6 as on the CPU peer (tapegrad-block.ts): nn's TransformerBlock with its weights, moved to the device with Module.to. */
function blockRunner(c: BenchCase): Promise<Runner> {
  const { block, x: input } = w6Block();
  block.to('webgpu');
  const x = onDevice(input, true);
  return asyncRunner(() => {
    x.zeroGrad();
    block.zeroGrad();
    const loss = block.forward(x).square().mean();
    loss.backward();
    return read(loss);
  }, c.budget.warmup);
}

function matmulRunner(c: BenchCase, n: number): Promise<Runner> {
  const { a, b } = matmulData(n);
  const ta = onDevice(a);
  const tb = onDevice(b);
  return asyncRunner(() => read(ta.matmul(tb).sum()), c.budget.warmup);
}

export const tapegradWebgpuPeer: Peer = {
  id: 'tapegrad-webgpu',
  label: 'tapegrad webgpu',
  async init() {
    const dawn = await dawnGpu();
    if (!(await initWebGPU({ gpu: dawn.gpu }))) throw new Error(`no WebGPU: ${webgpuStatus().reason}`);
    return `@tapegrad/webgpu from source (WGSL kernels, Dawn ${adapterNote({ ...dawn, adapter: webgpuStatus().adapter! })})`;
  },
  ...webgpuPeerTraits,
  prepare(c: BenchCase): Promise<Runner> {
    if (c.workload === 'W2') return matmulRunner(c, matmulSize(c));
    return c.workload === 'W5' ? lenetRunner(c) : c.workload === 'W6' ? blockRunner(c) : mlpRunner(c);
  },
};
