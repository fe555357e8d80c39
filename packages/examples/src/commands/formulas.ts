/**
 * `tapegrad formulas [--hidden sigmoid|tanh|relu|all] [--output softmax|sigmoid|linear|all] [--seed N]`:
 * seed 000's boxed gradient formulas (18) and (30) against the tape's gradients on a random network.
 */
import { UsageError, defineCommand, numberFlag, parseCommand } from '../args.js';
import { HIDDEN, type Hidden, OUTPUT, type Output, checkFormulas } from '../textbook/formulas.js';
import { type Write, toConsole } from '../textbook/output.js';

function choices<T extends string>(flag: string, value: string, all: readonly T[]): readonly T[] {
  if (value === 'all') return all;
  if (!(all as readonly string[]).includes(value))
    throw new UsageError(`formulas: --${flag} takes ${all.join(', ')} or all, got '${value}'`);
  return [value as T];
}

const fmt = (x: number) => x.toExponential(2);

const command = () =>
  defineCommand('formulas')
    .option('--hidden <name>', `hidden activation: ${HIDDEN.join(', ')} or all`, 'all')
    .option('--output <name>', `output activation: ${OUTPUT.join(', ')} or all`, 'all')
    .option('--seed <n>', 'seed of the random network (default 0)');

export function run(args: string[], write: Write = toConsole): void {
  const flags = parseCommand<{ hidden: string; output: string; seed?: string }>(command(), args, write);
  if (flags === null) return;
  const hiddens = choices<Hidden>('hidden', flags.hidden, HIDDEN);
  const outputs = choices<Output>('output', flags.output, OUTPUT);
  const seedValue = numberFlag('formulas', 'seed', flags.seed, 0, { integer: true, min: 0, max: 2 ** 31 - 1 });
  write('Seed 000: z = f(XW + b), a = zV + c, y = g(a), Ln = log-likelihood; N = 6, D = 4, M = 5, K = 3.');
  write('(18) dLn/dV_mk = sum_n (t_nk - y_nk) z_nm');
  write("(30) dLn/dW_dm = sum_n sum_k (t_nk - y_nk) V_mk f'(net_nm) x_nd, where f' = z(1 - z) as printed for sigmoid,");
  write('     1 - z^2 for tanh and [net > 0] for ReLU (the document writes (30) for sigmoid only).');
  write('');
  write('hidden   output    max |tape - (18)|  max |tape - (30)|  (30) with z(1-z) as printed  largest gradient');
  let worst = 0;
  for (const h of hiddens) {
    for (const o of outputs) {
      const r = checkFormulas(h, o, seedValue);
      worst = Math.max(worst, r.maxDiff18, r.maxDiff30);
      write(
        `${h.padEnd(8)} ${o.padEnd(8)}  ${fmt(r.maxDiff18).padStart(17)}  ${fmt(r.maxDiff30).padStart(17)}  ${fmt(r.maxDiff30AsPrinted).padStart(27)}  ${fmt(r.scale).padStart(16)}`,
      );
    }
  }
  write('');
  write(`largest difference between the tape and the boxed formulas: ${fmt(worst)}`);
  if (hiddens.some((h) => h !== 'sigmoid'))
    write("the as-printed column shows (30) needs f' generalised: its sigmoid factor is wrong for tanh and ReLU.");
}
