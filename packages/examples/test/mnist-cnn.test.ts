// `tapegrad mnist --model cnn` on a small subset (the full run is measured by hand, see docs/performance.md):
// the flags and their CNN defaults, a few hundred digits learned in two epochs, a checkpoint in PyTorch's names
// that resumes exactly, and predict reading the CNN back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator } from '@tapegrad/core';
import { loadSafetensors } from '@tapegrad/nn/node';
import { UsageError } from '../src/args';
import { parseTrainFlags, threadCount } from '../src/commands/mnist';
import { run as predictCommand } from '../src/commands/predict';
import { MNIST_CHECKPOINT } from '../src/mnist/checkpoint';
import { affineBatch } from '../src/mnist/affine';
import { CNN_DEFAULTS, buildCnn } from '../src/mnist/cnn';
import { type MnistSplit, loadMnist } from '../src/mnist/data';
import { type TrainConfig, cnnDistortion, createTrainer, predict, train } from '../src/mnist/train';

let data: MnistSplit;
beforeAll(async () => {
  data = await loadMnist({ trainLimit: 256, testLimit: 100 });
});

const small: TrainConfig = {
  epochs: 2,
  batchSize: 16,
  lr: 4e-3,
  optimizer: 'adam',
  hidden: [],
  model: 'cnn',
  seed: 3,
  dropout: 0.1,
  shift: 1,
};

