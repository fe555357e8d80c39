/**
 * Where in a model an error happened. A typed error (a TapegradError) thrown inside a module's forward is tagged
 * with the innermost module it passed through; as it leaves each enclosing module, its message is rewritten to
 * name that module and the path down to the innermost one, so a wrong input width into a model reads
 *   Linear(in_features=784, out_features=256, bias=true) at "0" of Sequential: expected input [..., 784], got [32, 100]
 * rather than a bare `matmul: inner sizes differ`. The error keeps its class (ShapeError stays a ShapeError).
 * Only the message changes; the first line of its stack is kept in step so an uncaught error prints the same.
 */
import { TapegradError } from '@tapegrad/core';

/** What a module needs to offer to be named in a message. */
export interface Describable {
  readonly constructor: { readonly name: string };
  extraRepr(): string;
  namedChildren(): Array<[string, Describable]>;
  namedModules(): Array<[string, Describable]>;
}

interface Context {
  /** The innermost module the error came through. */
  readonly module: Describable;
  /** The message as first thrown, before any module was named in it. */
  readonly detail: string;
}

const CONTEXT = Symbol('tapegrad.moduleContext');
type Tagged = TapegradError & { [CONTEXT]?: Context };

/** `Linear(in_features=2, out_features=3, bias=true)` for a leaf with a one-line extraRepr; else the class name. */
export function describeModule(module: Describable): string {
  const extra = module.extraRepr();
  return extra !== '' && !extra.includes('\n') && module.namedChildren().length === 0
    ? `${module.constructor.name}(${extra})`
    : module.constructor.name;
}

/** An error from `module`'s own check, its message naming the module: `Linear(...): <detail>`. */
export function moduleError<E extends TapegradError>(ErrorClass: new (message: string) => E, module: Describable, detail: string): E {
  const error = new ErrorClass(`${describeModule(module)}: ${detail}`);
  (error as Tagged)[CONTEXT] = { module, detail };
  return error;
}

/** Names `module` in an error leaving its forward; returns the error to rethrow. */
export function annotate(error: unknown, module: Describable): unknown {
  if (!(error instanceof TapegradError)) return error;
  const tagged = error as Tagged;
  const context = (tagged[CONTEXT] ??= { module, detail: error.message });
  const inner = describeModule(context.module);
  let message: string;
  if (context.module === module) message = `${inner}: ${context.detail}`;
  else {
    const path = module.namedModules().find(([, m]) => m === context.module)?.[0];
    // A module not below this one (another model called from inside forward) is named without a path.
    message = path === undefined ? `${inner}: ${context.detail}` : `${inner} at "${path}" of ${module.constructor.name}: ${context.detail}`;
  }
  rewrite(error, message);
  return error;
}

function rewrite(error: Error, message: string): void {
  const header = `${error.name}: ${error.message}`;
  if (typeof error.stack === 'string' && error.stack.startsWith(header)) {
    error.stack = `${error.name}: ${message}${error.stack.slice(header.length)}`;
  }
  error.message = message;
}
