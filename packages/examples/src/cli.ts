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
  start: {
    summary: 'the main job: train an MLP on real MNIST digits with the default settings (as mnist)',
    load: () => import('./commands/start.js'),
  },
  mnist: {
    summary: 'train a 784-256-128-10 MLP on MNIST digits (--epochs --batch --lr --optimizer --hidden --seed --out --resume)',
    load: () => import('./commands/mnist.js'),
  },
  predict: { summary: 'classify held-out MNIST digits with a saved model (--model FILE)', load: () => import('./commands/predict.js') },
  'apple-orange': {
    summary: "seed 004's apple/orange price graph with layers and with the tape (--dot, --svg FILE, --exact, --explain)",
    load: () => import('./commands/apple-orange.js'),
  },
  mazur: {
    summary: "seed 002's worked 2-2-2 network, every printed number checked (--explain)",
    load: () => import('./commands/mazur.js'),
  },
  formulas: {
    summary: "seed 000's boxed formulas (18) and (30) against the tape on a random network",
    load: () => import('./commands/formulas.js'),
  },
  xor: { summary: "seed 004's XOR learned by a two-layer network; prints the truth table", load: () => import('./commands/xor.js') },
  saturation: {
    summary: "seed 003's saturated neuron: quadratic vs cross-entropy cost (--out FILE.svg)",
    load: () => import('./commands/saturation.js'),
  },
  gradcheck: {
    summary: 'gradient check of a small MLP and of each textbook layer (--broken shows a failure)',
    load: () => import('./commands/gradcheck.js'),
  },
};

function help(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length), 4);
  return [
    'usage: tapegrad <command> [options]',
    '',
    'commands:',
    ...Object.entries(commands).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`),
  ].join('\n');
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
