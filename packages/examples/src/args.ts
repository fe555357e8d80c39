/**
 * Flag parsing shared by the CLI commands, on commander: each command declares its options on a commander Command
 * ({@link defineCommand}) and parses its arguments with {@link parseCommand}, which prints the help for --help and
 * turns every mistake into a one-line {@link UsageError}. Values are then checked by the rules here (numbers in a
 * range, sizes, output paths), the same rules whether a value came from a flag or from a file the command reads.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { COMMANDS, type CommandName } from './command-list.js';
import { type Write, toConsole } from './textbook/output.js';

/** A mistake in how a command was called (or in a file it was given); the CLI prints its message on one line and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message.replace(/\s*\n\s*/g, ' '));
    this.name = 'UsageError';
  }
}

/** A command's flags as parsed: a string for an option taking a value, true for a switch, undefined when absent. */
export type Flags = Record<string, string | boolean | undefined>;

/**
 * A fresh command (commander keeps parsed values on the object, so one per parse) with the CLI's conventions: its
 * summary from the command list, `tapegrad <name>` in its usage line, -h/--help, suggestions for typos.
 */
export function defineCommand(name: CommandName): Command {
  return new Command(name)
    .description(COMMANDS[name])
    .helpOption('-h, --help', 'show this help')
    .showSuggestionAfterError()
    .configureHelp({ commandUsage: (cmd) => `tapegrad ${cmd.name()} ${cmd.usage()}` });
}

/**
 * Parses `args` for `command`. Returns its flags, or null when --help was asked for (the help has been written).
 * Unknown or malformed flags and stray arguments are UsageErrors naming the command.
 */
export function parseCommand<F extends Flags>(command: Command, args: readonly string[], write: Write = toConsole): F | null {
  let help = '';
  command.exitOverride().configureOutput({ writeOut: (text) => (help += text), writeErr: () => undefined, outputError: () => undefined });
  try {
    command.parse(args, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed') {
      write(help.trimEnd());
      return null;
    }
    throw new UsageError(`${command.name()}: ${error.message.replace(/^error: /, '')}`);
  }
  return command.opts<F>();
}

/** What a number must be. */
export interface NumberRule {
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
}

function ruleText({ min = -Infinity, max = Infinity, integer = false }: NumberRule): string {
  const range = min > -Infinity || max < Infinity ? ` in [${min}, ${max}]` : '';
  return `${integer ? 'an integer' : 'a number'}${range}`;
}

function obeys(n: number, { min = -Infinity, max = Infinity, integer = false }: NumberRule): boolean {
  return Number.isFinite(n) && (!integer || Number.isInteger(n)) && n >= min && n <= max;
}

/** A value shown in a message: strings quoted, anything else as JSON, cut short. */
export function shown(value: unknown): string {
  const text = typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** A flag value as a number obeying `rule`; `fallback` when absent. Otherwise a UsageError naming the flag and value. */
export function numberFlag(command: string, flag: string, value: string | undefined, fallback: number, rule: NumberRule = {}): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !obeys(n, rule)) throw new UsageError(`${command}: --${flag} must be ${ruleText(rule)}, got '${value}'`);
  return n;
}

/** A number read from a file (`where` says which field of which file) obeying `rule`, or a UsageError. */
export function numberFrom(command: string, where: string, value: unknown, rule: NumberRule): number {
  if (typeof value !== 'number' || !obeys(value, rule))
    throw new UsageError(`${command}: ${where} must be ${ruleText(rule)}, got ${shown(value)}`);
  return value;
}

function pathError(command: string, what: string, path: string, error: unknown): UsageError {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new UsageError(`${command}: ${what} '${path}' cannot be written (${reason})`);
}

/**
 * Checks, before any work starts, that `dir` is a directory this process can write into, creating it (and its
 * parents) when missing. A UsageError naming `flag` and the path otherwise.
 */
export function checkOutputDir(command: string, flag: string, dir: string): void {
  try {
    if (statSync(dir, { throwIfNoEntry: false })?.isDirectory() === false)
      throw new UsageError(`${command}: ${flag} '${dir}' is not a directory`);
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw error instanceof UsageError ? error : pathError(command, flag, dir, error);
  }
}

/** Checks, before any work starts, that the file `path` can be written: its directory is (made) writable, and it is not a directory. */
export function checkOutputFile(command: string, flag: string, path: string): void {
  checkOutputDir(command, `${flag}'s directory`, dirname(resolve(path)));
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory())
    throw new UsageError(`${command}: ${flag} '${path}' is a directory, not a file`);
}
