/**
 * Gradient hooks on nodes, PyTorch's Tensor.register_hook: `hook(grad)` runs once per backward, when the sweep
 * has the node's whole gradient for that backward (for a leaf: before it is added into `.grad`); a returned node
 * replaces the gradient, for the rest of the sweep and for `.grad`. Hooks run in the order they were registered.
 * The functional transforms (`grad`, `vjp`) do not run the hooks of the inputs they differentiate, whose
 * gradients they return rather than store.
 *
 * Hooks live in a WeakMap beside the nodes, so a node without hooks carries nothing, and the sweep asks only
 * while some hook is registered. The table is shared by every copy of the library in the process (shared.ts).
 */
import { GradError, formatShape } from '../errors.js';
import { shared } from '../shared.js';
import type { Node } from './node.js';

/** A gradient hook: receives the node's gradient; may return a replacement of the same kind, shape and dtype. */
export type GradHook<N extends Node = Node> = (grad: N) => N | void;

/** What `registerHook` returns: `remove()` takes the hook off again (PyTorch's RemovableHandle). */
export interface RemovableHandle {
  /** Removes the hook; calling it again does nothing. */
  remove(): void;
}

const table = shared('gradHooks', () => ({ byNode: new WeakMap<Node, Map<number, GradHook>>(), next: 0, live: 0 }));

/** @internal registers `hook` on `node` (Node.registerHook). */
export function addGradHook(node: Node, hook: GradHook): RemovableHandle {
  if (typeof hook !== 'function') throw new GradError(`registerHook: a hook must be a function, got ${typeof hook}`);
  if (!node.requiresGrad) throw new GradError(`registerHook: ${node.label} does not require grad, so no gradient will ever reach the hook`);
  let hooks = table.byNode.get(node);
  if (!hooks) table.byNode.set(node, (hooks = new Map<number, GradHook>()));
  const id = table.next++;
  hooks.set(id, hook);
  table.live++;
  const own = hooks;
  return {
    remove: () => {
      if (own.delete(id)) table.live--;
    },
  };
}

/** @internal whether `node` has hooks: one global read while none is registered anywhere. */
export function hasGradHooks(node: Node): boolean {
  if (table.live === 0) return false;
  const hooks = table.byNode.get(node);
  return hooks !== undefined && hooks.size > 0;
}

/** @internal runs `node`'s hooks on its gradient `g`, each on the previous one's result; returns the last. */
export function runGradHooks(node: Node, g: Node): Node {
  let grad = g;
  for (const hook of [...table.byNode.get(node)!.values()]) {
    const replaced = hook(grad);
    if (replaced === undefined) continue;
    const fits =
      typeof replaced === 'object' &&
      replaced !== null &&
      replaced.constructor === grad.constructor &&
      replaced.dtype === grad.dtype &&
      formatShape(replaced.shape) === formatShape(grad.shape);
    if (!fits)
      throw new GradError(
        `registerHook: a hook on ${node.label} returned ${describe(replaced)} for a gradient of shape ${formatShape(grad.shape)}, ` +
          `${grad.dtype}; it must return a ${grad.constructor.name} of that shape and dtype, or nothing`,
      );
    grad = replaced;
  }
  return grad;
}

function describe(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  const n = value as Partial<Node>;
  return n.shape !== undefined ? `a ${value.constructor.name} of shape ${formatShape(n.shape)}, ${String(n.dtype)}` : 'an object';
}
