/**
 * The device seam's signatures as core declares them (DeviceBackend in @tapegrad/core's ndarray/device.ts), so that
 * the backend class and the kernel modules it hands each entry point to name their parameters once, there.
 */
import type { DeviceBackend } from '@tapegrad/core';

/** A kernel entry point's name (every member of the seam but its `name`). */
type EntryPoint = Exclude<keyof DeviceBackend, 'name'>;

/** The parameters of the seam's entry point `K`. */
export type SeamArgs<K extends EntryPoint> = Parameters<NonNullable<DeviceBackend[K]>>;

/** What the seam's entry point `K` returns. */
export type SeamResult<K extends EntryPoint> = ReturnType<NonNullable<DeviceBackend[K]>>;
