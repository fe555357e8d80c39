// tapegrad names on a tiny configuration: the data and its split, the bigram baseline against hand counts, the
// seeded sampler (multinomial) against the model's own distribution, a short run that beats the bigram on held-out names, and the checkpoint
// resumed to the same numbers as an uninterrupted run.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noGrad, tensor } from '@tapegrad/core';
import { saveSafetensors } from '@tapegrad/nn/node';
import { run as runNames, parseNamesFlags } from '../src/commands/names';
import { Bigram } from '../src/names/bigram';
import { NAMES_CHECKPOINT } from '../src/names/checkpoint';
import { IGNORE, Vocabulary, encodeBatch, loadNames, splitNames } from '../src/names/data';
import { type NamesConfig, createNamesTrainer, evaluate, sampleNames, trainNames } from '../src/names/train';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'tapegrad-names-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tiny: NamesConfig = { epochs: 2, batchSize: 16, lr: 1e-2, width: 16, heads: 2, layers: 1, dropout: 0, seed: 3 };

describe('the names data', () => {
  it('is the two stdlib lists, deduplicated, lower-case, split 90/10 by a fixed seed', async () => {
    const names = await loadNames();
    expect(names).toHaveLength(8422);
    expect(names).toContain('emma');
    expect(names.every((n) => /^[a-z-]+$/.test(n))).toBe(true);
    const split = splitNames(names);
    expect([split.train.length, split.heldOut.length]).toEqual([7580, 842]);
    expect(new Set([...split.train, ...split.heldOut]).size).toBe(8422);
    expect(split.vocabulary.chars.join('')).toBe('.-abcdefghijklmnopqrstuvwxyz');
    expect(split.blockSize).toBe(16);
    expect(splitNames(names).heldOut).toEqual(split.heldOut);
  });

  it("encodes '.' + name as inputs and name + '.' as targets, ignoring the padding", () => {
    const v = new Vocabulary(['.', 'a', 'b']);
    const { inputs, targets } = encodeBatch(['ab', 'b'], v, 4);
    expect(inputs.toArray()).toEqual([
      [0, 1, 2, 0],
      [0, 2, 0, 0],
    ]);
    expect(targets.toArray()).toEqual([
      [1, 2, 0, IGNORE],
      [2, 0, IGNORE, IGNORE],
    ]);
  });
});

describe('the bigram baseline', () => {
  it('is the add-one smoothed count model, its loss the mean -log P per predicted character', () => {
    const v = new Vocabulary(['.', 'a', 'b']);
    const bigram = Bigram.fit(['ab', 'a'], v);
    // Pairs: .a a b b. | .a a.  Row '.': counts [1, 3, 1] / 5; row 'a': [2, 1, 2] / 5; row 'b': [2, 1, 1] / 4.
    expect(Array.from(bigram.probabilities)).toEqual([1 / 5, 3 / 5, 1 / 5, 2 / 5, 1 / 5, 2 / 5, 2 / 4, 1 / 4, 1 / 4]);
    // 'b': .b (1/5) then b. (2/4).
    expect(bigram.loss(['b'])).toBeCloseTo(-(Math.log(1 / 5) + Math.log(2 / 4)) / 2, 14);
  });
});

describe('sampling', () => {
  it("draws first characters with the model's own probabilities (chi-squared over 3,000 names), reproducibly from the seed", async () => {
    const data = splitNames(await loadNames(), 400);
    const trainer = createNamesTrainer({ ...tiny, epochs: 1 }, data);
    trainNames(trainer, { ...tiny, epochs: 1 }, data);
    trainer.model.eval();
    // The model's distribution of the first character: the softmax of its logits after '.' alone.
    const V = data.vocabulary.size;
    const probs = Array.from(
      noGrad(() =>
        trainer.model
          .forward(tensor(new Int32Array(1), { shape: [1, 1] }))
          .reshape([V])
          .softmax(-1),
      ).data,
    );
    const n = 3000;
    const names = sampleNames(trainer.model, data, n, 5);
    const counts = new Array<number>(V).fill(0);
    for (const name of names) counts[name === '' ? 0 : data.vocabulary.chars.indexOf(name[0])]++;
    // Categories expected at least 10 times each (the rest pooled), 1 - 1e-4 quantile of chi-squared.
    let chi2 = 0;
    let pooled = 0;
    let pooledCount = 0;
    let dof = -1;
    for (let c = 0; c < V; c++) {
      if (probs[c] * n >= 10) {
        chi2 += (counts[c] - probs[c] * n) ** 2 / (probs[c] * n);
        dof++;
      } else {
        pooled += probs[c] * n;
        pooledCount += counts[c];
      }
    }
    if (pooled > 0) {
      chi2 += (pooledCount - pooled) ** 2 / pooled;
      dof++;
    }
    expect(dof).toBeGreaterThan(10);
    expect(chi2).toBeLessThan(dof + 6 * Math.sqrt(2 * dof));
    const few = sampleNames(trainer.model, data, 50, 5);
    expect(sampleNames(trainer.model, data, 50, 5)).toEqual(few);
    expect(sampleNames(trainer.model, data, 50, 6)).not.toEqual(few);
  });
});

