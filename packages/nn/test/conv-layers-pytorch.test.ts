// Replays conv_layers.json (pytorch/conv_layers.py, PyTorch 1.13): a LeNet-style torch.nn.Sequential's state dict,
// saved by PyTorch as safetensors (float32 weights, BatchNorm2d's num_batches_tracked as int64), loads unchanged
// into the same tapegrad model and gives PyTorch's outputs and gradients; then one case per module.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type NestedArray, type Tensor, tensor } from '@tapegrad/core';
import {
  AdaptiveAvgPool2d,
  AvgPool2d,
  BatchNorm2d,
  Conv1d,
  Conv2d,
  Embedding,
  Flatten,
  GELU,
  LayerNorm,
  Linear,
  MaxPool2d,
  ReLU,
  Sequential,
  SiLU,
  crossEntropy,
  decodeSafetensors,
} from '@tapegrad/nn';

type Nested = NestedArray;
interface Reference {
  readonly lenet: {
    input: Nested;
    labels: number[];
    eval_logits: Nested;
    eval_loss: number;
    grad_input: Nested;
    grad_0_weight: Nested;
    grad_1_weight: Nested;
    grad_4_weight: Nested;
    num_batches_tracked: number;
    train_logits: Nested;
    train_running_mean: Nested;
    train_running_var: Nested;
    printed: string;
  };
  readonly cases: Record<string, Record<string, Nested>>;
}
const here = join(__dirname, 'pytorch');
const ref = JSON.parse(readFileSync(join(here, 'conv_layers.json'), 'utf8')) as Reference;

/** The tapegrad twin of conv_layers.py's lenet(). */
function lenet(): Sequential {
  return new Sequential(
    new Conv2d(1, 4, 5, { padding: 2 }),
    new BatchNorm2d(4),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(4, 8, 3, { groups: 2 }),
    new SiLU(),
    new AvgPool2d(2),
    new Flatten(),
    new Linear(72, 16),
    new GELU(),
    new Linear(16, 10),
  );
}

describe('a PyTorch LeNet state dict (safetensors written by PyTorch)', () => {
  const bytes = new Uint8Array(readFileSync(join(here, 'lenet.safetensors')));

  it('decodes with PyTorch names, float32 weights and num_batches_tracked read from int64', () => {
    const state = decodeSafetensors(bytes);
    expect(Object.keys(state).sort()).toEqual(Object.keys(lenet().stateDict()).sort());
    expect(state['0.weight'].dtype).toBe('float32');
    expect(state['0.weight'].shape).toEqual([4, 1, 5, 5]);
    expect(state['4.weight'].shape).toEqual([8, 2, 3, 3]);
    expect(state['1.num_batches_tracked'].shape).toEqual([]);
    expect(state['1.num_batches_tracked'].item()).toBe(ref.lenet.num_batches_tracked);
  });

  it("loads unchanged (strict) and reproduces PyTorch's eval outputs and gradients in float64", () => {
    const model = lenet();
    model.loadStateDict(decodeSafetensors(bytes));
    expect((model[1] as BatchNorm2d).numBatchesTracked).toBe(3);
    model.eval();
    const x = tensor(ref.lenet.input, { requiresGrad: true });
    const logits = model.forward(x);
    expect(logits).toBeAllClose(ref.lenet.eval_logits, { atol: 1e-12, rtol: 1e-10 });
    const loss = crossEntropy(logits, tensor(ref.lenet.labels, { dtype: 'int32' }));
    expect(loss.item()).toBeCloseTo(ref.lenet.eval_loss, 12);
    loss.backward();
    expect(x.grad!).toBeAllClose(ref.lenet.grad_input, { atol: 1e-12, rtol: 1e-9 });
    expect((model[0] as Conv2d).weight.grad!).toBeAllClose(ref.lenet.grad_0_weight, { atol: 1e-12, rtol: 1e-9 });
    expect((model[1] as BatchNorm2d).weight!.grad!).toBeAllClose(ref.lenet.grad_1_weight, { atol: 1e-12, rtol: 1e-9 });
    expect((model[4] as Conv2d).weight.grad!).toBeAllClose(ref.lenet.grad_4_weight, { atol: 1e-12, rtol: 1e-9 });
  });

  it("gives PyTorch's train-mode output and running statistics (batch statistics, unbiased running variance)", () => {
    const model = lenet();
    model.loadStateDict(decodeSafetensors(bytes));
    expect(model.forward(tensor(ref.lenet.input))).toBeAllClose(ref.lenet.train_logits, { atol: 1e-12, rtol: 1e-10 });
    const bn = model[1] as BatchNorm2d;
    expect(bn.runningMean).toBeAllClose(ref.lenet.train_running_mean, { atol: 1e-7 }); // float64 update of float32-loaded values
    expect(bn.runningVar).toBeAllClose(ref.lenet.train_running_var, { atol: 1e-7 });
    expect(bn.numBatchesTracked).toBe(4);
  });

  it('prints the tree as PyTorch does, in tapegrad spelling', () => {
    const printed = String(lenet());
    // Every layer whose settings both libraries spell alike (MaxPool2d has no ceil_mode here, BatchNorm2d no
    // track_running_stats) prints PyTorch's line.
    for (const layer of [0, 2, 4, 5, 6, 7, 9]) {
      const line = new RegExp(`\\(${layer}\\): .*`).exec(printed)![0];
      expect(ref.lenet.printed).toContain(line);
    }
    expect(printed).toContain('(3): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1)');
  });
});

