/**
 * What the exporters name: each initializer by its state-dict key (the module's path, then the tensor's name), and
 * each module they cannot write by its class and path, in the one message form every export error has.
 */
import { OnnxExportError } from '../errors.js';
import type { OnnxDim } from './graph-builder.js';

/** The dotted name of `name` inside the module at `path` (the state-dict key: `features.0.weight`). */
export function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

/** A shape as messages show it: `[batch, 784]`. */
export function formatDims(shape: readonly OnnxDim[]): string {
  return `[${shape.join(', ')}]`;
}

/** Throws the OnnxExportError for a module that cannot be written as it is: `exportOnnx: Conv2d at 'features.0' <detail>`. */
export function fail(module: object, path: string, detail: string): never {
  throw new OnnxExportError(`exportOnnx: ${module.constructor.name} at '${path === '' ? '(root)' : path}' ${detail}`);
}
