/**
 * Typed errors. Each message names the op and the shapes, dtypes or values at fault, so a user can find
 * the line that caused it without a debugger.
 */
import { brand } from './shared.js';

/** Base class of every error tapegrad throws on purpose. */
export class TapegradError extends Error {
  // Branded (shared.ts): an error thrown by another copy of the library in the process is still a TapegradError.
  static {
    brand(this, 'TapegradError');
  }
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Operand shapes that do not fit the op: broadcasting, matmul inner sizes, reshape sizes, axes out of range. */
export class ShapeError extends TapegradError {
  static {
    brand(this, 'ShapeError');
  }
}

/** An operand dtype the op cannot take, e.g. gradients requested on an int32 tensor. */
export class DTypeError extends TapegradError {
  static {
    brand(this, 'DTypeError');
  }
}

/**
 * Misuse of the reverse sweep: backward through a released graph, backward of a non-scalar without a seed
 * gradient, an input mutated after it was saved for backward, a rule that returned a gradient of the wrong shape.
 */
export class GradError extends TapegradError {
  static {
    brand(this, 'GradError');
  }
}

/**
 * Misuse of a function transform: reading the values of a batched tensor inside `vmap` (they stand for every sample
 * at once), a batched value used after its vmap returned, `inAxes` that do not fit the arguments.
 */
export class TransformError extends TapegradError {
  static {
    brand(this, 'TransformError');
  }
}

/** Raised in anomaly mode by the first op whose forward or backward produced NaN or Infinity. */
export class AnomalyError extends TapegradError {
  static {
    brand(this, 'AnomalyError');
  }
}

/**
 * A tensor on the wrong device for what was asked: values read synchronously from a GPU tensor, operands on two
 * devices, an op with no kernel on the device, a device that was never initialised.
 */
export class DeviceError extends TapegradError {
  static {
    brand(this, 'DeviceError');
  }
}

/**
 * A tensor used after `dispose()`, or after the `tidy` it was made in returned without it: its memory may hold another
 * tensor's values by now, so reading it is refused rather than silently wrong.
 */
export class DisposedError extends TapegradError {
  static {
    brand(this, 'DisposedError');
  }
}

/** Formats a shape the way messages show it: `[2, 3]`, `[]` for a 0-d value. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * @internal the error for an array too large to allocate (the engine's RangeError), naming the op the user called,
 * the shape and how many bytes it would take.
 */
export function allocationError(op: string, shape: readonly number[], dtype: string, cause: RangeError): ShapeError {
  let size = 1;
  for (const d of shape) size *= d;
  const bytes = size * (dtype === 'float64' ? 8 : 4);
  return new ShapeError(
    `${op}: cannot allocate a ${dtype} array of shape ${formatShape(shape)} (${size} elements, ${formatBytes(bytes)}): ${cause.message}`,
  );
}

function formatBytes(n: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${Number(n.toPrecision(3))} ${units[i]}`;
}
