/**
 * Where forward mode keeps its tangents: on the nodes themselves, one per open `jvp` (a *level*), so a tangent
 * travels with its value through every op. Each `jvp` call opens a level of its own and closes it when it
 * returns, so nested calls (jvp of jvp, jvp of grad) never mistake one's perturbation for another's (JAX's
 * "perturbation confusion"): while an op's rule computes the tangent of level L, the levels opened since L are
 * hidden, so the rule's own ops carry only the tangents of the levels outside L, and the tangent of level L is a
 * value of those outer levels only, never of L itself.
 *
 * A node's tangents are a short list (one link per level that perturbs it, newest first); a node that no `jvp`
 * perturbs carries null. A tangent is a node, or a plain number for a Scalar when nothing will differentiate it
 * (no outer level, no tape): the numeric path that keeps forward mode over Scalar graphs cheap. A closed level's
 * links are ignored, wherever they are left.
 */
import { shared } from '../shared.js';
import { mode } from './mode.js';
import type { Node } from './node.js';

/** One open (or closed) forward-mode perturbation: what one `jvp` call differentiates along. */
export interface Level {
  /** Increasing in the order levels were opened. */
  readonly id: number;
  /** False once its `jvp` has returned: its tangents are ignored from then on. */
  open: boolean;
  /** Above zero while a rule of an older level runs, which must not see this level's tangents. */
  hidden: number;
}

/** A node's tangent at one level. */
export interface TangentLink {
  readonly level: Level;
  readonly value: Node | number;
  readonly next: TangentLink | null;
}

// One state for every copy of the library in the process (shared.ts), like grad mode.
export const forwardMode = shared('forwardMode', () => ({
  /** How many levels are open: the one check an op makes when no `jvp` is running. */
  open: 0,
  nextId: 1,
  levels: [] as Level[],
  /** The op whose tangent rule is running, so anomalies inside it are blamed on it. */
  ruleOf: null as { readonly name: string } | null,
}));

/** Opens a level for one `jvp` call; close it with `closeLevel` when the call returns (also on error). */
export function openLevel(): Level {
  const level: Level = { id: forwardMode.nextId++, open: true, hidden: 0 };
  forwardMode.levels.push(level);
  forwardMode.open++;
  return level;
}

/** Closes a level: every tangent of it, wherever it is left, is ignored from now on. */
export function closeLevel(level: Level): void {
  if (!level.open) return;
  level.open = false;
  forwardMode.open--;
  const levels = forwardMode.levels;
  const at = levels.indexOf(level);
  if (at >= 0) levels.splice(at, 1);
}

/** Whether tangents of `level` are seen by the ops that run now. */
function visible(level: Level): boolean {
  return level.open && level.hidden === 0;
}

/** The tangent of `node` at `level` (a node, a number for a Scalar), or null when that level does not perturb it. */
export function tangentAt(node: Node, level: Level): Node | number | null {
  for (let link = node._tangents; link !== null; link = link.next) if (link.level === level) return link.value;
  return null;
}

/** Sets (or with null, removes) the tangent of `node` at `level`; links of closed levels are dropped on the way. */
export function setTangent(node: Node, level: Level, value: Node | number | null): void {
  let kept: TangentLink | null = null;
  for (let link = node._tangents; link !== null; link = link.next) {
    if (link.level === level || !link.level.open) continue;
    kept = { level: link.level, value: link.value, next: kept };
  }
  node._tangents = value === null ? kept : { level, value, next: kept };
}

/** Whether some visible level perturbs `node`. */
export function hasVisibleTangent(node: Node): boolean {
  for (let link = node._tangents; link !== null; link = link.next) if (visible(link.level)) return true;
  return false;
}

/**
 * The visible levels that perturb any of `inputs`, oldest first, or null when none does (the usual case, checked
 * without allocating).
 */
export function visibleLevels(inputs: ArrayLike<Node>): Level[] | null {
  let found: Level[] | null = null;
  for (let i = 0; i < inputs.length; i++) {
    for (let link = inputs[i]._tangents; link !== null; link = link.next) {
      const level = link.level;
      if (!visible(level)) continue;
      if (found === null) found = [level];
      else if (!found.includes(level)) found.push(level);
    }
  }
  if (found !== null && found.length > 1) found.sort((a, b) => a.id - b.id);
  return found;
}

/**
 * Runs `fn` with `level` and every level opened after it hidden: what an op's tangent rule for `level` runs under,
 * so its ops carry only the tangents of older levels. Levels opened inside `fn` (a `jvp` inside a rule) are seen.
 * (A level opened inside `fn` is closed again before it returns, so the same levels are unhidden after it.)
 */
export function withLevelHidden<T>(level: Level, fn: () => T): T {
  const levels = forwardMode.levels;
  for (let i = 0; i < levels.length; i++) if (levels[i].id >= level.id) levels[i].hidden++;
  try {
    return fn();
  } finally {
    for (let i = 0; i < levels.length; i++) if (levels[i].id >= level.id) levels[i].hidden--;
  }
}

/** Whether `level` is open and not hidden: its tangents are seen by the ops that run now. */
export function isVisible(level: Level): boolean {
  return level.open && level.hidden === 0;
}

/**
 * Whether a value computed from `a` and `b` now will be differentiated: by the tape (grad mode on and one of them
 * requires grad) or by a visible forward-mode level that perturbs one of them. A rule may take a fused kernel
 * (one pass, no graph) exactly when this is false.
 */
export function isDifferentiated(a: Node, b: Node): boolean {
  return mode.grad && (a.requiresGrad || b.requiresGrad || (forwardMode.open !== 0 && (hasVisibleTangent(a) || hasVisibleTangent(b))));
}
