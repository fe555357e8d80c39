/** Flag parsing shared by the CLI commands: bad input becomes a UsageError with a clear message, never a stack trace. */
import { parseArgs } from 'node:util';

/** A mistake in how a command was called; the CLI prints its message and exits with status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string; default?: string | boolean }>;

/** The parsed flags: a string or boolean per declared flag (undefined when absent and without default). */
export interface ParsedFlags<S extends FlagSpec> {
  readonly values: { [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : string };
  readonly positionals: string[];
}

/** Parses `args` against `spec`; unknown flags and stray positionals are usage errors naming the command. */
export function parseFlags<S extends FlagSpec>(command: string, args: string[], spec: S, allowPositionals = false): ParsedFlags<S> {
  try {
    return parseArgs({ args, options: spec, strict: true, allowPositionals });
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message}`);
  }
}

/** A flag value as a number within [min, max], integer if asked; otherwise a UsageError naming the flag and value. */
export function numberFlag(
  command: string,
  flag: string,
  value: string | undefined,
  fallback: number,
  options: { min?: number; max?: number; integer?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  const { min = -Infinity, max = Infinity, integer = false } = options;
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    const kind = integer ? 'an integer' : 'a number';
    const range = min > -Infinity || max < Infinity ? ` in [${min}, ${max}]` : '';
    throw new UsageError(`${command}: --${flag} must be ${kind}${range}, got '${value}'`);
  }
  return n;
}
