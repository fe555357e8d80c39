/**
 * `fuse(fn)`: a chain of elementwise ops (and a sum at its end) run as one pass over the data, forward and
 * backward, without materialising the intermediates, as XLA and tinygrad fuse; jax.jit-style, fn is traced once
 * per signature (shapes, dtype, which arguments require grad) and the compiled programs are replayed.
 *
 * The fast path is contained here: the call records one tape entry (the op `fused`), whose forward and backward
 * are block programs (block-program.ts) built from the ops' own kernels and gradient rules (compile.ts). The tape,
 * the sweep and every rule are unchanged, and the results are the eager ones bit for bit. Whatever the fused path
 * does not cover runs eagerly, op by op, with the same result: a trace whose intermediates are not all of the full
 * shape, int32 or mixed dtypes, anomaly mode (which names the op that made a NaN), and forward mode (jvp).
 */
import type { OpContext } from '../autodiff/context.js';
import { defineOp } from '../autodiff/define-op.js';
import { mode } from '../autodiff/mode.js';
import { type Node, isNode } from '../autodiff/node.js';
import { forwardMode } from '../autodiff/tangents.js';
import { DTypeError, GradError } from '../errors.js';
import { type DType, type TypedArray, allocate } from '../ndarray/dtype.js';
import { NDArray } from '../ndarray/ndarray.js';
import { type Shape, broadcastShapes, sizeOf } from '../ndarray/shape.js';
import type { Tensor } from '../tensor.js';
import { lendBuffers, keptBuffers } from './buffer-pool.js';
import { runFused } from './codegen.js';
import { type FusedPlan, compile, unfusableReason } from './compile.js';
import { type FuseValue, type TraceNode, traceFunction } from './trace.js';

export type { FuseValue } from './trace.js';

/**
 * A fused function: call it with Tensors (or numbers) as fn's arguments; it returns a Tensor.
 * @example
 * const f: FusedFunction = fuse((x, w) => x.mul(w).relu());
 * f(randn([4]), 2);
 * f.lastUnfusedReason;   // null: the call ran fused
 */
export interface FusedFunction {
  (...args: Array<Tensor | number>): Tensor;
  /** Why the last call ran eagerly instead of fused, or null when it ran fused. */
  readonly lastUnfusedReason: string | null;
}

interface Traced {
  readonly nodes: readonly TraceNode[];
  readonly result: number;
  readonly unfusable: string | null;
}

/**
 * Fuses an elementwise function: `fn` is written with the elementwise methods (`add`, `mul`, `tanh`, … and any op
 * declared through `elementwise(...)`) and may end in `sum()`. Calls run as one pass over the data forward and one
 * backward, with no intermediate arrays, and give exactly the eager results and gradients. fn must not branch on
 * values (traced values have none); it is traced again for each new combination of shapes, dtype and requiresGrad.
 * @example
 * const f = fuse((x: FuseValue, w: FuseValue, b: FuseValue) => x.mul(w).add(b).tanh().sum());
 * const w = tensor(0.5, { requiresGrad: true });
 * const b = tensor(0.1, { requiresGrad: true });
 * f(randn([1000]), w, b).backward();   // w.grad and b.grad, as x.mul(w).add(b).tanh().sum() would give
 */
export function fuse(fn: (...args: FuseValue[]) => FuseValue): FusedFunction {
  const traces = new Map<string, Traced>();
  const plans = new Map<string, FusedPlan>();
  let lastUnfusedReason: string | null = null;
  const call = (...operands: Array<Tensor | number>): Tensor => {
    const args = asTensors(operands);
    const shapes = args.map((t) => t.shape);
    const shapeKey = shapes.map((s) => s.join('x')).join(',');
    let traced = traces.get(shapeKey);
    if (traced === undefined) {
      const { trace, result } = traceFunction(fn, shapes);
      traced = { nodes: trace.nodes, result, unfusable: unfusableReason(trace.nodes, result) };
      traces.set(shapeKey, traced);
    }
    const dtype = commonFloat(args);
    const reason =
      traced.unfusable ??
      (dtype === null ? 'its arguments are not all float32 or all float64' : null) ??
      (mode.anomaly ? 'anomaly mode is on' : null) ??
      (forwardMode.open !== 0 ? 'forward mode (jvp) is running' : null) ??
      (args.some((t) => t.raw.device !== undefined && t.raw.device.runProgram === undefined) ? 'its device runs no fused programs' : null);
    lastUnfusedReason = reason;
    if (reason !== null) return runEagerly(traced.nodes, traced.result, args);
    const requiresGrad = args.map((t) => mode.grad && t.requiresGrad);
    const key = `${shapeKey};${dtype};${requiresGrad.map(Number).join('')}`;
    let plan = plans.get(key);
    if (plan === undefined) {
      plan = compile(traced.nodes, traced.result, shapes, requiresGrad, dtype!);
      plans.set(key, plan);
    }
    return fused<Tensor>(...plan.uses.map((u) => args[u.arg]), plan);
  };
  return Object.defineProperty(call, 'lastUnfusedReason', { get: () => lastUnfusedReason }) as FusedFunction;
}

