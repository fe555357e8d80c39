// Module features of issues 12 and 14: PyTorch's printed tree, layer sizes checked, errors that say where in the
// model they happened, forward hooks, train()/eval() through containers, parameter counts and summary().
import { inspect } from 'node:util';
import { Generator, ShapeError, type Tensor, TapegradError, ones, randn, tensor, zeros } from '@tapegrad/core';
import { BatchNorm1d, Dropout, LeakyReLU, Linear, MLP, Module, ReLU, Sequential, Sigmoid, Softmax } from '@tapegrad/nn';

class Block extends Module {
  readonly norm = new BatchNorm1d(4);
  readonly heads = [new Linear(4, 2), new Sequential(new Linear(4, 3), new Dropout(0.5))];
  readonly scale = ones([1], { requiresGrad: true });
  forward(x: Tensor): Tensor {
    const h = this.norm.forward(x);
    return this.heads[0].forward(h).sum(-1, true).add(this.heads[1].forward(h)).mul(this.scale);
  }
}

describe('printing a module (issue 12: String(module) was [object Object])', () => {
  it('prints the tree as PyTorch does', () => {
    const model = new Sequential(new Linear(784, 256), new ReLU(), new Dropout(0.2), new Linear(256, 10, { bias: false }), new Softmax());
    expect(String(model)).toBe(
      [
        'Sequential(',
        '  (0): Linear(in_features=784, out_features=256, bias=true)',
        '  (1): ReLU()',
        '  (2): Dropout(p=0.2)',
        '  (3): Linear(in_features=256, out_features=10, bias=false)',
        '  (4): Softmax(dim=-1)',
        ')',
      ].join('\n'),
    );
  });

  it('indents nested modules and names array children by their state-dict path', () => {
    expect(String(new Block())).toBe(
      [
        'Block(',
        '  (norm): BatchNorm1d(4, eps=0.00001, momentum=0.1, affine=true)',
        '  (heads.0): Linear(in_features=4, out_features=2, bias=true)',
        '  (heads.1): Sequential(',
        '    (0): Linear(in_features=4, out_features=3, bias=true)',
        '    (1): Dropout(p=0.5)',
        '  )',
        ')',
      ].join('\n'),
    );
  });

  it('is what console.log and util.inspect show (no internal fields)', () => {
    const model = new MLP([2, 3, 1], { activation: 'tanh' });
    expect(inspect(model)).toBe(String(model));
    expect(inspect({ model })).toContain('MLP(\n');
    expect(inspect(new LeakyReLU(0.2))).toBe('LeakyReLU(negative_slope=0.2)');
  });
});

describe('layer sizes and inputs (issue 12)', () => {
  it.each([0, -3, 2.5, NaN, Infinity])('new Linear(%p, 3) is a ShapeError naming the layer', (size) => {
    expect(() => new Linear(size, 3)).toThrow(ShapeError);
    expect(() => new Linear(size, 3)).toThrow(`Linear: inFeatures must be a positive integer, got ${size}`);
    expect(() => new Linear(3, size)).toThrow(`Linear: outFeatures must be a positive integer, got ${size}`);
  });

  it('checks the other layers’ settings too', () => {
    expect(() => new BatchNorm1d(0)).toThrow(/BatchNorm1d: numFeatures must be a positive integer, got 0/);
    expect(() => new LeakyReLU(NaN)).toThrow(TapegradError);
    expect(() => new Softmax(0.5)).toThrow(/Softmax: axis must be an integer, got 0.5/);
    expect(() => new Sequential(new ReLU(), 'relu' as unknown as Module)).toThrow(/Sequential: layer 1 is not a Module/);
  });

  it('a wrong input width names the layer and where it sits, not matmul', () => {
    const model = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 10));
    const x = zeros([32, 100]);
    expect(() => model.forward(x)).toThrow(ShapeError);
    expect(() => model.forward(x)).toThrow(
      'Linear(in_features=784, out_features=256, bias=true) at "0" of Sequential: expected input [..., 784], got [32, 100]',
    );
    expect(() => new Linear(3, 2).forward(zeros([4]))).toThrow(
      'Linear(in_features=3, out_features=2, bias=true): expected input [..., 3], got [4]',
    );
  });

  it('names the full path through nested modules, and keeps the stack’s first line in step', () => {
    const model = new Sequential(new Sigmoid(), new Block());
    let error: Error | undefined;
    try {
      model.forward(zeros([2, 5]));
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeInstanceOf(ShapeError);
    expect(error!.message).toBe(
      'BatchNorm1d(4, eps=0.00001, momentum=0.1, affine=true) at "1.norm" of Sequential: expected input of shape [batch, 4], got [2, 5]',
    );
    expect(error!.stack!.split('\n')[0]).toBe(`ShapeError: ${error!.message}`);
  });

  it('names the innermost module for an error from a core op inside a custom forward', () => {
    class Project extends Module {
      readonly w = ones([3, 2], { requiresGrad: true });
      forward(x: Tensor): Tensor {
        return x.matmul(this.w);
      }
    }
    const model = new Sequential(new ReLU(), new Project());
    expect(() => model.forward(zeros([1, 4]))).toThrow(/^Project at "1" of Sequential: matmul: /);
  });
});

