/** `tapegrad xor [--hidden N] [--epochs N] [--lr X] [--seed N]`: seed 004's XOR learned by a two-layer network. */
import { defineCommand, numberFlag, parseCommand } from '../args.js';
import { type Write, toConsole } from '../textbook/output.js';
import { XOR_INPUTS, XOR_TARGETS, trainXor } from '../textbook/xor.js';

const command = () =>
  defineCommand('xor')
    .option('--hidden <n>', 'hidden units (default 4)')
    .option('--epochs <n>', 'epochs of gradient descent (default 2000)')
    .option('--lr <x>', 'learning rate (default 1)')
    .option('--seed <n>', 'seed of the weights (default 1)');

export function run(args: string[], write: Write = toConsole): void {
  const flags = parseCommand<{ hidden?: string; epochs?: string; lr?: string; seed?: string }>(command(), args, write);
  if (flags === null) return;
  const hidden = numberFlag('xor', 'hidden', flags.hidden, 4, { integer: true, min: 1, max: 1024 });
  const epochs = numberFlag('xor', 'epochs', flags.epochs, 2000, { integer: true, min: 0, max: 1_000_000 });
  const lr = numberFlag('xor', 'lr', flags.lr, 1, { min: 0, max: 1e6 });
  const seed = numberFlag('xor', 'seed', flags.seed, 1, { integer: true, min: 0, max: 2 ** 31 - 1 });
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
