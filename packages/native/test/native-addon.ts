/**
 * The addon for the tests, or a visible note and skipped suites when it was not built. Where the addon must be there
 * (CI installs libopenblas-dev: .ci/run sets TAPEGRAD_REQUIRE_NATIVE=1) its absence fails the run instead.
 */
import { loadAddon, type NativeAddon } from '../src/addon';

const load = loadAddon();

if (load.addon === null) {
  if (process.env.TAPEGRAD_REQUIRE_NATIVE === '1') throw new Error(`@tapegrad/native is required here but unavailable: ${load.reason}`);
  console.log(`@tapegrad/native tests skipped: ${load.reason}`);
}

/** The loaded addon (the suites using it are skipped when there is none). */
export const addon = load.addon as NativeAddon;

/** `describe` when the addon loaded, `describe.skip` otherwise. */
export const describeNative: jest.Describe = load.addon === null ? describe.skip : describe;
