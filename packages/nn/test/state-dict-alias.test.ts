// stateDict() entries share storage, and so the version counter, with the parameters (issue 12): a change made
// through one between forward and backward is refused, as PyTorch refuses it, instead of giving stale gradients.
import { GradError, noGrad, tensor } from '@tapegrad/core';
import { Linear } from '@tapegrad/nn';

describe('a stateDict entry is an alias of its parameter', () => {
  it('refuses a backward after a change made through a stateDict entry between forward and backward', () => {
    const layer = new Linear(2, 1);
    noGrad(() => {
      layer.weight.assign(tensor([[1, 2]]));
      layer.bias!.assign(tensor([0]));
    });
    const x = tensor([[3, 4]], { requiresGrad: true });
    const loss = layer.forward(x).sum(); // dloss/dx = weight = [[1, 2]]
    layer.stateDict().weight.mulInPlace(10);
    expect(Array.from(layer.weight.data)).toEqual([10, 20]); // the entry shares the parameter's storage
    expect(() => loss.backward()).toThrow(GradError);
    expect(() => loss.backward()).toThrow(/a value it saved for backward was modified in place/);
  });

  it('gives the gradient of the values the forward saw when nothing changed', () => {
    const layer = new Linear(2, 1);
    noGrad(() => layer.weight.assign(tensor([[1, 2]])));
    const x = tensor([[3, 4]], { requiresGrad: true });
    const loss = layer.forward(x).sum();
    void layer.stateDict().weight; // reading is not a change
    loss.backward();
    expect(Array.from(x.grad!.data)).toEqual([1, 2]);
  });
});
