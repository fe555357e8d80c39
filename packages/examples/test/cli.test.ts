// The `tapegrad` command line as a user meets it: help everywhere, one-line errors with exit status 2, and files
// (a model for predict, a checkpoint for --resume) held to the same rules as flags before anything is built.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, tensor } from '@tapegrad/core';
import { encodeSafetensors } from '@tapegrad/nn';
import { saveSafetensors } from '@tapegrad/nn/node';
import { UsageError } from '../src/args';
import { COMMANDS, type CommandName } from '../src/command-list';
import { run as runApple } from '../src/commands/apple-orange';
import { run as runForwardMode } from '../src/commands/forward-mode';
import { run as runFormulas } from '../src/commands/formulas';
import { run as runGradcheck } from '../src/commands/gradcheck';
import { run as runMazur } from '../src/commands/mazur';
import { parseTrainFlags, runTraining } from '../src/commands/mnist';
import { run as runNames } from '../src/commands/names';
import { run as runPredict } from '../src/commands/predict';
import { run as runSaturation } from '../src/commands/saturation';
import { run as runXor } from '../src/commands/xor';
import { buildModel } from '../src/mnist/model';

const root = join(__dirname, '..', '..', '..');
let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'tapegrad-cli-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the real CLI (from the sources, as `pnpm tapegrad` does) and collects its exit status and output. */
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const tsx = require.resolve('tsx/cli', { paths: [root] });
  const child = spawn(
    process.execPath,
    [tsx, '--tsconfig', join(root, 'tsconfig.spec.json'), join(root, 'packages/examples/src/cli.ts'), ...args],
    {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

describe('the tapegrad process', () => {
  it('prints the help for a bare tapegrad, --help and help <command>; one stderr line and status 2 for mistakes', async () => {
    const model = join(dir, 'tiny.safetensors');
    // 144 bytes asking for a hidden layer of 500 million units (1.6 GB of weights): the shapes have no bytes.
    const empty = (shape: number[]) => tensor(new Float32Array(0), { shape });
    writeFileSync(model, encodeSafetensors({ '0.weight': empty([500_000_000, 0]), '3.weight': empty([10, 0]) }));
    const [bare, help, helpPredict, unknown, badFlag, badValue, hostile, missing] = await Promise.all([
      cli([]),
      cli(['--help']),
      cli(['help', 'predict']),
      cli(['trian']),
      cli(['xor', '--frobnicate']),
      cli(['mnist', '--batch', '0']),
      cli(['predict', '--model', model]),
      cli(['predict', '--model', join(dir, 'nothing-here.safetensors')]),
    ]);
    for (const r of [bare, help]) {
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^Usage: tapegrad <command> \[options\]/);
      for (const name of Object.keys(COMMANDS)) expect(r.stdout).toContain(`  ${name} `);
    }
    expect(helpPredict.status).toBe(0);
    expect(helpPredict.stdout).toMatch(/^Usage: tapegrad predict \[options\][\s\S]*--model <file>/);
    const mistakes: Array<[typeof unknown, RegExp]> = [
      [unknown, /^tapegrad: unknown command 'trian' \(Did you mean train\?\)|^tapegrad: unknown command 'trian'/],
      [badFlag, /^tapegrad: xor: unknown option '--frobnicate'$/],
      [badValue, /^tapegrad: mnist: --batch must be an integer in \[1, 8000\], got '0'$/],
      [hostile, /^tapegrad: predict: the model '.*tiny.safetensors': layer 1's size must be an integer in \[1, 100000\], got 500000000$/],
      [missing, /^tapegrad: predict: no model at '.*nothing-here.safetensors'/],
    ];
    for (const [r, message] of mistakes) {
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr.trimEnd()).toMatch(message);
    }
  });
});

describe('every command', () => {
  const runners: Record<Exclude<CommandName, 'start' | 'mnist'>, (args: string[], write: (l: string) => void) => unknown> = {
    predict: runPredict,
    names: runNames,
    'apple-orange': runApple,
    'forward-mode': runForwardMode,
    mazur: runMazur,
    formulas: runFormulas,
    xor: runXor,
    saturation: runSaturation,
    gradcheck: runGradcheck,
  };

  it.each(Object.keys(runners))('%s prints its options for --help and -h, and does nothing else', async (name) => {
    for (const flag of ['--help', '-h']) {
      const lines: string[] = [];
      await runners[name as keyof typeof runners]([flag], (l) => lines.push(l));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(`^Usage: tapegrad ${name} \\[options\\]\\n\\n${COMMANDS[name as CommandName].replace(/[()]/g, '\\$&')}`),
      );
      expect(lines[0]).toContain('-h, --help');
    }
  });

  it.each<CommandName>(['mnist', 'start'])('%s prints its options for --help', (name) => {
    const lines: string[] = [];
    expect(parseTrainFlags(name, ['--help'], (l) => lines.push(l))).toBeNull();
    expect(lines[0]).toMatch(new RegExp(`^Usage: tapegrad ${name} \\[options\\]`));
    for (const flag of ['--epochs <n>', '--batch <n>', '--hidden <list>', '--resume', '--train-limit <n>'])
      expect(lines[0]).toContain(flag);
  });
});

