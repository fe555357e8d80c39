/** The models the export tests run through ONNX Runtime: every exportable module, in the arrangements users build. */
import { Generator, noGrad, randn } from '@tapegrad/core';
import {
  BatchNorm1d,
  Dropout,
  Identity,
  LayerNorm,
  LeakyReLU,
  Linear,
  MLP,
  type Module,
  ReLU,
  Sequential,
  Sigmoid,
  Softmax,
  Tanh,
  TransformerBlock,
  MultiheadAttention,
} from '@tapegrad/nn';

/** A model, the input shape it is exported with, and the concrete shape of one sample (the batch axis left out). */
export interface ExportCase {
  readonly name: string;
  readonly build: () => Module;
  readonly inputShape: readonly (number | null)[];
  readonly sample: readonly number[];
  /** False for models importOnnx cannot read back (it reads MLPs; attention and layer norm are export-only). */
  readonly importable?: false;
}

/** Moves every LayerNorm's weight and bias and every attention bias off their ones and zeros, as training would. */
function trainedNorms(model: Module, g: Generator): Module {
  noGrad(() => {
    for (const [name, p] of model.namedParameters())
      if (/norm|bias/.test(name)) p.assign(p.add(randn(p.shape, { generator: g, std: 0.3, dtype: p.dtype })));
  });
  return model;
}

/** Moves BatchNorm's running statistics away from 0 and 1 and gives it a non-trivial affine, as training would. */
function trainedBatchNorm(model: Module, features: number, g: Generator): void {
  noGrad(() => {
    for (const [, m] of model.namedModules()) {
      if (!(m instanceof BatchNorm1d)) continue;
      if (m.weight) m.weight.assign(randn(m.weight.shape, { generator: g, mean: 1, std: 0.3, dtype: m.weight.dtype }));
      if (m.bias) m.bias.assign(randn(m.bias.shape, { generator: g, std: 0.5, dtype: m.bias.dtype }));
    }
    model.train();
    for (let k = 0; k < 5; k++) model.forward(randn([16, features], { generator: g, mean: 0.7, std: 2, dtype: 'float32' }));
  });
}

export const CASES: readonly ExportCase[] = [
  {
    name: 'the MNIST MLP 784-256-128-10, float32',
    build: () => new MLP([784, 256, 128, 10], { dtype: 'float32', generator: new Generator(1) }),
    inputShape: [null, 784],
    sample: [784],
  },
  {
    name: 'a float64 MLP with tanh and a softmax output',
    build: () => new MLP([20, 32, 3], { activation: 'tanh', outputActivation: 'softmax', generator: new Generator(2) }),
    inputShape: [null, 20],
    sample: [20],
  },
  {
    name: 'every activation, Dropout and Identity in one Sequential',
    build: () => {
      const g = new Generator(3);
      const lin = (i: number, o: number) => new Linear(i, o, { dtype: 'float32', generator: g });
      return new Sequential(
        lin(6, 16),
        new Sigmoid(),
        lin(16, 16),
        new Tanh(),
        lin(16, 16),
        new LeakyReLU(0.2),
        lin(16, 16),
        new ReLU(),
        new Dropout(0.3),
        new Identity(),
        lin(16, 4),
        new Softmax(),
      );
    },
    inputShape: [null, 6],
    sample: [6],
  },
  {
    name: 'BatchNorm1d with trained statistics, affine and not',
    build: () => {
      const g = new Generator(4);
      const model = new Sequential(
        new Linear(8, 12, { dtype: 'float32', generator: g }),
        new BatchNorm1d(12, { dtype: 'float32' }),
        new ReLU(),
        new Linear(12, 6, { dtype: 'float32', generator: g }),
        new BatchNorm1d(6, { dtype: 'float32', affine: false, eps: 1e-3 }),
      );
      trainedBatchNorm(model, 8, g);
      return model;
    },
    inputShape: [null, 8],
    sample: [8],
  },
  {
    name: 'an MLP nested in a Sequential, and a Linear without bias',
    build: () => {
      const g = new Generator(5);
      return new Sequential(
        new Linear(10, 10, { dtype: 'float32', generator: g, bias: false }),
        new MLP([10, 7, 3], { dtype: 'float32', generator: g, activation: 'sigmoid' }),
        new Sigmoid(),
      );
    },
    inputShape: [null, 10],
    sample: [10],
  },
  {
    name: 'Linear layers on [batch, 5, 8] (MatMul and Add)',
    build: () => {
      const g = new Generator(6);
      return new Sequential(new Linear(8, 6, { generator: g }), new ReLU(), new Linear(6, 3, { bias: false, generator: g }));
    },
    inputShape: [null, 5, 8],
    sample: [5, 8],
  },
  {
    name: 'a causal TransformerBlock with GELU on [batch, 7, 16], 4 heads (LayerNormalization, attention head by head, Erf)',
    build: () => {
      const g = new Generator(21);
      const block = new TransformerBlock(16, 4, { dimFeedforward: 32, activation: 'gelu', causal: true, dtype: 'float32', generator: g });
      return trainedNorms(block, g);
    },
    inputShape: [null, 7, 16],
    sample: [7, 16],
    importable: false,
  },
  {
    name: 'two non-causal ReLU TransformerBlocks in a Sequential, a dynamic sequence length',
    build: () => {
      const g = new Generator(22);
      const options = { dimFeedforward: 24, layerNormEps: 1e-3, dtype: 'float32', generator: g } as const;
      return trainedNorms(new Sequential(new TransformerBlock(12, 3, options), new TransformerBlock(12, 1, options)), g);
    },
    inputShape: [null, null, 12],
    sample: [5, 12],
    importable: false,
  },
  {
    name: 'MultiheadAttention (self-attention) without biases, and a LayerNorm over the last two axes',
    build: () => {
      const g = new Generator(23);
      const model = new Sequential(
        new MultiheadAttention(8, 2, { bias: false, dtype: 'float32', generator: g }),
        new LayerNorm([6, 8], { dtype: 'float32', eps: 1e-4 }),
      );
      return trainedNorms(model, g);
    },
    inputShape: [null, 6, 8],
    sample: [6, 8],
    importable: false,
  },
  {
    name: 'a model that is only an Identity',
    build: () => new Identity(),
    inputShape: [null, 3],
    sample: [3],
  },
];
