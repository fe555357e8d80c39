/**
 * TensorFlow.js, a peer in the cross-check tests and the benchmark, prints an advertisement for its native Node
 * backend (`tfjs-node`) the first time a CPU-backend tensor is made in Node. It says nothing about the code under
 * test, so the test setup drops that one message; every other warning, TensorFlow.js's included, still prints.
 * (tfjs's own switches, the `IS_TEST` and `PROD` flags, would silence all of its warnings.)
 */
const ADVERT = /running TensorFlow\.js in Node\.js\. To speed things up/;

/** Whether console.warn's arguments are the tfjs-node advertisement. */
export function isTfjsNodeAdvert(args: readonly unknown[]): boolean {
  return args.length === 1 && typeof args[0] === 'string' && ADVERT.test(args[0]);
}

/** A console.warn that drops the tfjs-node advertisement (marked, so a test can tell it is installed). */
export type FilteredWarn = ((...args: unknown[]) => void) & { readonly dropsTfjsNodeAdvert: true };

/** `warn`, minus the tfjs-node advertisement. */
export function withoutTfjsNodeAdvert(warn: (...args: unknown[]) => void): FilteredWarn {
  const filtered = (...args: unknown[]) => {
    if (!isTfjsNodeAdvert(args)) warn(...args);
  };
  return Object.assign(filtered, { dropsTfjsNodeAdvert: true as const });
}
