// Dtype promotion with 0-d tensors, as PyTorch's type-promotion rules state them (torch.result_type docs):
// "If a zero-dimension tensor operand has a higher category than dimensioned operands, we promote to a type with
// sufficient size and category to hold all zero-dim tensor operands of that category"; otherwise the dimensioned
// operands decide, so a 0-d tensor counts like a plain number of its category.
import { tensor, where } from '@tapegrad/core';

const f32 = () => tensor(new Float32Array([1.5, -2]), { requiresGrad: true });

describe('a 0-d tensor next to a tensor with axes', () => {
  it('keeps float32 with a float64 0-d tensor, in every binary op and in where', () => {
    const x = f32();
    const s = tensor(2);
    expect(s.dtype).toBe('float64');
    for (const y of [x.add(s), x.sub(s), x.mul(s), x.div(s), x.pow(s), x.maximum(s), x.minimum(s), s.mul(x), x.addRelu(s)]) {
      expect(y.dtype).toBe('float32');
    }
    expect(where(tensor([1, 0]), x, s).dtype).toBe('float32');
  });
  it('lets a 0-d float tensor of a higher category decide: int32[n] with float64[] is float64, with float32[] float32', () => {
    const i = tensor([1, 2], { dtype: 'int32' });
    expect(i.mul(tensor(0.5)).dtype).toBe('float64');
    expect(i.mul(tensor(new Float32Array([0.5]), { shape: [] })).dtype).toBe('float32');
    expect(Array.from(i.mul(tensor(0.5)).data)).toEqual([0.5, 1]);
  });
  it('keeps an int32 0-d tensor from widening a float32 one, and promotes as usual between tensors of one kind', () => {
    expect(f32().add(tensor(3, { dtype: 'int32' })).dtype).toBe('float32');
    expect(tensor(new Float32Array([1]), { shape: [] }).add(tensor(1)).dtype).toBe('float64');
    expect(f32().add(tensor([1, 1])).dtype).toBe('float64');
  });
  it('gives each input its gradient in its own dtype: the float64 0-d weight gets the float32 sum, widened', () => {
    const x = f32();
    const s = tensor(3, { requiresGrad: true });
    const dy = tensor(new Float32Array([0.25, 4]));
    x.mul(s).backward(dy);
    expect(x.grad!.dtype).toBe('float32');
    expect(Array.from(x.grad!.data)).toEqual([0.75, 12]);
    expect(s.grad!.dtype).toBe('float64');
    expect(s.grad!.item()).toBe(1.5 * 0.25 + -2 * 4);
  });
});
