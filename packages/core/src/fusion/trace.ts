/**
 * What `fuse(fn)` traces: `fn` runs once per input signature on FuseValues, placeholders with a shape and no data,
 * whose methods are the elementwise ops of OPS (every op declared through `elementwise(...)`, found by its kernel
 * and `saves`, so a new one is picked up here without an edit) and `sum()`. Each call appends a node to a Trace,
 * in call order: the order an eager run would record them in, which the fused gradient keeps.
 */
import { TapegradError } from '../errors.js';
import type { Shape } from '../ndarray/shape.js';
import { broadcastShapes } from '../ndarray/shape.js';
import { OPS, type BinaryOpName, type UnaryOpName } from '../ops/index.js';
import type { ElementwiseKernel, ElementwiseOp } from '../ops/elementwise.js';

/** One node of a trace: an argument of fn, a number operand, an elementwise op, or the full sum at the end. */
export type TraceNode =
  | { readonly kind: 'arg'; readonly index: number; readonly shape: Shape }
  | { readonly kind: 'const'; readonly value: number; readonly shape: Shape }
  | { readonly kind: 'op'; readonly op: ElementwiseOp<ElementwiseKernel>; readonly inputs: readonly number[]; readonly shape: Shape }
  | { readonly kind: 'sum'; readonly input: number; readonly shape: Shape };

/**
 * A traced value inside `fuse(fn)`: it has the elementwise methods of a Tensor (`add`, `mul`, `tanh`, …, each
 * taking a FuseValue or a number) and `sum()`, and a shape, but no data, so fn cannot branch on values.
 * @example
 * const f = fuse((x: FuseValue, w: FuseValue) => x.mul(w).tanh().sum());
 */
export type FuseValue = FuseMethods & {
  /** The shape the value will have. */
  readonly shape: readonly number[];
  /** The sum of every element (a 0-d value); only the last step of a fused function may be a sum. */
  sum(): FuseValue;
};

/** One method per elementwise op of OPS: `tsc` keeps FuseValue in step with Tensor's elementwise methods. */
type FuseMethods = { readonly [K in UnaryOpName]: () => FuseValue } & {
  readonly [K in BinaryOpName]: (other: FuseValue | number) => FuseValue;
};

/** The nodes fn made, in call order. */
export class Trace {
  readonly nodes: TraceNode[] = [];

  push(node: TraceNode): number {
    this.nodes.push(node);
    return this.nodes.length - 1;
  }
}

/** The value class behind FuseValue; its op methods are installed below from OPS. */
class Traced {
  constructor(
    readonly trace: Trace,
    readonly id: number,
    readonly shape: Shape,
  ) {}

  sum(): Traced {
    return new Traced(this.trace, this.trace.push({ kind: 'sum', input: this.id, shape: [] }), []);
  }

  /** A traced value has no data: reading it as a number is what an eager-only function would do. */
  valueOf(): never {
    throw new TapegradError('fuse: a traced value has no data yet; fn may only combine values with their methods (no branching on values)');
  }
}

function operandId(self: Traced, other: unknown, name: string): number {
  if (other instanceof Traced) {
    if (other.trace !== self.trace) throw new TapegradError(`fuse: ${name} got a value traced by another fused function`);
    return other.id;
  }
  if (typeof other === 'number') return self.trace.push({ kind: 'const', value: other, shape: [] });
  throw new TapegradError(`fuse: ${name} takes a traced value or a number, got ${other === null ? 'null' : typeof other}`);
}

let fusable: ReadonlyMap<string, ElementwiseOp<ElementwiseKernel>> | null = null;

/**
 * The elementwise ops of OPS by name (those whose definition carries a kernel and what forward saves), each
 * installed as a method of traced values on the first call: nothing runs when the module is imported.
 */
export function fusableOps(): ReadonlyMap<string, ElementwiseOp<ElementwiseKernel>> {
  if (fusable !== null) return fusable;
  const ops = new Map(
    Object.entries(OPS).flatMap(([name, op]) => {
      const definition = (op as { definition: { kernel?: { arity?: number }; saves?: string } }).definition;
      return definition.kernel?.arity !== undefined && definition.saves !== undefined
        ? [[name, op as unknown as ElementwiseOp<ElementwiseKernel>] as const]
        : [];
    }),
  );
  for (const [name, op] of ops) {
    const unaryOp = op.definition.kernel.arity === 1;
    Object.defineProperty(Traced.prototype, name, {
      value: function (this: Traced, other?: unknown): Traced {
        const inputs = unaryOp ? [this.id] : [this.id, operandId(this, other, name)];
        const shape = unaryOp ? this.shape : broadcastShapes(this.shape, this.trace.nodes[inputs[1]].shape, name);
        return new Traced(this.trace, this.trace.push({ kind: 'op', op, inputs, shape }), shape);
      },
    });
  }
  fusable = ops;
  return ops;
}

/** Runs fn once on placeholders of the given shapes and returns the trace and the id of its result. */
export function traceFunction(fn: (...args: FuseValue[]) => FuseValue, shapes: readonly Shape[]): { trace: Trace; result: number } {
  fusableOps();
  const trace = new Trace();
  const args = shapes.map((shape, index) => new Traced(trace, trace.push({ kind: 'arg', index, shape }), shape));
  const result: unknown = fn(...(args as unknown as FuseValue[]));
  if (!(result instanceof Traced) || result.trace !== trace) {
    throw new TapegradError(`fuse: fn must return a value made from its arguments' methods, got ${describe(result)}`);
  }
  return { trace, result: result.id };
}

function describe(x: unknown): string {
  if (x instanceof Traced) return 'a value of another trace';
  if (Array.isArray(x)) return 'an array (one output only)';
  return x === null ? 'null' : typeof x;
}
