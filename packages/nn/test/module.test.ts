import { DeviceError, type Tensor, tensor, zeros } from '@tapegrad/core';
import { Linear, MLP, Module, ReLU, Sequential, StateDictError } from '@tapegrad/nn';

class Block extends Module {
  readonly inner = new Linear(3, 2);
  readonly heads = [new Linear(2, 2), new Linear(2, 1)];
  readonly scale = zeros([1], { requiresGrad: true });
  readonly constant = tensor([1, 2, 3]); // does not require grad: not a parameter
  forward(x: Tensor): Tensor {
    return this.heads[1].forward(this.heads[0].forward(this.inner.forward(x))).mul(this.scale);
  }
}

describe('Module parameter discovery', () => {
  it('finds parameters of nested modules and arrays of modules with dotted names', () => {
    const names = new Block().namedParameters().map(([n]) => n);
    expect(names).toEqual(['scale', 'inner.weight', 'inner.bias', 'heads.0.weight', 'heads.0.bias', 'heads.1.weight', 'heads.1.bias']);
  });

  it('names Sequential children 0, 1, 2 like torch.nn.Sequential', () => {
    const model = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
    expect(model.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['0.weight', [3, 4]],
      ['0.bias', [3]],
      ['2.weight', [2, 3]],
      ['2.bias', [2]],
    ]);
    expect(model.parameters()).toHaveLength(4);
    expect(model.length).toBe(3);
  });

  it('lists a shared parameter once', () => {
    const shared = new Linear(2, 2);
    const model = new Sequential(shared, shared);
    expect(model.parameters()).toHaveLength(2);
  });

  it('zeroGrad clears every gradient', () => {
    const model = new MLP([3, 4, 2]);
    model
      .forward(tensor([[1, 2, 3]]))
      .sum()
      .backward();
    expect(model.parameters().every((p) => p.grad !== null)).toBe(true);
    model.zeroGrad();
    expect(model.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('train() and eval() set the flag on every descendant', () => {
    const block = new Block();
    block.eval();
    expect([block.training, block.inner.training, block.heads[1].training]).toEqual([false, false, false]);
    block.train();
    expect(block.heads[0].training).toBe(true);
  });
});

describe('stateDict / loadStateDict', () => {
  it('round-trips values into a fresh model', () => {
    const a = new MLP([3, 5, 2]);
    const b = new MLP([3, 5, 2]);
    b.loadStateDict(a.stateDict());
    const x = tensor([[0.1, -0.2, 0.3]]);
    expect(b.forward(x)).toBeAllClose(a.forward(x), { rtol: 0 });
  });

  it('bumps the version of loaded parameters', () => {
    const m = new Linear(2, 2);
    const before = m.weight._version;
    m.loadStateDict(new Linear(2, 2).stateDict());
    expect(m.weight._version).toBeGreaterThan(before);
  });

  it('names every missing, unexpected and wrongly-shaped key in one error', () => {
    const model = new Sequential(new Linear(3, 2), new ReLU(), new Linear(2, 1));
    const state = model.stateDict();
    delete state['0.bias'];
    state['9.weight'] = zeros([1]);
    state['2.weight'] = zeros([5, 5]);
    let error: unknown;
    try {
      model.loadStateDict(state);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StateDictError);
    const e = error as StateDictError;
    expect(e.missing).toEqual(['0.bias']);
    expect(e.unexpected).toEqual(['9.weight']);
    expect(e.mismatched).toEqual(['2.weight']);
    expect(e.message).toMatch(/missing key '0\.bias'/);
    expect(e.message).toMatch(/unexpected key '9\.weight'/);
    expect(e.message).toMatch(/'2\.weight': shape \[5, 5\] in the state dict, \[1, 2\] in the model/);
  });

  it('tolerates missing and unexpected keys with strict: false but never a shape mismatch', () => {
    const model = new Linear(2, 1);
    model.loadStateDict({ weight: tensor([[7, 8]]), extra: zeros([1]) }, { strict: false });
    expect(model.weight.toArray()).toEqual([[7, 8]]);
    expect(() => model.loadStateDict({ weight: zeros([2, 2]) }, { strict: false })).toThrow(StateDictError);
  });
});

describe('Module.to without a device', () => {
  it("to('cpu') of a CPU model resolves to the model with the same tensors; an unknown device moves nothing", async () => {
    const model = new MLP([2, 3, 1]);
    const params = model.parameters();
    await expect(model.to('cpu')).resolves.toBe(model);
    model.parameters().forEach((p, i) => expect(p).toBe(params[i]));
    expect(() => model.to('tpu')).toThrow(DeviceError);
    expect(() => model.to('tpu')).toThrow(/no device 'tpu' is registered/);
    expect(model.parameters().map((p) => p.device)).toEqual(['cpu', 'cpu', 'cpu', 'cpu']);
  });
});