describe('mnist --model cnn flags', () => {
  it('take the CNN defaults and keep the MLP ones for the MLP', () => {
    const { config, out } = parseTrainFlags('mnist', ['--model', 'cnn'])!;
    expect(config).toMatchObject({
      model: 'cnn',
      epochs: CNN_DEFAULTS.epochs,
      lr: CNN_DEFAULTS.adamLr,
      shift: CNN_DEFAULTS.shift,
      hidden: [],
    });
    expect(out).toBe(CNN_DEFAULTS.out);
    expect(parseTrainFlags('mnist', ['--model', 'mlp'])!.config.model).toBeUndefined();
    expect(() => parseTrainFlags('mnist', ['--model', 'rnn'])).toThrow(new UsageError("mnist: --model must be 'mlp' or 'cnn', got 'rnn'"));
    expect(() => parseTrainFlags('mnist', ['--model', 'cnn', '--hidden', '64'])).toThrow(/--hidden sets the MLP's layers/);
  });

  it('share the matrix products between one thread per core for the CNN unless --threads says otherwise', () => {
    const threadsOf = (args: string[]) => {
      const request = parseTrainFlags('mnist', args)!;
      return threadCount(request, request.config);
    };
    expect(threadsOf(['--model', 'cnn'])).toBe(0);
    expect(threadsOf([])).toBe(1);
    expect(threadsOf(['--model', 'cnn', '--threads', '1'])).toBe(1);
    expect(threadsOf(['--threads', '2'])).toBe(2);
    // --resume takes the model from the checkpoint: a CNN checkpoint resumed without --model gets the CNN's default.
    const resumed = parseTrainFlags('mnist', ['--resume'])!;
    const cnnConfig = parseTrainFlags('mnist', ['--model', 'cnn'])!.config;
    expect(threadCount(resumed, cnnConfig)).toBe(0);
    expect(threadCount(parseTrainFlags('mnist', ['--resume', '--model', 'cnn'])!, parseTrainFlags('mnist', [])!.config)).toBe(1);
    expect(() => parseTrainFlags('mnist', ['--threads', '0'])).toThrow(
      new UsageError("mnist: --threads must be an integer in [1, 256], got '0'"),
    );
  });
});

describe('the affine distortions', () => {
  it('leave a digit unchanged at zero range, keep its ink within a few percent, and repeat for a seed', () => {
    const images = data.train.images.data as Float32Array;
    const rows = [0, 5, 9];
    const out = new Float32Array(rows.length * 784);
    affineBatch(images, rows, out, { rotate: 0, scale: 0, shift: 0 }, new Generator(1));
    expect(Array.from(out.subarray(784, 1568))).toEqual(Array.from(images.subarray(5 * 784, 6 * 784)));
    const ink = (a: Float32Array, i: number) => a.subarray(i * 784, (i + 1) * 784).reduce((s, v) => s + v, 0);
    affineBatch(images, rows, out, { rotate: 12, scale: 0, shift: 2 }, new Generator(1));
    // A rotation and a shift move the strokes (away from the border, as MNIST digits are) but not their amount.
    rows.forEach((r, i) => expect(ink(out, i) / ink(images, r)).toBeCloseTo(1, 1));
    expect(Array.from(out.subarray(0, 784))).not.toEqual(Array.from(images.subarray(0, 784)));
    const again = new Float32Array(out.length);
    affineBatch(images, rows, again, { rotate: 12, scale: 0, shift: 2 }, new Generator(1));
    expect(Array.from(again)).toEqual(Array.from(out));
  });
});

describe("the CNN's distortion per epoch", () => {
  it('distorts every epoch but the last two, and never leaves the first undistorted', () => {
    const config = { epochs: 15, shift: 2 };
    const clean = Array.from({ length: 15 }, (_, e) => cnnDistortion(e, config)).map(
      (d) => d.rotate === 0 && d.scale === 0 && d.shift === 0,
    );
    expect(clean).toEqual([...new Array<boolean>(13).fill(false), true, true]);
    expect(cnnDistortion(0, config)).toEqual({ rotate: 12, scale: 0.1, shift: 2 });
    expect([0, 1].map((e) => cnnDistortion(e, { epochs: 2, shift: 1 }).shift)).toEqual([1, 0]);
    expect(cnnDistortion(0, { epochs: 1, shift: 1 }).shift).toBe(1);
  });
});

describe('the CNN', () => {
  it('maps [B, 784] rows to [B, 10] logits through PyTorch-named layers', () => {
    const model = buildCnn({ dropout: 0.3, init: new Generator(1), noise: new Generator(2) });
    expect(model.forward(data.test.images.slice([0, 0], [3, -1])).shape).toEqual([3, 10]);
    const keys = Object.keys(model.stateDict());
    expect(keys).toContain('1.weight');
    expect(keys).toContain('2.num_batches_tracked');
    expect(keys).toContain('13.bias');
    expect(model.numParameters()).toBe(24 * 25 + 2 * 24 + 48 * 24 * 25 + 2 * 48 + (48 * 7 * 7 * 128 + 128) + (128 * 10 + 10));
  });

  it('learns 256 digits in two epochs well above chance, saves a checkpoint that resumes exactly and that predict reads', async () => {
    const straight = createTrainer(small);
    train(straight, small, data);
    expect(straight.history[1].testAccuracy).toBeGreaterThan(0.4); // chance is 0.1
    expect(straight.history[1].loss).toBeLessThan(straight.history[0].loss);
    // One cycle per batch over the run ends within 1% of lr (a per-epoch cosine's second of two epochs runs at lr / 2).
    expect(straight.history[1].lr).toBeLessThan(small.lr * 0.01);
    expect(straight.history[0].lr).toBeGreaterThan(small.lr * 0.4);

    const dir = mkdtempSync(join(tmpdir(), 'tapegrad-cnn-'));
    try {
      // Stopped after its first epoch (as a killed run whose checkpoint was saved then): the one-cycle schedule spans
      // the configured two epochs, so a one-epoch run would not be the same first half.
      const half = createTrainer(small);
      const stop = new Error('stopped after epoch 1');
      expect(() =>
        train(half, small, data, {
          onEpochEnd: () => {
            throw stop;
          },
        }),
      ).toThrow(stop);
      await MNIST_CHECKPOINT.save(dir, half, small);
      const info = await MNIST_CHECKPOINT.readInfo('mnist', join(dir, 'model.safetensors'));
      expect(info.config.model).toBe('cnn');
      const state = await loadSafetensors(join(dir, 'model.safetensors'));
      expect(state['2.num_batches_tracked'].item()).toBe(256 / 16);
      const resumed = createTrainer(small);
      await MNIST_CHECKPOINT.restore('mnist', dir, resumed, info);
      train(resumed, small, data);
      expect(resumed.history.map((r) => r.loss)).toEqual(straight.history.map((r) => r.loss));
      const x = data.test.images;
      expect(Array.from(predict(resumed.model, x).logits)).toEqual(Array.from(predict(straight.model, x).logits));

      await MNIST_CHECKPOINT.save(dir, straight, small);
      const lines: string[] = [];
      await predictCommand(['--model', join(dir, 'model.safetensors'), '--show', '0'], (line) => lines.push(line));
      expect(lines[0]).toMatch(/: CNN conv5x5\(24\)-BN-ReLU-pool-conv5x5\(48\)-BN-ReLU-pool-FC128-FC10$/);
      const hits = Number(/\((\d+)\/2000\)/.exec(lines[1])![1]);
      expect(hits / 2000).toBeGreaterThan(0.4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000); // about 15 s on an idle machine; this one is shared
});