describe('forward hooks', () => {
  const gen = () => new Generator(3);

  it('see every call with its inputs and output, including a Linear that Sequential would otherwise fuse with its ReLU', () => {
    const model = new Sequential(new Linear(3, 4, { generator: gen() }), new ReLU(), new Linear(4, 2, { generator: gen() }));
    const x = randn([5, 3], { generator: gen() });
    const plain = model.forward(x);
    const seen: string[] = [];
    const handles = [0, 1, 2].map((i) =>
      model[i].registerForwardHook((m, inputs, output) => {
        seen.push(`${m.constructor.name} ${inputs[0].shape.join('x')} -> ${output.shape.join('x')}`);
      }),
    );
    const hooked = model.forward(x);
    expect(seen).toEqual(['Linear 5x3 -> 5x4', 'ReLU 5x4 -> 5x4', 'Linear 5x4 -> 5x2']);
    expect(hooked).toBeAllClose(plain, { rtol: 1e-15 });
    handles.forEach((h) => h.remove());
    model.forward(x);
    expect(seen).toHaveLength(3);
  });

  it('may replace the output, and a pre-hook the inputs', () => {
    const layer = new ReLU();
    const pre = layer.registerForwardPreHook((_m, [x]) => x.mul(-1));
    const post = layer.registerForwardHook((_m, _inputs, y) => y.add(10));
    expect(layer.forward(tensor([1, -2])).toArray()).toEqual([10, 12]);
    pre.remove();
    post.remove();
    post.remove(); // removing twice is harmless
    expect(layer.forward(tensor([1, -2])).toArray()).toEqual([1, 0]);
  });

  it('run in registration order, and a hook may remove itself', () => {
    const layer = new ReLU();
    const order: number[] = [];
    const first = layer.registerForwardHook(() => {
      order.push(1);
      first.remove();
    });
    layer.registerForwardHook(() => void order.push(2));
    layer.forward(tensor([1]));
    layer.forward(tensor([1]));
    expect(order).toEqual([1, 2, 2]);
  });

  it('gradients flow through a replaced output', () => {
    const layer = new Linear(2, 1, { bias: false });
    layer.registerForwardHook((_m, _inputs, y) => y.mul(3));
    const x = tensor([[1, 2]]);
    layer.forward(x).sum().backward();
    expect(layer.weight.grad!.toArray()).toEqual([[3, 6]]);
  });
});

describe('full backward hooks', () => {
  const gen = () => new Generator(7);

  it('see the gradient of the output and of each input through this call only (a residual input’s other use left out)', () => {
    const layer = new Linear(3, 3, { generator: gen() });
    const x = randn([2, 3], { generator: gen(), requiresGrad: true });
    const c = randn([2, 3], { generator: new Generator(8) });
    const seen: Array<[Array<Tensor | null>, Tensor[]]> = [];
    layer.registerFullBackwardHook((_m, gradInput, gradOutput) => void seen.push([gradInput, gradOutput]));
    layer.forward(x).add(x).mul(c).sum().backward();
    expect(seen).toHaveLength(1);
    const [[gradInput], [gradOutput]] = [seen[0][0], seen[0][1]];
    // y = x W^T + b: dL/dy = c, and through the layer dL/dx = c W
    expect(gradOutput).toBeAllClose(c, { rtol: 0 });
    expect(gradInput!).toBeAllClose(c.matmul(layer.weight.detach()), { rtol: 1e-14 });
    // x's own gradient also has the residual path: c W + c
    expect(x.grad!).toBeAllClose(c.matmul(layer.weight.detach()).add(c), { rtol: 1e-14 });
  });

  it('give null for an input that does not require grad, run once per backward, and stop when removed', () => {
    const model = new Sequential(new Linear(2, 4, { generator: gen() }), new ReLU(), new Linear(4, 1, { generator: gen() }));
    const calls: string[] = [];
    const handle = model[0].registerFullBackwardHook((m, gradInput, [gradOutput]) => {
      calls.push(`${m.constructor.name} ${String(gradInput[0])} [${gradOutput.shape.join(', ')}]`);
    });
    const x = tensor([[1, 2]]);
    model.forward(x).sum().backward();
    model.forward(x).sum().backward();
    expect(calls).toEqual(['Linear null [1, 4]', 'Linear null [1, 4]']);
    handle.remove();
    model.forward(x).sum().backward();
    expect(calls).toHaveLength(2);
  });

  it('observe only: a hook that returns something is refused', () => {
    const layer = new Linear(2, 2, { generator: gen() });
    layer.registerFullBackwardHook((_m, gradInput) => gradInput as never);
    const x = tensor([[1, 2]], { requiresGrad: true });
    expect(() => layer.forward(x).sum().backward()).toThrow(/a full backward hook observes and returns nothing/);
  });
});