/** The values a device's forward kept for its backward (the CPU's go through buffer-pool.ts). */
const deviceKept = new WeakMap<OpContext, NDArray[]>();

/** The tape entry of a fused call: one op whose attributes are the compiled plan. */
const fused = defineOp<FusedPlan, Tensor[]>({
  name: 'fused',
  forward(ctx, ...inputs) {
    const plan = ctx.attrs;
    const { forward } = plan;
    const device = inputs.find((t) => t.raw.device !== undefined)?.raw.device;
    if (device !== undefined) {
      // One kernel on the device; the values backward reads are kept there.
      ctx.saveInputs();
      const [y, ...kept] = device.runProgram!(
        forward,
        inputs.map((t) => t.raw),
      );
      deviceKept.set(ctx, kept);
      return y;
    }
    // Values the backward reads and would have to recompute at a cost (tanh's output) are written out, when recorded.
    const kept = ctx.recording && plan.kept.length > 0 ? lendBuffers(ctx, forward.dtype, forward.size, plan.kept.length) : [];
    ctx.saveInputs();
    const raw = inputs.map((t) => t.raw.data);
    const written = plan.kept.map((_, k) => kept[k] ?? null);
    if (plan.reduced) {
      const out = allocate(forward.dtype, 1);
      out[0] = runFused(forward, raw, [null, ...written])[0];
      return new NDArray(out, plan.outShape);
    }
    const out = allocate(forward.dtype, forward.size);
    runFused(forward, raw, [out, ...written]);
    return new NDArray(out, plan.outShape);
  },
  backward(ctx: OpContext<FusedPlan, Tensor>, dy: Tensor) {
    const plan = ctx.attrs;
    if (mode.grad) {
      throw new GradError(
        'fused: createGraph (or forward mode over a backward) through a fused function is not supported; call the function unfused for higher-order gradients',
      );
    }
    const { program, outputOf } = plan.backward!;
    const inputs = ctx.saved;
    const device = dy.raw.device;
    if (device !== undefined) {
      const grads = device.runProgram!(program, [...inputs.map((t) => t.raw), dy.raw, ...(deviceKept.get(ctx) ?? [])]);
      return inputs.map((x, k) => {
        const o = outputOf[k];
        return o < 0 ? null : x.make(program.outputs[o].reduce ? device.reshape(grads[o], x.shape) : grads[o]);
      });
    }
    const kept = keptBuffers(ctx);
    const written: Array<TypedArray | null> = program.outputs.map((o) => (o.reduce ? null : allocate(program.dtype, program.size)));
    const sums = runFused(program, [...inputs.map((t) => t.raw.data), dy.raw.data, ...kept], written);
    return inputs.map((x, k) => {
      const o = outputOf[k];
      if (o < 0) return null;
      if (program.outputs[o].reduce) {
        const g = allocate(program.dtype, 1);
        g[0] = sums[o];
        return x.make(new NDArray(g, x.shape));
      }
      // A broadcast input's gradient keeps the full shape: the sweep sums it back, as it does an eager one's.
      const full = sizeOf(x.shape) === program.size && x.shape.length === program.shape.length;
      return x.make(new NDArray(written[o]!, full ? x.shape : program.shape));
    });
  },
});

function asTensors(operands: ReadonlyArray<Tensor | number>): Tensor[] {
  const ref = operands.find((x): x is Tensor => isNode(x));
  if (ref === undefined) throw new DTypeError('fuse: a fused function needs at least one Tensor argument');
  if (typeof ref.raw === 'number') throw new DTypeError('fuse: fused functions take Tensors, not Scalars');
  const shapes: Shape[] = [];
  const tensors = operands.map((x, i) => {
    if (typeof x === 'number') return ref.constant(x);
    if (!isNode(x) || typeof (x as Node).raw === 'number') {
      throw new DTypeError(`fuse: argument ${i} is ${x === null ? 'null' : typeof x}, expected a Tensor or a number`);
    }
    shapes.push(x.shape);
    return x;
  });
  shapes.reduce((a, b) => broadcastShapes(a, b, 'fuse'), []);
  return tensors;
}

function commonFloat(args: readonly Tensor[]): 'float32' | 'float64' | null {
  const d: DType = args[0].dtype;
  if (d === 'int32' || !args.every((t) => t.dtype === d)) return null;
  return d;
}

/** The trace op by op on Tensors: what fn would do eagerly. */
function runEagerly(nodes: readonly TraceNode[], result: number, args: readonly Tensor[]): Tensor {
  const values: Array<Tensor | number> = [];
  for (const n of nodes) {
    if (n.kind === 'arg') values.push(args[n.index]);
    else if (n.kind === 'const') values.push(n.value);
    else if (n.kind === 'sum') values.push((values[n.input] as Tensor).sum());
    else {
      const operands = n.inputs.map((id) => values[id]);
      const op = n.op as unknown as (...xs: Array<Tensor | number>) => Tensor;
      values.push(op(...operands));
    }
  }
  return values[result] as Tensor;
}
