/**
 * vmap's fallback for an op without a batching rule (a user's defineOp without `batch`, or one that opts into
 * `batch: 'loop'`): the op applied to one sample at a time, and the results stacked along a new first axis. Correct
 * for any op, but a JavaScript loop of single-sample calls, so it warns once per op, naming it.
 *
 * When the batched call is itself recorded (a gradient taken inside the vmap), its backward runs on the per-sample
 * (batched) values like any other op's: what each sample's forward saved is gathered into the call's own saves,
 * the inputs as the call's inputs and anything else stacked into a batched value, so that a backward written with
 * ops batches too.
 */
import type { BatchArg, BatchResult } from '../autodiff/batching.js';
import { innermostBatched, batching } from '../autodiff/batching.js';
import { OpContext, SAVED_INPUTS, USES_OUTPUT } from '../autodiff/context.js';
import { type AnyOp, applyOp, isRecorded, runCall } from '../autodiff/define-op.js';
import { mode } from '../autodiff/mode.js';
import { type Node, isNode } from '../autodiff/node.js';
import { forwardMode, visibleLevels } from '../autodiff/tangents.js';
import { TransformError } from '../errors.js';
import { stack } from '../combine.js';
import type { Tensor } from '../tensor.js';

const warned = new Set<string>();

/** Applies `op` once per sample of `level` and stacks the results (see the file comment). */
export function loopOverBatch(
  op: AnyOp,
  ctx: OpContext,
  args: readonly BatchArg[],
  size: number,
  why: LoopReason,
  wrap: (physical: Tensor) => Node,
): BatchResult {
  warnOnce(op.name, why, args);
  if (size === 0)
    throw new TransformError(`vmap: ${op.name} has no batching rule, so it runs once per sample, and the batch has no samples`);
  const keepSaves = ctx.recording;
  const outs: Tensor[] = [];
  const samples: Node[][] = [];
  const calls: OpContext[] = [];
  for (let b = 0; b < size; b++) {
    const sample = args.map((a) => (a.dim === null ? a.value : sampleOf(a.value as Tensor, a.dim, b)));
    if (!keepSaves) {
      outs.push(applyOp(op, sample, ctx.attrs) as Tensor);
      continue;
    }
    // The per-sample call as applyOp makes it, but keeping what forward saves (the batched call's backward reads it).
    const levels = forwardMode.open !== 0 && mode.grad ? visibleLevels(sample) : null;
    const call = new OpContext(op, sample, ctx.attrs, isRecorded(sample), true);
    outs.push(runCall(op, call, sample, batching.open !== 0 ? innermostBatched(sample) : null, levels) as Tensor);
    samples.push(sample);
    calls.push(call);
  }
  if (keepSaves) adoptSaves(op, ctx, calls, samples, wrap);
  return { value: stack(outs, 0), dim: 0 };
}

/** Sample `b` of a physical value whose batch axis is `dim`. */
function sampleOf(x: Tensor, dim: number, b: number): Tensor {
  const begin = x.shape.map((_, i) => (i === dim ? b : 0));
  const size = x.shape.map((d, i) => (i === dim ? 1 : d));
  return x.slice(begin, size).squeeze(dim);
}

/** Gives the batched call `ctx` what each sample's call saved, as per-sample (batched) values. */
function adoptSaves(
  op: AnyOp,
  ctx: OpContext,
  calls: readonly OpContext[],
  samples: readonly Node[][],
  wrap: (physical: Tensor) => Node,
): void {
  if (calls.some((c) => (c._flags & USES_OUTPUT) !== 0)) ctx.saveOutput();
  if (calls.every((c) => (c._flags & SAVED_INPUTS) !== 0)) return ctx.saveInputs();
  const lists = calls.map((c) => c._saved);
  const n = lists[0].length;
  if (lists.some((l) => l.length !== n)) throw savedError(op, 'a different number of values for different samples');
  const items = Array.from({ length: n }, (_, j) => {
    const first = lists[0][j];
    if (!isNode(first)) {
      if (lists.some((l) => l[j] !== first)) throw savedError(op, `value ${j}, which is not a tensor, differs between samples`);
      return first;
    }
    // An input saved by each sample is the call's input; anything else is stacked into a batched value.
    const input = samples[0].indexOf(first);
    if (input >= 0 && samples.every((s, b) => s[input] === lists[b][j])) return ctx.inputs[input];
    if (lists.some((l) => !isNode(l[j]))) throw savedError(op, `value ${j} is a tensor for some samples only`);
    return wrap(
      stack(
        lists.map((l) => l[j] as Tensor),
        0,
      ),
    );
  });
  ctx.save(...items);
}

function savedError(op: AnyOp, what: string): TransformError {
  return new TransformError(
    `vmap: ${op.name} runs once per sample (it has no batching rule), and its forward saved ${what}; give it a batch rule`,
  );
}

/**
 * Why a call loops: the op has no batching rule ('none'), its definition asks for `batch: 'loop'` ('opted'), or its
 * rule has no batched form for this combination of batched operands ('case').
 */
export type LoopReason = 'none' | 'opted' | 'case';

function warnOnce(name: string, why: LoopReason, args: readonly BatchArg[]): void {
  if (warned.has(name)) return;
  warned.add(name);
  const batched = args.map((a, i) => (a.dim === null ? null : i)).filter((i) => i !== null);
  const reasons: Record<LoopReason, string> = {
    opted: `vmap: op '${name}' runs once per sample (its definition asks for batch: 'loop'), a loop rather than one batched call`,
    none:
      `vmap: op '${name}' has no batching rule, so it runs once per sample, a loop rather than one batched call; ` +
      `give its defineOp a batch rule (see docs/custom-ops.md) to batch it`,
    case:
      `vmap: op '${name}' runs once per sample with operands ${batched.join(', ')} batched (its batch rule has no ` +
      `batched form for that combination), a loop rather than one batched call`,
  };
  // Through globalThis: core runs in Node and in browsers, and types neither's globals.
  (globalThis as { console?: { warn(message: string): void } }).console?.warn(reasons[why]);
}