describe('modules against PyTorch (float64)', () => {
  const c = ref.cases;
  const t = (v: Nested) => tensor(v);

  it('Conv1d with stride, dilation and groups', () => {
    const conv = new Conv1d(4, 6, 3, { stride: 2, dilation: 2, groups: 2 });
    conv.loadStateDict({ weight: t(c.conv1d.weight), bias: t(c.conv1d.bias) });
    expect(conv.forward(t(c.conv1d.input))).toBeAllClose(c.conv1d.output, { atol: 1e-12 });
  });

  it("Conv2d with padding 'same' and an even kernel, no bias", () => {
    const conv = new Conv2d(2, 3, [2, 4], { padding: 'same', bias: false });
    conv.loadStateDict({ weight: t(c.conv2d_same.weight) });
    expect(conv.forward(t(c.conv2d_same.input))).toBeAllClose(c.conv2d_same.output, { atol: 1e-12 });
  });

  it('AdaptiveAvgPool2d with overlapping windows (7 x 5 -> 3 x 2)', () => {
    const pool = new AdaptiveAvgPool2d(c.adaptive_avg_pool2d.output_size as [number, number]);
    expect(pool.forward(t(c.adaptive_avg_pool2d.input))).toBeAllClose(c.adaptive_avg_pool2d.output, { atol: 1e-12 });
  });

  it('LayerNorm over two axes', () => {
    const norm = new LayerNorm([3, 4], { eps: 1e-3 });
    norm.loadStateDict({ weight: t(c.layer_norm.weight), bias: t(c.layer_norm.bias) });
    expect(norm.forward(t(c.layer_norm.input))).toBeAllClose(c.layer_norm.output, { atol: 1e-12 });
  });

  it('Embedding with a padding row: lookup and scatter-add gradient', () => {
    const emb = new Embedding(5, 3, { paddingIdx: 1 });
    emb.loadStateDict({ weight: t(c.embedding.weight) });
    const y = emb.forward(tensor(c.embedding.indices, { dtype: 'int32' }));
    expect(y).toBeAllClose(c.embedding.output, { atol: 0 });
    y.backward(t(c.embedding.upstream));
    expect(emb.weight.grad!).toBeAllClose(c.embedding.grad_weight, { atol: 1e-14 });
  });

  it('GELU (exact and tanh) and SiLU', () => {
    const x = t(c.activations.input);
    expect(new GELU().forward(x)).toBeAllClose(c.activations.gelu, { atol: 1e-14 });
    expect(new GELU({ approximate: 'tanh' }).forward(x)).toBeAllClose(c.activations.gelu_tanh, { atol: 1e-14 });
    expect(new SiLU().forward(x)).toBeAllClose(c.activations.silu, { atol: 1e-14 });
  });

  it('BatchNorm2d in training: output and updated running statistics', () => {
    const bn = new BatchNorm2d(2, { momentum: 0.3 });
    const y: Tensor = bn.forward(t(c.batch_norm2d.input));
    expect(y).toBeAllClose(c.batch_norm2d.output, { atol: 1e-12 });
    expect(bn.runningMean).toBeAllClose(c.batch_norm2d.running_mean, { atol: 1e-14 });
    expect(bn.runningVar).toBeAllClose(c.batch_norm2d.running_var, { atol: 1e-14 });
    expect(bn.numBatchesTracked).toBe(1);
  });
});