describe('training', () => {
  const limited = async () => splitNames(await loadNames(), 400);

  it('beats the bigram on held-out names after a short run, and samples names from its vocabulary', async () => {
    const data = await limited();
    const trainer = createNamesTrainer({ ...tiny, epochs: 3 }, data);
    const before = evaluate(trainer.model, data.heldOut, data);
    expect(before).toBeGreaterThan(Math.log(28) - 0.5); // an untrained model is about uniform
    trainNames(trainer, { ...tiny, epochs: 3 }, data);
    const after = trainer.history.at(-1)!.heldOutLoss;
    expect(after).toBeLessThan(Bigram.fit(data.train, data.vocabulary).loss(data.heldOut));
    const names = sampleNames(trainer.model, data, 20, 0);
    expect(names).toHaveLength(20);
    expect(names.every((n) => /^[a-z-]*$/.test(n) && n.length < data.blockSize)).toBe(true);
    expect(sampleNames(trainer.model, data, 20, 0)).toEqual(names);
  });

  it('resumes from its checkpoint to exactly the numbers of an uninterrupted run', async () => {
    const data = await limited();
    const straight = createNamesTrainer(tiny, data);
    trainNames(straight, tiny, data);
    const first = createNamesTrainer(tiny, data);
    trainNames(first, { ...tiny, epochs: 1 }, data);
    const out = join(dir, 'resume');
    await NAMES_CHECKPOINT.save(out, first, { ...tiny, epochs: 1 });
    const info = await NAMES_CHECKPOINT.readInfo('names', join(out, 'model.safetensors'));
    expect(info.epochsDone).toBe(1);
    const resumed = createNamesTrainer(info.config, data);
    await NAMES_CHECKPOINT.restore('names', out, resumed, info);
    trainNames(resumed, tiny, data);
    expect(resumed.history.map((r) => r.heldOutLoss)).toEqual(straight.history.map((r) => r.heldOutLoss));
  });

  it('runs end to end through the command, and refuses bad flags and foreign checkpoints', async () => {
    const out = join(dir, 'cli');
    const lines: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      await runNames([
        '--epochs',
        '1',
        '--width',
        '16',
        '--heads',
        '2',
        '--layers',
        '1',
        '--train-limit',
        '200',
        '--samples',
        '3',
        '--out',
        out,
      ]);
    } finally {
      log.mockRestore();
    }
    expect(lines.join('\n')).toMatch(/bigram baseline \(add-one smoothed counts\): train \d\.\d{4}, held-out \d\.\d{4}/);
    expect(lines.join('\n')).toMatch(/epoch {3}1\/1 {2}train \d\.\d{4} {2}held-out \d\.\d{4}/);
    expect(lines.at(-2)).toBe('3 names sampled from the model (seed 0):');
    expect(() => parseNamesFlags(['--width', '10', '--heads', '4'])).toThrow('names: flags: --heads 4 must divide --width 10');
    expect(() => parseNamesFlags(['--epochs', '0'])).toThrow("names: --epochs must be an integer in [1, 1000], got '0'");
    const foreign = join(dir, 'foreign');
    mkdirSync(foreign);
    await saveSafetensors(join(foreign, 'model.safetensors'), {}, { format: 'tapegrad-mnist-1' });
    await expect(runNames(['--resume', '--out', foreign])).rejects.toThrow(
      /is a 'tapegrad-mnist-1' checkpoint, not a tapegrad-names-1 one/,
    );
    writeFileSync(join(foreign, 'model.safetensors'), 'not safetensors');
    await expect(runNames(['--resume', '--out', foreign])).rejects.toThrow(/is not a valid safetensors file/);
    await expect(runNames(['--resume', '--out', join(dir, 'none')])).rejects.toThrow(/--resume found no checkpoint/);
  });
});
