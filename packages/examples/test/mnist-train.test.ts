import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMnist, type MnistSplit, PIXELS } from '../src/mnist/data';
import { MNIST_CHECKPOINT } from '../src/mnist/checkpoint';
import { type TrainConfig, createTrainer, predict, train } from '../src/mnist/train';

const small: TrainConfig = { epochs: 4, batchSize: 32, lr: 2e-3, optimizer: 'adam', hidden: [64], seed: 1, dropout: 0, shift: 0 };
let data: MnistSplit;

beforeAll(async () => {
  data = await loadMnist({ trainLimit: 1500, testLimit: 500 });
});

describe('the MNIST split', () => {
  it('is 8,000 / 2,000 float32 digits in [0, 1] with int32 labels, the same on every load', async () => {
    const full = await loadMnist();
    expect(full.train.images.shape).toEqual([8000, PIXELS]);
    expect(full.test.images.shape).toEqual([2000, PIXELS]);
    expect(full.train.images.dtype).toBe('float32');
    expect(full.test.labels.dtype).toBe('int32');
    const px = full.test.images.data;
    expect(Math.min(...px.subarray(0, 20000))).toBe(0);
    expect(Math.max(...px.subarray(0, 20000))).toBeLessThanOrEqual(1);
    // All ten digits appear in the test split, and the split does not depend on anything but its fixed seed.
    expect(new Set(full.test.labels.data).size).toBe(10);
    expect(Array.from(data.test.labels.data)).toEqual(Array.from(full.test.labels.data.subarray(0, 500)));
  });
});

describe('training on a small seeded subset', () => {
  it('reaches at least 85% test accuracy on 1,500 digits in 4 epochs', () => {
    const trainer = createTrainer(small);
    train(trainer, small, data);
    const last = trainer.history[trainer.history.length - 1];
    expect(last.testAccuracy).toBeGreaterThanOrEqual(0.85);
    expect(trainer.history[0].loss).toBeGreaterThan(last.loss);
  });

  it('gives the same loss sequence bit for bit for the same seed, and a different one for another seed', () => {
    const config: TrainConfig = { ...small, epochs: 1, dropout: 0.3, shift: 1 };
    const subset = {
      train: { images: data.train.images.slice([0, 0], [256, -1]), labels: data.train.labels.slice([0], [256]) },
      test: data.test,
    };
    const run = (seed: number) => {
      const t = createTrainer({ ...config, seed });
      train(t, { ...config, seed }, subset);
      return t.losses;
    };
    const a = run(7);
    expect(a).toHaveLength(8);
    expect(run(7)).toEqual(a);
    expect(run(8)).not.toEqual(a);
  });

  it('resumes from a checkpoint exactly where the uninterrupted run would be', async () => {
    const config: TrainConfig = { ...small, epochs: 2, dropout: 0.2, shift: 1 };
    const subset = {
      train: { images: data.train.images.slice([0, 0], [200, -1]), labels: data.train.labels.slice([0], [200]) },
      test: data.test,
    };
    const straight = createTrainer(config);
    train(straight, config, subset);

    const dir = mkdtempSync(join(tmpdir(), 'tapegrad-mnist-'));
    try {
      // Interrupt a run of the same two-epoch schedule after its first epoch, save, restore, continue.
      const half = createTrainer(config);
      const stopper = {
        onEpochEnd: () => {
          throw new StopAfterOneEpoch();
        },
      };
      expect(() => train(half, config, subset, stopper)).toThrow(StopAfterOneEpoch);
      await MNIST_CHECKPOINT.save(dir, half, config);
      const resumed = createTrainer(config);
      await MNIST_CHECKPOINT.restore('mnist', dir, resumed, await MNIST_CHECKPOINT.readInfo('mnist', join(dir, 'model.safetensors')));
      expect(resumed.epochsDone).toBe(1);
      train(resumed, config, subset);
      expect(resumed.history.map((r) => r.loss)).toEqual(straight.history.map((r) => r.loss));
      const x = subset.test.images;
      expect(Array.from(predict(resumed.model, x).logits)).toEqual(Array.from(predict(straight.model, x).logits));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

class StopAfterOneEpoch extends Error {}
