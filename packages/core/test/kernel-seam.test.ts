// The kernel seam: a backend package installs kernels by core kernel name (setKernelSet) and they replace core's
// under 'auto' only, may decline a call, and change no gradient rule. The stand-in backend here computes what core's
// kernels compute in plain loops (its own code, not core's) and counts its calls.
import { getKernelBackend, kernelSetNames, scalar, setKernelBackend, setKernelSet, tensor } from '@tapegrad/core';
import type { KernelSet, TypedArray } from '@tapegrad/core';

const calls: string[] = [];

const standIn: KernelSet = {
  unary: {
    tanh(x, out) {
      calls.push('tanh');
      for (let i = 0; i < x.length; i++) out[i] = Math.tanh(x[i]);
      return true;
    },
    // Declines everything: core's exp must run.
    exp() {
      calls.push('exp declined');
      return false;
    },
  },
  binary: {
    mul(a, b, out, runs) {
      calls.push('mul');
      for (let r = 0, o = 0; r < runs.rows; r++)
        for (let j = 0, i = runs.aOff[r], k = runs.bOff[r]; j < runs.len; j++, i += runs.sa, k += runs.sb) out[o++] = a[i] * b[k];
      return true;
    },
  },
  reduce: {
    sum: {
      // Core's order over a whole array: four running sums, then the tail into the first.
      all(x: TypedArray) {
        calls.push('sum all');
        const s = [0, 0, 0, 0];
        const n4 = x.length - (x.length % 4);
        for (let i = 0; i < n4; i++) s[i % 4] += x[i];
        for (let i = n4; i < x.length; i++) s[0] += x[i];
        return s[0] + s[1] + (s[2] + s[3]);
      },
      axis(x, out, outer, n, inner) {
        calls.push('sum axis');
        for (let o = 0; o < outer; o++)
          for (let k = 0; k < n; k++) for (let i = 0; i < inner; i++) out[o * inner + i] += x[(o * n + k) * inner + i];
        return true;
      },
    },
  },
};

// y = sum(tanh(x * w)) with its gradients, the values a backend must not change.
function run(): { y: number; dx: number[]; dw: number[]; rowSums: number[] } {
  const x = tensor(
    [
      [0.3, -1.2, 2.5],
      [0.7, 0.1, -0.4],
    ],
    { requiresGrad: true },
  );
  const w = tensor([1.5, -0.5, 0.25], { requiresGrad: true });
  const y = x.mul(w).tanh().sum();
  y.backward();
  return { y: y.item(), dx: Array.from(x.grad!.data), dw: Array.from(w.grad!.data), rowSums: Array.from(x.sum(1).data) };
}

describe('the kernel seam (setKernelSet)', () => {
  const previous = getKernelBackend();
  afterEach(() => {
    setKernelSet('stand-in', null);
    setKernelBackend(previous);
    calls.length = 0;
  });

  it("runs an installed set's kernels under 'auto', with the same values and gradients, bit for bit", () => {
    setKernelBackend('auto');
    const core = run();
    setKernelSet('stand-in', standIn);
    expect(kernelSetNames()).toContain('stand-in');
    const installed = run();
    expect(installed).toEqual(core);
    expect(calls).toEqual(expect.arrayContaining(['tanh', 'mul', 'sum all', 'sum axis']));
  });

  it('falls back to core for a kernel the set declines or lacks', () => {
    setKernelBackend('auto');
    setKernelSet('stand-in', standIn);
    const x = tensor([0.5, -2]);
    expect(Array.from(x.exp().data)).toEqual([Math.exp(0.5), Math.exp(-2)]);
    expect(Array.from(x.sin().data)).toEqual([Math.sin(0.5), Math.sin(-2)]);
    expect(calls).toEqual(['exp declined']);
  });

  it("leaves 'js' and 'wasm' to core's own kernels, and Scalars never call a backend", () => {
    setKernelSet('stand-in', standIn);
    for (const backend of ['js', 'wasm'] as const) {
      setKernelBackend(backend);
      run();
    }
    setKernelBackend('auto');
    scalar(0.5).mul(2).tanh().backward();
    expect(calls).toEqual([]);
  });

  it('replaces a set installed again under the same name, removes it with null, and refuses a nameless set', () => {
    setKernelSet('stand-in', standIn);
    setKernelSet('stand-in', { unary: {} });
    expect(kernelSetNames().filter((n) => n === 'stand-in')).toHaveLength(1);
    setKernelSet('stand-in', null);
    expect(kernelSetNames()).not.toContain('stand-in');
    expect(() => setKernelSet('', standIn)).toThrow(TypeError);
  });
});
