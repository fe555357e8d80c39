#!/usr/bin/env node
/**
 * The `tapegrad` CLI: `tapegrad <command> [options]`. Each command lives in its own module under commands/
 * and is loaded only when asked for; `start` runs the main job.
 */
import { UsageError } from './args.js';

interface Command {
  readonly summary: string;
  readonly load: () => Promise<{ run(args: string[]): Promise<void> | void }>;
}

// One line per command; each module exports `run(args)`.
const commands: Record<string, Command> = {
};

function help(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length), 4);
  return ['usage: tapegrad <command> [options]', '', 'commands:', ...Object.entries(commands).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`)].join('\n');
}

async function main(argv: string[]): Promise<void> {
  const [name = 'start', ...args] = argv;
  if (name === 'help' || name === '--help' || name === '-h') {
    console.log(help());
    return;
  }
  const command = commands[name];
  if (command === undefined) throw new UsageError(`unknown command '${name}'\n\n${help()}`);
  const module = await command.load();
  await module.run(args);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`tapegrad: ${error.message}`);
    process.exitCode = 2;
  } else {
    console.error(error);
    process.exitCode = 1;
  }
});
