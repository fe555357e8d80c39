/**
 * Importing `@tapegrad/gradcheck/jest` registers two matchers:
 * `expect(f).toPassGradcheck(inputs, options?)` and `expect(a).toBeAllClose(b, { rtol, atol })`.
 * @example
 * import '@tapegrad/gradcheck/jest';
 * expect((x: Tensor) => x.tanh().sum()).toPassGradcheck([x]);
 * @module @tapegrad/gradcheck/jest
 */
import type { GradcheckOptions } from './gradcheck.js';
import { type AllCloseOptions, matchers } from './matchers.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Jest declares its matcher types in a global namespace
  namespace jest {
    interface Matchers<R> {
      /** Passes when the function's tape gradients agree with central differences for every input that requires grad. */
      toPassGradcheck(inputs: readonly unknown[], options?: GradcheckOptions): R;
      /** Elementwise |received - expected| <= atol + rtol |expected|; NaN never matches, an infinity only itself. */
      toBeAllClose(expected: unknown, options?: AllCloseOptions): R;
    }
  }
}

declare const expect: { extend(m: Record<string, unknown>): void };
expect.extend(matchers);
