#!/usr/bin/env node
/** The `tapegrad` CLI: `tapegrad <command> [options]`; `start` runs the main job. */
const [command = 'start', ...args] = process.argv.slice(2);

if (command === 'start') {
  console.log('tapegrad start: no examples registered yet');
} else {
  console.error(`tapegrad: unknown command '${command}'${args.length ? ` (args: ${args.join(' ')})` : ''}`);
  process.exitCode = 1;
}
