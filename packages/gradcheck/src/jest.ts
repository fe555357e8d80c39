/**
 * Importing `@tapegrad/gradcheck/jest` registers four matchers: `expect(f).toPassGradcheck(inputs, options?)`,
 * `expect(f).toPassDualityCheck(inputs, options?)`, `expect(f).toMatchGradient(df, x, options?)` (a plain
 * function's hand-written gradient) and `expect(a).toBeAllClose(b, { rtol, atol })`.
 * @example
 * import '@tapegrad/gradcheck/jest';
 * expect((x: Tensor) => x.tanh().sum()).toPassGradcheck([x]);
 * @module @tapegrad/gradcheck/jest
 */
import type { CheckGradientOptions, GradientOf, Point } from './check-gradient.js';
import type { DualityOptions } from './duality.js';
import type { GradcheckOptions } from './gradcheck.js';
import { type AllCloseOptions, matchers } from './matchers.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Jest declares its matcher types in a global namespace
  namespace jest {
    interface Matchers<R> {
      /** Passes when the function's tape gradients agree with central differences for every input that requires grad. */
      toPassGradcheck(inputs: readonly unknown[], options?: GradcheckOptions): R;
      /** Passes when forward mode (jvp) and reverse mode agree: <v, J u> = <J^T v, u> for random u and v (checkDuality). */
      toPassDualityCheck(inputs: readonly unknown[], options?: DualityOptions): R;
      /** Passes when `df` is the gradient of the plain function at `x`, by central differences (checkGradient). */
      toMatchGradient<X extends Point>(df: (x: X) => GradientOf<X>, x: X, options?: CheckGradientOptions): R;
      /** Elementwise |received - expected| <= atol + rtol |expected|; NaN never matches, an infinity only itself. */
      toBeAllClose(expected: unknown, options?: AllCloseOptions): R;
    }
  }
}

declare const expect: { extend(m: Record<string, unknown>): void };
expect.extend(matchers);
