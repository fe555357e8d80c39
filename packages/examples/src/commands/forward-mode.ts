/**
 * `tapegrad forward-mode`: seed 004's apple/orange graph differentiated by forward mode, one input at a time (a
 * `jvp` pass with that input's tangent 1), each pass's tangents printed value by value, and the five derivatives
 * beside the reverse sweep's. Exits with status 1 if any of them differs (it never should: the book's numbers).
 */
import { defineCommand, parseCommand } from '../args.js';
import { type Write, toConsole } from '../textbook/output.js';
import { PRICE_INPUTS, PRICE_VALUES, forwardPasses } from '../textbook/forward-mode.js';

const command = () => defineCommand('forward-mode');

export function run(args: string[], write: Write = toConsole): void {
  if (parseCommand(command(), args, write) === null) return;
  const passes = forwardPasses();
  write("Seed 004's price graph: price = (apple * apple_num + orange * orange_num) * tax, at");
  write(`  ${PRICE_INPUTS.map(([name, value]) => `${name} = ${value}`).join(', ')}`);
  write('');
  write('Forward mode: one pass per input, its tangent 1 and the others 0; every value carries its tangent,');
  write('its derivative by that input, as it is computed:');
  const width = Math.max(...PRICE_INPUTS.map(([name]) => name.length));
  for (const pass of passes) {
    const flow = PRICE_VALUES.map((v, k) => `d ${v} = ${pass.tangents[k]}`).join(', ');
    write(`  d ${pass.input.padEnd(width)} = 1:  ${flow}`);
  }
  write('');
  write('d price / d input by forward mode (one pass each) and by the reverse sweep (one price.backward() for all):');
  for (const pass of passes) {
    const same = pass.forward === pass.reverse;
    write(
      `  ${pass.input.padEnd(width)}  forward ${String(pass.forward).padEnd(20)} reverse ${String(pass.reverse).padEnd(20)} ${same ? 'equal' : 'DIFFERENT'}`,
    );
  }
  const different = passes.filter((p) => p.forward !== p.reverse);
  write('');
  if (different.length === 0) write('All five are equal, to the last bit: the same numbers as the book prints for the reverse sweep.');
  else {
    write(`${different.length} differ: ${different.map((p) => p.input).join(', ')}`);
    process.exitCode = 1;
  }
}
