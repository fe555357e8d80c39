/**
 * One copy of the truth when a process loads @tapegrad/core more than once: the ESM and CommonJS builds side by
 * side (one package `import`s it, another `require`s it), or two bundles on one page. Each copy has its own
 * classes, so two things are tied to keys that every copy spells the same way (`Symbol.for`):
 * - class identity: `x instanceof Tensor` asks for a mark on the prototype rather than for this copy's prototype,
 *   so a tensor made by one copy is a Tensor to the other (`brand`);
 * - global state (grad mode, anomaly mode, the tape's sequence counter, the random generator, the kernel backend):
 *   it lives in one `globalThis` slot that the first copy to load creates and the others find (`shared`).
 * The version in the keys changes whenever the shape of what they mark or hold does, so incompatible releases
 * keep apart instead of reading each other's state.
 */

const PREFIX = 'tapegrad.core.1.';

/**
 * Makes `instanceof cls` true for instances of this class made by any copy of the library: the prototype carries
 * a mark under a `Symbol.for` key, and `cls[Symbol.hasInstance]` looks for it. A subclass defined elsewhere (a
 * user's `class MyError extends ShapeError`) keeps the ordinary prototype check. Returns the same test as a
 * function for the engine's hot paths: it tries V8's own `instanceof` (this copy's objects) before the mark, and
 * costs no call through `Symbol.hasInstance` (measured: 3-4 ns a check against about 12).
 */
export function brand<C extends abstract new (...args: never[]) => unknown>(cls: C, name: string): (x: unknown) => x is InstanceType<C> {
  return brandClass(cls, PREFIX + name);
}

/**
 * Makes `instanceof cls` recognise instances of `cls` made by another copy of the package that defines it (the
 * ESM and CommonJS builds loaded side by side, or two bundles on one page), as tapegrad's own classes do: the
 * prototype is marked under `Symbol.for(key)` and `cls[Symbol.hasInstance]` looks for the mark. `key` names the
 * package, a format number and the class (`'tapegrad.nn.1.Module'`); change the number when what the class holds
 * changes shape, so copies that disagree keep apart. Subclasses of `cls` keep the ordinary check unless branded
 * too. Returns the same test as a function.
 * @example
 * class Layer {}
 * const isLayer = brandClass(Layer, 'my-package.1.Layer');
 * isLayer(new Layer()); // true
 */
export function brandClass<C extends abstract new (...args: never[]) => unknown>(
  cls: C,
  key: string,
): (x: unknown) => x is InstanceType<C> {
  const mark = Symbol.for(key);
  Object.defineProperty(cls.prototype, mark, { value: true });
  // The same prototype behind a constructor without a custom hasInstance: a plain, fast instanceof.
  const own = function () {} as unknown as abstract new () => unknown;
  own.prototype = cls.prototype as object;
  const is = (x: unknown): x is InstanceType<C> =>
    typeof x === 'object' && x !== null && (x instanceof own || (x as Record<symbol, unknown>)[mark] === true);
  Object.defineProperty(cls, Symbol.hasInstance, {
    value(this: unknown, x: unknown): boolean {
      return this === cls ? is(x) : Function.prototype[Symbol.hasInstance].call(this, x);
    },
  });
  return is;
}

/** The process-wide value named `name`, made by `create` in whichever copy of the library asks first. */
export function shared<T>(name: string, create: () => T): T {
  const key = Symbol.for(PREFIX + 'state');
  const g = globalThis as unknown as Record<symbol, Record<string, unknown> | undefined>;
  const slot = (g[key] ??= Object.create(null) as Record<string, unknown>);
  return (slot[name] ??= create()) as T;
}
