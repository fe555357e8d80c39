/** `tapegrad xor [--hidden N] [--epochs N] [--lr X] [--seed N]`: seed 004's XOR learned by a two-layer network. */
import { numberFlag, parseFlags } from '../args.js';
import { type Write, toConsole } from '../textbook/output.js';
import { XOR_INPUTS, XOR_TARGETS, trainXor } from '../textbook/xor.js';

export function run(args: string[], write: Write = toConsole): void {
  const { values } = parseFlags('xor', args, {
    hidden: { type: 'string' },
    epochs: { type: 'string' },
    lr: { type: 'string' },
    seed: { type: 'string' },
  });
  const hidden = numberFlag('xor', 'hidden', values.hidden, 4, { integer: true, min: 1, max: 1024 });
  const epochs = numberFlag('xor', 'epochs', values.epochs, 2000, { integer: true, min: 0, max: 1_000_000 });
  const lr = numberFlag('xor', 'lr', values.lr, 1, { min: 0 });
  const seed = numberFlag('xor', 'seed', values.seed, 1, { integer: true, min: 0 });
  const r = trainXor({ hidden, epochs, lr, seed });
  write(`XOR with TwoLayerNet(2, ${hidden}, 2): Affine -> Sigmoid -> Affine -> SoftmaxWithLoss, gradient descent, lr ${lr}`);
  write(`loss ${r.firstLoss.toFixed(6)} at the start, ${r.finalLoss.toFixed(6)} after ${epochs} epochs`);
  write(r.solvedAt === null ? 'never classified all four rows right' : `all four rows right from epoch ${r.solvedAt}`);
  write('');
  write(' x1  x2 | XOR | P(1)    | learned');
  XOR_INPUTS.forEach(([a, b], n) => {
    const mark = r.predictions[n] === XOR_TARGETS[n] ? '' : '  <- wrong';
    write(`  ${a}   ${b} |  ${XOR_TARGETS[n]}  | ${r.probabilities[n].toFixed(4)}  |  ${r.predictions[n]}${mark}`);
  });
}
