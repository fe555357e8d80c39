/**
 * `checkpoint(fn)`: rematerialisation. The checkpointed function goes on the tape as one op that keeps only its
 * inputs; its forward runs `fn` with nothing recorded, and its backward runs `fn` again, recorded this time, and
 * sweeps that piece of graph. Memory for `fn`'s activations is spent only while its backward runs, for the price
 * of one more forward pass: checkpointing every k-th segment of a deep network keeps O(depth / k + k) activations
 * instead of O(depth). The random draws of the first run (dropout masks) are replayed exactly.
 */
import { sweep } from '../autodiff/backward.js';
import type { OpContext } from '../autodiff/context.js';
import { defineOp } from '../autodiff/define-op.js';
import { enableGrad, mode } from '../autodiff/mode.js';
import { Node } from '../autodiff/node.js';
import { GradError } from '../errors.js';
import { type GeneratorState, globalGenerator } from '../ndarray/random.js';
import { Scalar } from '../scalar.js';
import type { Tensor } from '../tensor.js';
import { jvp } from './jvp.js';
import { type Differentiable, describe } from './tree.js';

/** Where the node arguments sit among all the arguments of one call. */
interface CallAttrs {
  readonly args: readonly unknown[];
  readonly positions: readonly number[];
}

/**
 * `fn` as one op on the tape that keeps only its inputs: its activations are recomputed during the backward
 * instead of kept (PyTorch's `torch.utils.checkpoint`, JAX's `jax.checkpoint`). Same signature, same values, same
 * gradients, through `.backward()`, `grad` (to any order) and `jvp`. `fn` returns one Scalar or Tensor; its
 * Scalar and Tensor arguments are differentiated, any others passed as given. Random draws from the global
 * generator (`seed`, `rand`, dropout) are replayed when `fn` is recomputed; a Generator of your own is not.
 * @example
 * const block = checkpoint((x: Tensor) => x.matmul(w1).relu().matmul(w2).relu());
 * block(x).sum().backward();   // w1.grad, w2.grad as without checkpoint; block's activations were not kept
 * @typeParam F - the function's type, which the checkpointed function keeps.
 */
export function checkpoint<F extends (...args: any[]) => Differentiable>(fn: F): F {
  const call = (attrs: CallAttrs, nodes: readonly Node[]): unknown => {
    const args = attrs.args.slice();
    attrs.positions.forEach((p, k) => (args[p] = nodes[k]));
    return fn(...(args as Parameters<F>));
  };
  const op = defineOp<CallAttrs>({
    name: 'checkpoint',
    forward(ctx, ...inputs: Node[]) {
      const state = globalGenerator.getState();
      ctx.save(...inputs, state);
      return single(call(ctx.attrs, inputs));
    },
    backward(ctx, dy: Node) {
      const [inputs, state] = savedOf(ctx);
      // Recomputed on stand-ins: fresh leaves, or, when the gradient is itself recorded (createGraph), copies tied
      // to the inputs on the tape, so the gradient stays a function of them; the sweep stops at the stand-ins.
      const createGraph = mode.grad;
      const standIns = inputs.map((x, i) => (!ctx.needsGrad(i) ? x : createGraph ? x.mul(1) : leafCopy(x)));
      const out = replaying(state, () => enableGrad(() => single(call(ctx.attrs, standIns))));
      const wanted = standIns.filter((_, i) => ctx.needsGrad(i));
      if (!out.requiresGrad) return inputs.map(() => null);
      const grads = sweep({ roots: [out], seeds: [dy], targets: wanted, createGraph, stopAtTargets: true });
      let k = 0;
      return inputs.map((_, i) => (ctx.needsGrad(i) ? grads[k++] : null));
    },
    tangent(_m, ctx, ...tangents) {
      if (tangents.every((t) => t === null)) return null;
      const [inputs, state] = savedOf(ctx);
      const ts = tangents.map((t, i) => t ?? inputs[i].zerosLike());
      const run = jvp as unknown as (f: (...xs: Node[]) => unknown, p: readonly Node[], t: readonly Node[]) => [Node, Node];
      return replaying(state, () => run((...xs) => call(ctx.attrs, xs), inputs, ts)[1]);
    },
  });
  const checkpointed = (...args: unknown[]): Node => {
    const positions: number[] = [];
    args.forEach((a, i) => {
      if (a instanceof Node) positions.push(i);
    });
    // Nothing to differentiate: the function alone.
    if (positions.length === 0) return single(fn(...(args as Parameters<F>)));
    const nodes = positions.map((p) => args[p] as Node);
    return (op as unknown as (...a: unknown[]) => Node)(...nodes, { args, positions });
  };
  return checkpointed as F;
}

function savedOf(ctx: OpContext<CallAttrs>): [Node[], GeneratorState] {
  const saved = ctx.saved as readonly unknown[];
  const n = ctx.inputs.length;
  return [saved.slice(0, n) as Node[], saved[n] as GeneratorState];
}

/** Runs `fn` with the global generator at `state`, then puts the generator back where it was. */
function replaying<T>(state: GeneratorState, fn: () => T): T {
  const now = globalGenerator.getState();
  globalGenerator.setState(state);
  try {
    return fn();
  } finally {
    globalGenerator.setState(now);
  }
}

function leafCopy(x: Node): Node {
  return x instanceof Scalar ? new Scalar(x.value, true, x.name) : (x as Tensor).detach().setRequiresGrad(true);
}

function single(out: unknown): Node {
  if (!(out instanceof Node)) throw new GradError(`checkpoint: the function must return one Scalar or Tensor, got ${describe(out)}`);
  return out;
}
