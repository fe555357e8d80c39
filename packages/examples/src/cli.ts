#!/usr/bin/env node
/**
 * The `tapegrad` CLI: `tapegrad <command> [options]`, on commander. Each command lives in its own module under
 * commands/, parses its own options (so `tapegrad <command> --help` shows them) and is loaded only when asked for.
 * A bare `tapegrad` prints the help. A mistake of the user's (a flag, a file) is one line on stderr and exit status
 * 2; anything else is a bug, printed with its stack, and exit status 1.
 */
import { Command, CommanderError } from 'commander';
import { UsageError } from './args.js';
import { COMMANDS, type CommandName } from './command-list.js';

type CommandModule = { run(args: string[]): Promise<void> | void };

const LOADERS: Record<CommandName, () => Promise<CommandModule>> = {
  start: () => import('./commands/start.js'),
  mnist: () => import('./commands/mnist.js'),
  predict: () => import('./commands/predict.js'),
  names: () => import('./commands/names.js'),
  'apple-orange': () => import('./commands/apple-orange.js'),
  'forward-mode': () => import('./commands/forward-mode.js'),
  mazur: () => import('./commands/mazur.js'),
  formulas: () => import('./commands/formulas.js'),
  xor: () => import('./commands/xor.js'),
  saturation: () => import('./commands/saturation.js'),
  gradcheck: () => import('./commands/gradcheck.js'),
};

const isCommand = (name: string): name is CommandName => Object.prototype.hasOwnProperty.call(COMMANDS, name);

function program(): Command {
  const root = new Command('tapegrad')
    .description('worked examples of tapegrad, a reverse-mode autodiff engine: textbook networks, MNIST training and prediction')
    .usage('<command> [options]')
    .helpOption('-h, --help', 'show this help')
    .helpCommand(false)
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined })
    .addHelpText('after', "\nRun 'tapegrad <command> --help' for a command's options.");
  for (const name of Object.keys(COMMANDS) as CommandName[]) {
    // The command's own module parses its options: here it only takes everything after its name.
    root
      .command(name)
      .description(COMMANDS[name])
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(async (_options: unknown, command: Command) => (await LOADERS[name]()).run(command.args));
  }
  root
    .command('help')
    .description("show a command's help (tapegrad help <command>)")
    .argument('[command]')
    .action(async (name?: string) => {
      if (name === undefined) root.outputHelp();
      else if (isCommand(name)) await (await LOADERS[name]()).run(['--help']);
      else throw new UsageError(`unknown command '${name}'; 'tapegrad --help' lists them`);
    });
  return root;
}

async function main(argv: string[]): Promise<void> {
  const root = program();
  if (argv.length === 0) {
    root.outputHelp();
    return;
  }
  try {
    await root.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed') return;
    throw new UsageError(`${error.message.replace(/^error: /, '')}; 'tapegrad --help' lists the commands and options`);
  }
}

/** System errors (a full disk, a permission) say what and where in one line; only bugs need a stack. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === 'string' &&
    /^E[A-Z]+$/.test((error as NodeJS.ErrnoException).code!)
  );
}

// Output piped into a reader that stops early (`tapegrad --help | head`) is not an error of the program's.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || isSystemError(error)) {
    console.error(`tapegrad: ${error.message.replace(/\s*\n\s*/g, ' ')}`);
    process.exitCode = 2;
  } else {
    console.error(error);
    process.exitCode = 1;
  }
});
