/**
 * Module.summary: one forward pass with a forward hook on every module records each output shape, then a table
 * in the spirit of torchinfo's summary(model, input_size) and Keras's model.summary():
 *
 *   Layer (type)     Output shape   Param #
 *   =======================================
 *   Sequential       [32, 10]       --
 *   ├─0: Linear      [32, 256]      200,960
 *   ├─1: ReLU        [32, 256]      --
 *   └─2: Linear      [32, 10]       2,570
 *   =======================================
 *   Total params: 203,530
 *   Params size (MB): 0.81
 *
 * "Param #" counts the module's own parameters (a container's are its children's rows). A module reached twice
 * (shared) is listed where it appears and marked "(shared)" after the first time; "×n" after a shape means the
 * module ran n times in the pass; "--" for a shape means it did not run.
 */
import { type DType, Tensor, TapegradError, noGrad, zeros } from '@tapegrad/core';
import type { Module } from './module.js';

/** What summary runs the model on: an input shape (zeros of the parameters' dtype) or the inputs themselves. */
export type SummaryInput = readonly number[] | Tensor | readonly Tensor[];

/** Options of `Module.summary`. */
export interface SummaryOptions {
  /** The dtype of the zeros made from an input shape (default: the first parameter's, else float64). */
  readonly dtype?: DType;
}

interface Row {
  readonly label: string;
  readonly module: Module;
  readonly shared: boolean;
}

export function summarize(root: Module, input: SummaryInput, options: SummaryOptions): string {
  const inputs = toInputs(root, input, options);
  const rows: Row[] = [];
  const seen = new Set<Module>();
  const walk = (module: Module, label: string, prefix: string) => {
    rows.push({ label, module, shared: seen.has(module) });
    seen.add(module);
    const children = module.namedChildren();
    children.forEach(([name, child], i) => {
      const last = i === children.length - 1;
      walk(child, `${prefix}${last ? '└─' : '├─'}${name}: ${child.constructor.name}`, prefix + (last ? '  ' : '│ '));
    });
  };
  walk(root, root.constructor.name, '');

  const shapes = new Map<Module, { shape: readonly number[]; calls: number }>();
  const handles = [...seen].map((m) =>
    m.registerForwardHook((module, _inputs, output) => {
      const calls = (shapes.get(module)?.calls ?? 0) + 1;
      shapes.set(module, { shape: output instanceof Tensor ? output.shape : [], calls });
    }),
  );
  const modes = [...seen].map((m) => [m, m.training] as const);
  try {
    root.eval();
    noGrad(() => root.forward(...inputs));
  } finally {
    handles.forEach((h) => h.remove());
    for (const [m, training] of modes) m.training = training;
  }

  const table = rows.map(({ label, module, shared }) => {
    const run = shapes.get(module);
    const shape = run === undefined ? '--' : `[${run.shape.join(', ')}]${run.calls > 1 ? ` ×${run.calls}` : ''}`;
    const count = module._ownParameters().reduce((n, p) => n + p.size, 0);
    return [label, shape, shared ? '(shared)' : count === 0 ? '--' : thousands(count)];
  });
  const header = ['Layer (type)', 'Output shape', 'Param #'];
  const widths = header.map((h, c) => Math.max(h.length, ...table.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c]))
      .join('   ')
      .trimEnd();
  const rule = '='.repeat(widths.reduce((a, b) => a + b, 0) + 3 * (widths.length - 1));
  const params = root.parameters();
  const bytes = params.reduce((n, p) => n + p.size * (p.dtype === 'float32' ? 4 : 8), 0);
  return [
    line(header),
    rule,
    ...table.map(line),
    rule,
    `Total params: ${thousands(root.numParameters())}`,
    `Params size (MB): ${(bytes / 1e6).toFixed(2)}`,
  ].join('\n');
}

function toInputs(root: Module, input: SummaryInput, options: SummaryOptions): Tensor[] {
  if (input instanceof Tensor) return [input];
  if (Array.isArray(input) && input.length > 0 && input.every((t) => t instanceof Tensor)) return input;
  const shape = input as readonly number[];
  if (!Array.isArray(shape) || shape.some((d) => !(Number.isInteger(d) && d >= 0)))
    throw new TapegradError(
      `${root.constructor.name}.summary: expected an input shape (non-negative integers) or tensors, got ${String(input)}`,
    );
  const dtype = options.dtype ?? root.parameters()[0]?.dtype ?? 'float64';
  return [zeros(shape, { dtype })];
}

function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
