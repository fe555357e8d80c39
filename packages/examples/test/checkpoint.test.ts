// The checkpoint format both training jobs share (src/checkpoint.ts), on a toy job: a save restores to the same
// weights, optimiser state, history and epoch count, and each way a checkpoint's metadata can be wrong is a
// UsageError naming the file and the field.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator } from '@tapegrad/core';
import { Linear, SGD } from '@tapegrad/nn';
import { saveSafetensors } from '@tapegrad/nn/node';
import { UsageError } from '../src/args';
import { type CheckpointSpec, MODEL_FILE, checkpointKind } from '../src/checkpoint';

interface ToyConfig {
  readonly width: number;
}
interface ToyEpoch {
  readonly epoch: number;
  readonly loss: number;
}

const spec: CheckpointSpec<ToyConfig, ToyEpoch> = {
  format: 'toy-1',
  acceptsUnmarked: false,
  maxEpochs: 3,
  maxHistoryJson: 200,
  configFrom: (command, path, text) => {
    if (text === undefined) throw new UsageError(`${command}: '${path}' has no toy config`);
    return JSON.parse(text) as ToyConfig;
  },
  epochFrom: (field) => ({ epoch: field('epoch', { integer: true, min: 1, max: 3 }), loss: field('loss', { min: 0 }) }),
};
const toy = checkpointKind(spec);

function trainer(seed: number) {
  const model = new Linear(3, 2, { generator: new Generator(seed) });
  const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  return { model, optimizer, history: [] as ToyEpoch[], epochsDone: 0 };
}

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'tapegrad-checkpoint-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkpointKind', () => {
  it('restores the weights, the optimiser state, the history and the epoch count it saved', async () => {
    const first = trainer(1);
    first.model.weight.square().sum().add(first.model.bias!.sum()).backward();
    first.optimizer.step();
    first.history.push({ epoch: 1, loss: 0.5 });
    first.epochsDone = 1;
    const out = join(dir, 'round-trip');
    await toy.save(out, first, { width: 2 });

    const info = await toy.readInfo('toy', join(out, MODEL_FILE));
    expect(info).toEqual({ config: { width: 2 }, epochsDone: 1, history: [{ epoch: 1, loss: 0.5 }] });
    const second = trainer(2);
    expect(second.model.weight.toArray()).not.toEqual(first.model.weight.toArray());
    await toy.restore('toy', out, second, info);
    expect(second.model.weight.toArray()).toEqual(first.model.weight.toArray());
    expect(second.model.bias!.toArray()).toEqual(first.model.bias!.toArray());
    expect(Object.keys(second.optimizer.stateDict()).length).toBeGreaterThan(0);
    for (const [name, value] of Object.entries(first.optimizer.stateDict()))
      expect(second.optimizer.stateDict()[name].toArray()).toEqual(value.toArray());
    expect([second.history, second.epochsDone]).toEqual([[{ epoch: 1, loss: 0.5 }], 1]);
  });

  const history = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ epoch: 1 + (i % 3), loss: 1 })));
  it.each<[string, Record<string, string>, string | RegExp]>([
    ['another format', { format: 'other-1', config: '{}' }, "is a 'other-1' checkpoint, not a toy-1 one"],
    ['no format', { config: '{}' }, "is a 'unmarked' checkpoint, not a toy-1 one"],
    [
      'epochs_done past the most epochs',
      { format: 'toy-1', config: '{}', epochs_done: '4' },
      'epochs_done must be an integer in [0, 3], got 4',
    ],
    [
      'epochs_done as a fraction',
      { format: 'toy-1', config: '{}', epochs_done: '1.5' },
      "epochs_done must be an integer in [0, 3], got '1.5'",
    ],
    [
      'a history longer than its limit',
      { format: 'toy-1', config: '{}', history: history(12) },
      /history is \d+ characters, more than 200$/,
    ],
    [
      'more epochs of history than a run has',
      { format: 'toy-1', config: '{}', history: history(4) },
      /history must be a list of at most 3 epochs/,
    ],
    ['a history that is not JSON', { format: 'toy-1', config: '{}', history: '[{' }, /history is not JSON$/],
    [
      'a negative loss',
      { format: 'toy-1', config: '{}', history: '[{"epoch":1,"loss":-1}]' },
      /history\[0\]\.loss must be a number in \[0, Infinity\], got -1$/,
    ],
  ])('refuses a checkpoint with %s, naming the file', async (name, metadata, message) => {
    const out = join(dir, name.replace(/\W+/g, '-'));
    mkdirSync(out);
    await saveSafetensors(join(out, MODEL_FILE), {}, metadata);
    const attempt = toy.readInfo('toy', join(out, MODEL_FILE));
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow(new RegExp(`^toy: .*'${join(out, MODEL_FILE)}'`));
    await expect(attempt).rejects.toThrow(message);
  });

  it('reads an unmarked checkpoint where the job allows it (mnist, from before the tag)', async () => {
    const out = join(dir, 'unmarked');
    mkdirSync(out);
    await saveSafetensors(join(out, MODEL_FILE), {}, { config: '{"width":4}' });
    const lenient = checkpointKind({ ...spec, acceptsUnmarked: true });
    await expect(lenient.readInfo('toy', join(out, MODEL_FILE))).resolves.toEqual({ config: { width: 4 }, epochsDone: 0, history: [] });
  });
});
