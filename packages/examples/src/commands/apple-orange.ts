/**
 * `tapegrad apple-orange [--dot] [--svg FILE] [--exact] [--explain [text|markdown|json]]`: seed 004's price graph,
 * with the book's layer objects and with Scalars on the tape; prints the book's output lines and the tape. The
 * graph's numbers are written as people write them (715, not 715.0000000000001) unless --exact.
 */
import { writeFileSync } from 'node:fs';
import { type ExplainFormat, explain, formatTape, toDot } from '@tapegrad/core';
import { UsageError, checkOutputFile, defineCommand, parseCommand } from '../args.js';
import { bookLines, priceGraph, priceWithLayers, priceWithTape } from '../textbook/apple-orange.js';
import { type Write, toConsole } from '../textbook/output.js';

const FORMATS: readonly ExplainFormat[] = ['text', 'markdown', 'json'];

/** Renders DOT to SVG with Graphviz itself (its WebAssembly build), not a hand-made layout. */
export async function renderSvg(dot: string): Promise<string> {
  const { Graphviz } = await import('@hpcc-js/wasm-graphviz');
  const graphviz = await Graphviz.load();
  return graphviz.dot(dot);
}

const command = () =>
  defineCommand('apple-orange')
    .option('--dot', 'print the graph as Graphviz DOT')
    .option('--svg <file>', 'also draw the graph, with values and gradients, to an SVG file')
    .option('--exact', 'write the exact doubles in the graph (715.0000000000001), not 6 significant digits')
    .option('--explain [format]', `print the tape explained: ${FORMATS.join(', ')} (default text)`);

export async function run(args: string[], write: Write = toConsole): Promise<void> {
  const values = parseCommand<{ dot?: boolean; svg?: string; exact?: boolean; explain?: string | true }>(command(), args, write);
  if (values === null) return;
  const dotOptions = { title: 'apple-orange', ...(values.exact ? { format: String } : {}) };
  const format = (values.explain === true ? 'text' : values.explain) as ExplainFormat | undefined;
  if (format !== undefined && !FORMATS.includes(format)) {
    throw new UsageError(`apple-orange: --explain takes text, markdown or json, got '${format}'`);
  }
  if (values.svg !== undefined) checkOutputFile('apple-orange', '--svg', values.svg);
  const graph = priceGraph();
  const tape = priceWithTape(graph);
  if (values.dot) {
    write(toDot(graph.price, dotOptions).trimEnd());
    return;
  }
  if (format !== undefined) {
    write(explain(graph.price, format));
    return;
  }
  write('With the layer objects (MulLayer, AddLayer), as in the book:');
  for (const line of bookLines(priceWithLayers())) write(line);
  write('');
  write('With Scalars on the tape (price.backward()):');
  for (const line of bookLines(tape)) write(line);
  write('');
  write('The tape, in recording order:');
  write(formatTape(graph.price));
  if (values.svg !== undefined) {
    writeFileSync(values.svg, await renderSvg(toDot(graph.price, dotOptions)));
    write('');
    write(`wrote the graph with values and gradients to ${values.svg}`);
  }
}
