/**
 * `tapegrad saturation [--epochs N] [--target A] [--out FILE]`: seed 003's saturated sigmoid neuron trained
 * with the quadratic cost and with cross-entropy; prints milestones, how much faster cross-entropy is, and
 * writes both curves as an SVG plot (default out/saturation.svg).
 */
import { writeFileSync } from 'node:fs';
import { checkOutputFile, defineCommand, numberFlag, parseCommand } from '../args.js';
import { type Write, toConsole } from '../textbook/output.js';
import { type Curve, epochsToReach, trainNeuron } from '../textbook/saturation.js';
import { lineChart } from '../charts/line-chart.js';

/** Long enough for the quadratic run to get out of saturation and below any sensible target. */
const SEARCH_EPOCHS = 20_000;

export interface SaturationReport {
  readonly quadratic: Curve;
  readonly crossEntropy: Curve;
  readonly target: number;
  readonly quadraticEpochs: number | null;
  readonly crossEntropyEpochs: number | null;
}

export function measure(target = 0.1): SaturationReport {
  const quadratic = trainNeuron('quadratic', SEARCH_EPOCHS);
  const crossEntropy = trainNeuron('cross-entropy', SEARCH_EPOCHS);
  return {
    quadratic,
    crossEntropy,
    target,
    quadraticEpochs: epochsToReach(quadratic, target),
    crossEntropyEpochs: epochsToReach(crossEntropy, target),
  };
}

const command = () =>
  defineCommand('saturation')
    .option('--epochs <n>', 'epochs shown in the table and the plot (default 300)')
    .option('--target <a>', 'output the runs race down to (default 0.1)')
    .option('--out <file>', 'where to write the SVG plot (default out/saturation.svg)');

export function run(args: string[], write: Write = toConsole): void {
  const values = parseCommand<{ epochs?: string; target?: string; out?: string }>(command(), args, write);
  if (values === null) return;
  const epochs = numberFlag('saturation', 'epochs', values.epochs, 300, { integer: true, min: 1, max: SEARCH_EPOCHS });
  const target = numberFlag('saturation', 'target', values.target, 0.1, { min: 0.01, max: 0.97 });
  const out = values.out ?? 'out/saturation.svg';
  checkOutputFile('saturation', '--out', out);
  const r = measure(target);
  const q = r.quadratic;
  const ce = r.crossEntropy;
  write('Seed 003: one sigmoid neuron, x = 1, target y = 0, start w = 2, b = 2 (output 0.98, saturated), eta = 0.15.');
  write(
    `dC/dw at the start: quadratic ${q.firstGradient.toFixed(6)} (= a^2 (1 - a): sigma'(z) is tiny), cross-entropy ${ce.firstGradient.toFixed(6)} (= a)`,
  );
  write('');
  write('epoch | quadratic: cost    output | cross-entropy: cost    output');
  const step = Math.max(1, Math.round(epochs / 6));
  for (let e = 0; e <= epochs; e += step) {
    write(
      `${String(e).padStart(5)} | ${q.costs[e].toFixed(6).padStart(15)} ${q.outputs[e].toFixed(4).padStart(9)} | ${ce.costs[e].toFixed(6).padStart(19)} ${ce.outputs[e].toFixed(4).padStart(9)}`,
    );
  }
  write('');
  const qe = r.quadraticEpochs;
  const cee = r.crossEntropyEpochs;
  write(
    `epochs until the output falls below ${target}: quadratic ${qe ?? `more than ${SEARCH_EPOCHS}`}, cross-entropy ${cee ?? `more than ${SEARCH_EPOCHS}`}`,
  );
  if (qe !== null && cee !== null)
    write(`cross-entropy gets there ${(qe / Math.max(cee, 1)).toFixed(1)}x faster (${qe - cee} fewer epochs)`);
  const svg = lineChart([
    {
      title: 'Quadratic cost',
      xLabel: 'epoch',
      yLabel: 'cost',
      series: [{ label: 'quadratic', color: '#c0392b', values: q.costs.slice(0, epochs + 1) }],
    },
    {
      title: 'Cross-entropy cost',
      xLabel: 'epoch',
      yLabel: 'cost',
      series: [{ label: 'cross-entropy', color: '#2471a3', values: ce.costs.slice(0, epochs + 1) }],
    },
    {
      title: 'Output a (target 0)',
      xLabel: 'epoch',
      yLabel: 'a',
      series: [
        { label: 'quadratic', color: '#c0392b', values: q.outputs.slice(0, epochs + 1) },
        { label: 'cross-entropy', color: '#2471a3', values: ce.outputs.slice(0, epochs + 1) },
      ],
    },
  ]);
  writeFileSync(out, svg);
  write(`wrote ${out}`);
}
