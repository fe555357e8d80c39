/**
 * Seeded 2-D classification data sets for the train view, drawn with core's Generator so the same seed
 * gives the same points in every browser. All fit in the square [-1.5, 1.5]² the view draws.
 */
import { Generator } from '@tapegrad/core';

export const DATASETS = ['spiral', 'moons', 'xor', 'circles'] as const;
export type DatasetName = (typeof DATASETS)[number];

export interface Dataset {
  /** Points as [x0, y0, x1, y1, ...]. */
  readonly x: Float64Array;
  /** Class labels 0..classes-1. */
  readonly y: Int32Array;
  readonly classes: number;
  readonly count: number;
}

/** Half-width of the square the points lie in (and the view draws). */
export const EXTENT = 1.5;

type Sampler = (g: Generator, i: number, count: number) => [number, number, number];

const SAMPLERS: Record<DatasetName, { classes: number; count: number; sample: Sampler }> = {
  // cs231n's spiral: three arms, radius growing along each arm, angle jittered.
  spiral: {
    classes: 3,
    count: 300,
    sample(g, i, count) {
      const perClass = count / 3;
      const k = Math.floor(i / perClass);
      const j = i % perClass;
      const r = j / (perClass - 1);
      const t = k * 4 + (4 * j) / (perClass - 1) + g.normal() * 0.2;
      return [r * Math.sin(t), r * Math.cos(t), k];
    },
  },
  // Two interleaving half circles (scikit-learn's make_moons), centred.
  moons: {
    classes: 2,
    count: 300,
    sample(g, i) {
      const k = i % 2;
      const a = Math.PI * g.uniform();
      const [x, y] = k === 0 ? [Math.cos(a), Math.sin(a)] : [1 - Math.cos(a), 0.5 - Math.sin(a)];
      return [(x - 0.5) * 0.9 + g.normal() * 0.08, (y - 0.25) * 0.9 + g.normal() * 0.08, k];
    },
  },
  // Four quadrants; the label is whether x and y have the same sign. Points near an axis are moved off it.
  xor: {
    classes: 2,
    count: 300,
    sample(g) {
      const away = (v: number) => Math.sign(v || 1) * (0.1 + Math.abs(v) * 0.9);
      const x = away(g.uniform() * 2 - 1);
      const y = away(g.uniform() * 2 - 1);
      return [x, y, x > 0 === y > 0 ? 0 : 1];
    },
  },
  // A disc inside a ring.
  circles: {
    classes: 2,
    count: 300,
    sample(g, i) {
      const k = i % 2;
      const a = 2 * Math.PI * g.uniform();
      const r = (k === 0 ? 1 : 0.45) + g.normal() * 0.07;
      return [r * Math.cos(a), r * Math.sin(a), k];
    },
  },
};

/**
 * The named data set drawn with `seed`.
 * @example
 * const { x, y, classes } = makeDataset('spiral', 1);   // 300 points, 3 classes
 */
export function makeDataset(name: DatasetName, seed: number): Dataset {
  const spec = SAMPLERS[name];
  if (spec === undefined) throw new Error(`unknown data set '${name}'; expected one of ${DATASETS.join(', ')}`);
  const g = new Generator(seed);
  const x = new Float64Array(spec.count * 2);
  const y = new Int32Array(spec.count);
  for (let i = 0; i < spec.count; i++) {
    const [px, py, label] = spec.sample(g, i, spec.count);
    x[2 * i] = px;
    x[2 * i + 1] = py;
    y[i] = label;
  }
  return { x, y, classes: spec.classes, count: spec.count };
}