describe('output paths are checked before any work', () => {
  it('refuses an --out that is a file, naming it', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    await expect(runTraining('mnist', ['--out', file])).rejects.toThrow(`mnist: --out '${file}' is not a directory`);
    await expect(runTraining('mnist', ['--out', join(file, 'sub')])).rejects.toThrow(
      `mnist: --out '${join(file, 'sub')}' cannot be written (ENOTDIR)`,
    );
    expect(() => runSaturation(['--out', join(file, 'plot.svg')], () => undefined)).toThrow(
      /^saturation: --out's directory '.*a-file' is not a directory$/,
    );
    await expect(runApple(['--svg', dir], () => undefined)).rejects.toThrow(`apple-orange: --svg '${dir}' is a directory, not a file`);
  });
});

/** A checkpoint directory whose model carries `config` (and other metadata) as given. */
async function checkpointWith(name: string, metadata: Record<string, string>): Promise<string> {
  const out = join(dir, name);
  mkdirSync(out, { recursive: true });
  const model = buildModel([4], { dropout: 0, init: new Generator(1), noise: new Generator(1) });
  await saveSafetensors(join(out, 'model.safetensors'), model.stateDict(), { format: 'tapegrad-mnist-1', epochs_done: '1', ...metadata });
  return out;
}

const goodConfig = { epochs: 2, batchSize: 32, lr: 0.001, optimizer: 'adam', hidden: [4], seed: 0, dropout: 0, shift: 0 };

describe('mnist --resume holds the checkpoint to the flags rules, before building anything', () => {
  it.each<[string, Record<string, string>, RegExp]>([
    [
      'batchSize 0 (would loop forever)',
      { config: JSON.stringify({ ...goodConfig, batchSize: 0 }) },
      /config\.batchSize must be an integer in \[1, 8000\], got 0$/,
    ],
    [
      'hidden [5e7]',
      { config: JSON.stringify({ ...goodConfig, hidden: [5e7] }) },
      /config\.hidden: layer 1's size must be an integer in \[1, 100000\], got 50000000$/,
    ],
    [
      'hidden [50000, 50000]',
      { config: JSON.stringify({ ...goodConfig, hidden: [50000, 50000] }) },
      /makes an MLP 784-50000-50000-10 of 2539800010 weights/,
    ],
    ['lr as text', { config: JSON.stringify({ ...goodConfig, lr: 'abc' }) }, /config\.lr must be a number in \[1e-8, 10\], got 'abc'$/],
    [
      'an unknown optimiser',
      { config: JSON.stringify({ ...goodConfig, optimizer: 'lbfgs' }) },
      /config\.optimizer must be 'adam' or 'sgd', got 'lbfgs'$/,
    ],
    ['an unknown setting', { config: JSON.stringify({ ...goodConfig, evil: 1 }) }, /its config has unknown settings \(\["evil"\]\)$/],
    ['a config that is not JSON', { config: '{"epochs": ' }, /its config is not JSON$/],
    ['a config of 100 KB', { config: `{"x":"${'a'.repeat(100_000)}"}` }, /its config is 100008 characters, more than 65536$/],
    ['no config', {}, /has no tapegrad mnist run information/],
    [
      'epochs_done as text',
      { config: JSON.stringify(goodConfig), epochs_done: 'many' },
      /epochs_done must be an integer in \[0, 10000\], got 'many'$/,
    ],
    [
      'a history that is not a list',
      { config: JSON.stringify(goodConfig), history: '{}' },
      /history must be a list of at most 10000 epochs, got \{\}$/,
    ],
    [
      'a history record without numbers',
      { config: JSON.stringify(goodConfig), history: '[{"epoch":1}]' },
      /history\[0\]\.loss must be a number/,
    ],
  ])('refuses %s with a one-line UsageError naming the file', async (name, metadata, message) => {
    const out = await checkpointWith(name.replace(/\W+/g, '-'), metadata);
    const attempt = runTraining('mnist', ['--resume', '--out', out, '--epochs', '3']);
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow(new RegExp(`^mnist: .*'${join(out, 'model.safetensors')}'`));
    await expect(attempt).rejects.toThrow(message);
  });

  it('refuses a checkpoint whose weights do not fit its config', async () => {
    const out = await checkpointWith('mismatch', { config: JSON.stringify({ ...goodConfig, hidden: [8] }) });
    await expect(runTraining('mnist', ['--resume', '--out', out])).rejects.toThrow(
      /^mnist: '.*model.safetensors' does not hold the network it describes/,
    );
  });
});