describe('train() and eval() reach every module inside containers', () => {
  it('switch Dropout and BatchNorm1d inside a Sequential inside an array inside a custom module', () => {
    const model = new Sequential(new Block(), new Linear(3, 3));
    const block = model[0] as Block;
    const dropout = (block.heads[1] as Sequential)[1] as Dropout;
    model.eval();
    expect(model.namedModules().every(([, m]) => !m.training)).toBe(true);
    const x = randn([6, 4], { generator: new Generator(1) });
    const before = Array.from(block.norm.runningMean.data);
    // eval: the dropout is the identity and BatchNorm uses (and keeps) its running statistics
    expect(dropout.forward(x)).toBe(x);
    model.forward(x);
    expect(Array.from(block.norm.runningMean.data)).toEqual(before);
    model.train();
    expect(dropout.training && block.norm.training).toBe(true);
    model.forward(x);
    expect(Array.from(block.norm.runningMean.data)).not.toEqual(before);
  });
});

describe('numParameters', () => {
  it('counts every trainable value: 784*256 + 256 + 256*128 + 128 + 128*10 + 10 for the MNIST MLP', () => {
    expect(new MLP([784, 256, 128, 10]).numParameters()).toBe(784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
  });

  it('counts a shared layer once and buffers not at all', () => {
    const shared = new Linear(4, 4);
    expect(new Sequential(shared, new ReLU(), shared).numParameters()).toBe(20);
    expect(new BatchNorm1d(8).numParameters()).toBe(16);
  });
});

describe('summary', () => {
  it('lists each module with its output shape and own parameters, then the totals', () => {
    const model = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 10));
    expect(model.summary([32, 784])).toBe(
      [
        'Layer (type)   Output shape   Param #',
        '=====================================',
        'Sequential     [32, 10]       --',
        '├─0: Linear    [32, 256]      200,960',
        '├─1: ReLU      [32, 256]      --',
        '└─2: Linear    [32, 10]       2,570',
        '=====================================',
        'Total params: 203,530',
        // 203,530 float64 values = 1,628,240 bytes
        'Params size (MB): 1.63',
      ].join('\n'),
    );
  });

  it('draws nested modules, marks a shared one, counts calls, and leaves no trace on the model', () => {
    const shared = new Linear(4, 4, { dtype: 'float32' });
    const block = new Block();
    const model = new Sequential(shared, new ReLU(), shared, block);
    model.train();
    block.heads[1].eval();
    const stats = Array.from(block.norm.runningMean.data);
    const table = model.summary(randn([3, 4], { generator: new Generator(2) }).cast('float32'));
    expect(table.split('\n').slice(2, 12)).toEqual([
      'Sequential                [3, 3]         --',
      '├─0: Linear               [3, 4] ×2      20',
      '├─1: ReLU                 [3, 4]         --',
      '├─2: Linear               [3, 4] ×2      (shared)',
      '└─3: Block                [3, 3]         1',
      '  ├─norm: BatchNorm1d     [3, 4]         8',
      '  ├─heads.0: Linear       [3, 2]         10',
      '  └─heads.1: Sequential   [3, 3]         --',
      '    ├─0: Linear           [3, 3]         15',
      '    └─1: Dropout          [3, 3]         --',
    ]);
    expect(table).toContain('Total params: 54');
    // eval mode during the pass (BatchNorm's statistics untouched), every flag restored after it
    expect(Array.from(block.norm.runningMean.data)).toEqual(stats);
    expect([model.training, block.training, block.heads[1].training, (block.heads[1] as Sequential)[1].training]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    // the summary's hooks are gone: a forward hook added now is the only one that runs
    const calls: string[] = [];
    shared.registerForwardHook(() => void calls.push('mine'));
    model.forward(randn([3, 4], { generator: new Generator(2) }).cast('float32'));
    expect(calls).toEqual(['mine', 'mine']);
  });

  it('refuses a bad input', () => {
    expect(() => new Linear(2, 2).summary([2, -1])).toThrow(/Linear\.summary: expected an input shape/);
    expect(() => new Linear(2, 2).summary([1, 3])).toThrow(ShapeError);
  });
});
