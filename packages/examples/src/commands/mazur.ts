/**
 * `tapegrad mazur [--explain [text|markdown|json]]`: seed 002's worked 2-2-2 sigmoid network. Prints every
 * number the document prints next to the engine's value, flags each disagreement with its reason, and the
 * error after the first update and after 10,000 updates.
 */
import { type ExplainFormat, explain } from '@tapegrad/core';
import { UsageError, defineCommand, parseCommand } from '../args.js';
import { FORMULA_SLIPS, compare, withPrintedDigits } from '../textbook/mazur-document.js';
import { trace } from '../textbook/mazur-network.js';
import { type Write, toConsole } from '../textbook/output.js';

const FORMATS: readonly ExplainFormat[] = ['text', 'markdown', 'json'];

const command = () => defineCommand('mazur').option('--explain [format]', `print the tape explained: ${FORMATS.join(', ')} (default text)`);

export function run(args: string[], write: Write = toConsole): void {
  const values = parseCommand<{ explain?: string | true }>(command(), args, write);
  if (values === null) return;
  const format = (values.explain === true ? 'text' : values.explain) as ExplainFormat | undefined;
  if (format !== undefined && !FORMATS.includes(format))
    throw new UsageError(`mazur: --explain takes text, markdown or json, got '${format}'`);
  const t = trace();
  if (format !== undefined) {
    write(explain(t.forward.eTotal, format));
    return;
  }
  const rows = compare(t.values);
  const width = Math.max(...rows.map((r) => r.key.length));
  write('Seed 002: 2-2-2 sigmoid network, i = (0.05, 0.10), targets (0.01, 0.99), eta = 0.5, biases fixed.');
  write('Each number the document prints, the engine value at the same digits, and the full double:');
  write('');
  for (const r of rows) {
    const mark = r.agrees ? 'ok' : 'DIFFERS';
    write(
      `  ${r.key.padEnd(width)}  document ${r.printed.padStart(13)}  engine ${r.engine.toFixed(r.decimals).padStart(13)}  ${mark.padEnd(7)}  (${r.engine})`,
    );
  }
  const wrong = rows.filter((r) => !r.agrees);
  write('');
  write(`${rows.length} printed numbers checked; ${rows.length - wrong.length} agree to the printed digits, ${wrong.length} do not:`);
  for (const r of wrong) {
    write(`- ${r.where}`);
    write(`    document ${r.printed}, true ${withPrintedDigits(r.engine, r.printed)}: ${r.reason}`);
  }
  write('');
  write('Slips in the formulas and words (no number exposes them):');
  for (const s of FORMULA_SLIPS) write(`- ${s.printed} -> ${s.correct}: ${s.reason}`);
  write('');
  write(`E_total: ${t.values.E_total} at the start, ${t.values['E_total after 1 update']} after one update,`);
  write(`         ${t.errorBeforeUpdate10000} after 9,999 updates, ${t.values['E_total after 10000 updates']} after 10,000 updates`);
  write(`outputs after 10,000 updates: out_o1 = ${t.outputsAfter10000[0]}, out_o2 = ${t.outputsAfter10000[1]} (targets 0.01, 0.99)`);
}
