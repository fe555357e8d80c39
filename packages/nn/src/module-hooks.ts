/**
 * Module hooks, PyTorch's: forward pre-hooks and forward hooks (which may replace the inputs and the output) and
 * full backward hooks (which observe the gradients of a call's inputs and output). They live in a table beside
 * the modules, so a module without hooks carries nothing; `runForward` is what every module's wrapped `forward`
 * runs (module.ts), and it also names the module in a typed error leaving it (module-context.ts).
 */
import { Tensor, TapegradError, isGradEnabled } from '@tapegrad/core';
import type { Module } from './module.js';
import { annotate } from './module-context.js';

/** Runs before `forward` with its inputs; may return replacement inputs (a tensor or a list). */
export type ForwardPreHook = (module: Module, inputs: Tensor[]) => Tensor | Tensor[] | void;

/** Runs after `forward` with its inputs and output; may return a replacement output. */
export type ForwardHook = (module: Module, inputs: Tensor[], output: Tensor) => Tensor | void;

/**
 * Runs once per backward through a module call, when the gradients of its inputs are known: `gradInput[i]` is
 * the gradient of input i through this module (null for an input that does not require grad), `gradOutput[0]`
 * that of its output. It observes; to change a gradient, register a hook on the tensor (`Tensor.registerHook`).
 */
export type FullBackwardHook = (module: Module, gradInput: Array<Tensor | null>, gradOutput: Tensor[]) => void;

/** What `registerForwardHook` returns: `remove()` takes the hook off again (PyTorch's RemovableHandle). */
export interface RemovableHandle {
  /** Removes the hook; calling it again does nothing. */
  remove(): void;
}

interface Hooks {
  readonly pre: Map<number, ForwardPreHook>;
  readonly post: Map<number, ForwardHook>;
  readonly backward: Map<number, FullBackwardHook>;
}

const hooksOf = new WeakMap<Module, Hooks>();
let nextHookId = 0;

/** Whether `module` has hooks (Sequential does not fuse a layer whose calls are being watched). */
export function hasHooks(module: Module): boolean {
  const h = hooksOf.get(module);
  return h !== undefined && (h.pre.size > 0 || h.post.size > 0 || h.backward.size > 0);
}

/** Runs `forward` on `module` with its hooks, naming the module in a typed error that leaves it. */
export function runForward(module: Module, forward: (...inputs: Tensor[]) => Tensor, inputs: Tensor[]): Tensor {
  const hooks = hooksOf.get(module);
  let args = inputs;
  if (hooks) {
    for (const hook of [...hooks.pre.values()]) {
      const replaced = hook(module, args);
      if (replaced !== undefined) args = replaced instanceof Tensor ? [replaced] : [...replaced];
    }
  }
  const watchBackward = hooks !== undefined && hooks.backward.size > 0 && isGradEnabled();
  // Each input that requires grad enters through a copy, so the hook on it sees this call's share of its gradient
  // only (the input may feed other modules too), as PyTorch's BackwardHookFunction does.
  if (watchBackward) args = args.map((x) => (x instanceof Tensor && x.requiresGrad ? x.clone() : x));
  let output: Tensor;
  try {
    output = forward.apply(module, args);
  } catch (e) {
    throw annotate(e, module);
  }
  if (hooks) {
    for (const hook of [...hooks.post.values()]) {
      const replaced = hook(module, args, output);
      if (replaced !== undefined) output = replaced;
    }
  }
  if (watchBackward) watchGradients(module, hooks.backward, args, output);
  return output;
}

/** Calls the module's backward hooks once the gradients of the output and of every watched input have arrived. */
function watchGradients(module: Module, hooks: Map<number, FullBackwardHook>, inputs: Tensor[], output: Tensor): void {
  if (!(output instanceof Tensor) || !output.requiresGrad) return;
  const gradInput: Array<Tensor | null> = inputs.map(() => null);
  let gradOutput: Tensor | null = null;
  const watched = inputs.map((x, i) => (x instanceof Tensor && x.requiresGrad ? i : -1)).filter((i) => i >= 0);
  let pending = watched.length;
  const fire = () => {
    for (const hook of [...hooks.values()]) {
      if (hook(module, gradInput, [gradOutput!]) !== undefined)
        throw new TapegradError(
          `${module.constructor.name}: a full backward hook observes and returns nothing; to change a gradient, use Tensor.registerHook`,
        );
    }
  };
  // Each hook removes itself once it has run: the copies and the output are this call's alone.
  const onOutput = output.registerHook((g) => {
    onOutput.remove();
    gradOutput = g;
    if (pending === 0) fire();
  });
  for (const i of watched) {
    const onInput = inputs[i].registerHook((g) => {
      onInput.remove();
      gradInput[i] = g;
      if (--pending === 0) fire();
    });
  }
}

/** Registers `hook` of `kind` on `module`; the handle's `remove()` unregisters it. */
export function addHook(module: Module, kind: keyof Hooks, hook: ForwardHook | ForwardPreHook | FullBackwardHook): RemovableHandle {
  if (typeof hook !== 'function') throw new TapegradError(`${module.constructor.name}: a hook must be a function, got ${typeof hook}`);
  let hooks = hooksOf.get(module);
  if (!hooks) hooksOf.set(module, (hooks = { pre: new Map(), post: new Map(), backward: new Map() }));
  const id = nextHookId++;
  const table = hooks[kind] as Map<number, typeof hook>;
  table.set(id, hook);
  return { remove: () => void table.delete(id) };
}
