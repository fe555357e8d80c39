import { Generator, arange, tensor } from '@tapegrad/core';
import { DataLoader, accuracy, oneHot, permutation } from '@tapegrad/nn';

describe('DataLoader', () => {
  const x = arange(10).reshape([5, 2]);
  const y = tensor([0, 1, 2, 3, 4], { dtype: 'int32' });

  it('batches in order without shuffle, the last batch smaller', () => {
    const batches = [...new DataLoader([x, y], { batchSize: 2 })];
    expect(batches.map(([, yb]) => yb.toArray())).toEqual([[0, 1], [2, 3], [4]]);
    expect(batches[1][0].toArray()).toEqual([
      [4, 5],
      [6, 7],
    ]);
  });

  it('drops the short batch with dropLast', () => {
    expect(new DataLoader([x], { batchSize: 2, dropLast: true }).numBatches).toBe(2);
  });

  it('shuffles rows consistently across tensors, reproducibly from the seed, differently each epoch', () => {
    const epoch = (loader: DataLoader) =>
      [...loader].flatMap(([xb, yb]) => {
        (yb.toArray() as number[]).forEach((label, i) => expect((xb.toArray() as number[][])[i]).toEqual([2 * label, 2 * label + 1]));
        return yb.toArray() as number[];
      });
    const a = new DataLoader([x, y], { batchSize: 2, shuffle: true, generator: new Generator(4) });
    const b = new DataLoader([x, y], { batchSize: 2, shuffle: true, generator: new Generator(4) });
    const first = epoch(a);
    expect([...first].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(epoch(b)).toEqual(first);
    const epochs = [first, epoch(a), epoch(a), epoch(a)].map((e) => e.join());
    expect(new Set(epochs).size).toBeGreaterThan(1);
  });

  it('rejects tensors of different lengths', () => {
    expect(() => new DataLoader([x, tensor([1, 2])])).toThrow(/same first axis \(5\)/);
  });
});

describe('permutation', () => {
  it('is a permutation, uniform enough over many draws', () => {
    const g = new Generator(0);
    const firstCounts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      const p = permutation(4, g);
      expect([...p].sort()).toEqual([0, 1, 2, 3]);
      firstCounts[p[0]]++;
    }
    firstCounts.forEach((c) => expect(Math.abs(c - 1000)).toBeLessThan(120));
  });
});

describe('oneHot and accuracy', () => {
  it('oneHot puts a 1 at each label', () => {
    expect(oneHot(tensor([2, 0], { dtype: 'int32' }), 3).toArray()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
    ]);
    expect(() => oneHot(tensor([1.5]), 3)).toThrow(/labels must be int32/);
  });

  it('accuracy compares argmax of scores with labels or one-hot rows', () => {
    const scores = tensor([
      [0.1, 0.9],
      [0.8, 0.2],
      [0.3, 0.7],
    ]);
    const labels = tensor([1, 1, 1], { dtype: 'int32' });
    expect(accuracy(scores, labels)).toBeCloseTo(2 / 3, 15);
    expect(accuracy(scores, oneHot(labels, 2))).toBeCloseTo(2 / 3, 15);
    expect(() => accuracy(scores, tensor([1, 0], { dtype: 'int32' }))).toThrow(/do not describe the same rows/);
  });
});
