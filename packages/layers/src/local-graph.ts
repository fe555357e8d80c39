/**
 * The one mechanism every layer shares. `forward` turns its inputs into fresh leaves of a small private graph
 * and applies core ops to them; `backward(dout)` sweeps that graph from the output, seeded with dout, and
 * hands back the leaves' gradients. A layer's derivative is therefore the core op's rule itself (the rule for
 * `mul` lives only in packages/core/src/ops/mul.ts), with the same broadcast reduction the tape uses.
 */
import { DTypeError, GradError, type Node, Scalar, ShapeError, Tensor, enableGrad, full, scalar, sweep, tensor } from '@tapegrad/core';

/** What the textbook layers take and give: plain numbers (as in the book's apple example) or Tensors. */
export type Value = number | Tensor;

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** A fresh leaf holding `v`'s value; it shares a Tensor's storage, so in-place parameter updates are seen. */
function leafOf(v: Value, like: Tensor | null, differentiable: boolean, layer: string, index: number): Node {
  if (typeof v === 'number') {
    if (like === null) return scalar(v, { requiresGrad: differentiable });
    return tensor(v, { dtype: like.dtype === 'int32' ? 'float64' : like.dtype, requiresGrad: differentiable });
  }
  if (!(v instanceof Tensor))
    throw new DTypeError(`${layer}.forward: input ${index} must be a number or a Tensor, got ${v === null ? 'null' : typeof v}`);
  const leaf = v.detach();
  if (differentiable) {
    if (leaf.dtype === 'int32')
      throw new DTypeError(
        `${layer}.forward: input ${index} is an int32 Tensor of shape ${shapeText(v.shape)}; a differentiable input must be float32 or float64`,
      );
    leaf.setRequiresGrad(true);
  }
  return leaf;
}

/**
 * A layer's private graph: the leaves made from its last forward inputs and the output they produced.
 * Each forward replaces the previous state, so one layer object can be used again and again.
 */
export class LocalGraph {
  private leaves: Node[] = [];
  private numeric: boolean[] = [];
  private output: Node | null = null;

  constructor(private readonly layer: string) {}

  /**
   * Applies `fn` to leaves made from `inputs` (recording forced on, even inside `noGrad`: backward needs the
   * graph). Numbers become Scalars when every input is a number, else 0-d tensors of the tensors' dtype.
   * `differentiable[i] = false` marks an input (labels, targets) that gets no gradient. The elementwise layers
   * type their leaves as Tensor also when they are Scalars: they call only methods the two classes share.
   */
  forward(inputs: readonly Value[], fn: (...leaves: any[]) => Node, differentiable?: readonly boolean[]): Node {
    const like = inputs.find((v) => v instanceof Tensor) ?? null;
    this.leaves = inputs.map((v, i) => leafOf(v, like, differentiable?.[i] ?? true, this.layer, i));
    this.numeric = inputs.map((v) => typeof v === 'number');
    this.output = enableGrad(() => fn(...this.leaves));
    return this.output;
  }

  /** The output of the last forward, or a GradError when there was none. */
  get out(): Node {
    if (this.output === null) throw new GradError(`${this.layer}.backward: call forward first; there is nothing to differentiate`);
    return this.output;
  }

  /** The leaf made from input `i` by the last forward. */
  leaf(i: number): Node {
    return this.leaves[i];
  }

  /**
   * d(output . dout)/d(input) for each input, in input order: numbers for number inputs, Tensors for Tensor
   * inputs, null for non-differentiable ones. `dout` is read, never written.
   */
  backward(dout: Value): Array<Value | null> {
    const out = this.out;
    const seed = this.seedFor(out, dout);
    const grads = sweep({ roots: [out], seeds: [seed], targets: this.leaves, retainGraph: true });
    const handedOut = new Set<Node>([seed]);
    return grads.map((g, i) => {
      if (!this.leaves[i].requiresGrad) return null;
      if (this.numeric[i]) return g.item();
      // The add rule passes dout straight through: copy, so no two results (nor dout) share storage.
      const own = handedOut.has(g) ? (g as Tensor).detach().mul(1) : g;
      handedOut.add(own);
      return own as Tensor;
    });
  }

  private seedFor(out: Node, dout: Value): Node {
    if (out instanceof Scalar) {
      if (typeof dout === 'number') return scalar(dout, { requiresGrad: false });
      if (dout instanceof Tensor && dout.size === 1) return scalar(dout.item(), { requiresGrad: false });
      throw new ShapeError(`${this.layer}.backward: forward returned a number, so dout must be a number; got ${describe(dout)}`);
    }
    const o = out as Tensor;
    if (typeof dout === 'number') return full(o.shape, dout, { dtype: o.dtype });
    if (!(dout instanceof Tensor)) throw new DTypeError(`${this.layer}.backward: dout must be a number or a Tensor, got ${describe(dout)}`);
    if (dout.shape.length !== o.shape.length || dout.shape.some((d, i) => d !== o.shape[i])) {
      throw new ShapeError(
        `${this.layer}.backward: dout has shape ${shapeText(dout.shape)} but forward returned shape ${shapeText(o.shape)}`,
      );
    }
    return dout.dtype === o.dtype ? dout.detach() : dout.detach().cast(o.dtype);
  }
}

function describe(v: unknown): string {
  if (v instanceof Tensor) return `a Tensor of shape ${shapeText(v.shape)}`;
  return v === null ? 'null' : typeof v;
}

/** A Tensor output handed to the caller: the same storage, cut from the layer's private graph. */
export function unwrap(out: Node): Value {
  return out instanceof Scalar ? out.value : (out as Tensor).detach();
}
