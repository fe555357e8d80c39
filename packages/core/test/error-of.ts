/** The error `fn` throws, for tests that check its class and message together; fails the test when nothing is thrown. */
export function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}
