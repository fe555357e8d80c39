// einsum: values against a brute-force sum over every assignment of the labels (no matmul, no diagonal op) for
// matrix and batched products, traces, diagonals, transposes, implicit outputs, ellipses that broadcast, size-1
// labels, three operands and scalars; against TF.js's tf.einsum (values: it has no gradient); gradcheck, gradgradcheck and
// forward mode through the ops it is built of; typed errors for malformed equations and mismatched shapes.
import * as tf from '@tensorflow/tfjs';
import { DTypeError, ShapeError, type Tensor, TapegradError, einsum, randn } from '@tapegrad/core';
import { expectGradients, expectTangents, uniform } from '../../test/op-harness';
import { expectSameAsTf, useTfCpu } from '../../test/tfjs-oracle';

beforeAll(useTfCpu);

/** einsum by definition: every assignment of the labels, the product of the operands' entries added into the output. */
function bruteForce(equation: string, xs: Tensor[]): { shape: number[]; data: number[] } {
  const [lhs, rhs] = equation.replace(/\s+/g, '').split('->');
  const width = Math.max(0, ...lhs.split(',').map((t, i) => (t.includes('...') ? xs[i].rank - (t.length - 3) : 0)));
  const ell = Array.from({ length: width }, (_, i) => String.fromCharCode(0x3b1 + i)); // Greek letters stand for the ellipsis
  const terms = lhs.split(',').map((t, i) => {
    const k = t.indexOf('...');
    if (k === -1) return t.split('');
    const dims = xs[i].rank - (t.length - 3);
    return [...t.slice(0, k).split(''), ...ell.slice(width - dims), ...t.slice(k + 3).split('')];
  });
  const letters = terms.flat();
  const out =
    rhs === undefined
      ? [
          ...ell,
          ...[...new Set(letters.filter((l) => !ell.includes(l)))].filter((l) => letters.indexOf(l) === letters.lastIndexOf(l)).sort(),
        ]
      : rhs.replace('...', ell.join('')).split('');
  const size = new Map<string, number>();
  terms.forEach((t, i) => t.forEach((l, a) => size.set(l, Math.max(size.get(l) ?? 1, xs[i].shape[a]))));
  const all = [...size.keys()];
  const shape = out.map((l) => size.get(l)!);
  const data = new Array<number>(shape.reduce((n, d) => n * d, 1)).fill(0);
  const idx = new Map(all.map((l) => [l, 0]));
  const total = all.reduce((n, l) => n * size.get(l)!, 1);
  for (let c = 0; c < total; c++) {
    let rem = c;
    for (const l of all) {
      idx.set(l, rem % size.get(l)!);
      rem = Math.floor(rem / size.get(l)!);
    }
    let p = 1;
    terms.forEach((t, i) => {
      let flat = 0;
      t.forEach((l, a) => (flat = flat * xs[i].shape[a] + (xs[i].shape[a] === 1 ? 0 : idx.get(l)!)));
      p *= xs[i].data[flat];
    });
    let o = 0;
    out.forEach((l, a) => (o = o * shape[a] + idx.get(l)!));
    data[o] += p;
  }
  return { shape, data };
}

const CASES: Array<[string, number[][]]> = [
  [
    'ij,jk->ik',
    [
      [2, 3],
      [3, 4],
    ],
  ],
  [
    'ij,jk',
    [
      [2, 3],
      [3, 4],
    ],
  ],
  [
    'bij,bjk->bik',
    [
      [2, 3, 4],
      [2, 4, 5],
    ],
  ],
  [
    'bhqd,bhkd->bhqk',
    [
      [2, 2, 3, 4],
      [2, 2, 5, 4],
    ],
  ],
  ['i,j->ij', [[3], [4]]],
  ['ii->i', [[4, 4]]],
  ['ii', [[4, 4]]],
  ['iij->j', [[3, 3, 2]]],
  [
    'ijj,jk->ik',
    [
      [2, 3, 3],
      [3, 4],
    ],
  ],
  ['ij->ji', [[3, 5]]],
  ['ij->', [[3, 5]]],
  ['ij->j', [[3, 5]]],
  ['...ij->...ji', [[2, 3, 4, 5]]],
  [
    '...ij,...jk->...ik',
    [
      [2, 1, 3, 4],
      [5, 4, 2],
    ],
  ],
  ['...ij->ij', [[2, 3, 4]]],
  [
    'i...,i...->...',
    [
      [3, 2, 2],
      [3, 2],
    ],
  ],
  [
    'bn,anm,bm->ba',
    [
      [2, 3],
      [4, 3, 5],
      [2, 5],
    ],
  ],
  [
    'ij,ij->ij',
    [
      [3, 1],
      [3, 4],
    ],
  ],
  [
    'ij,jk,kl->il',
    [
      [2, 3],
      [3, 4],
      [4, 2],
    ],
  ],
  [',i->i', [[], [3]]],
  [
    'Ab,bA->A',
    [
      [2, 3],
      [3, 2],
    ],
  ],
  [
    ' i j , j k -> i k ',
    [
      [2, 3],
      [3, 2],
    ],
  ],
];

describe('einsum against its definition', () => {
  it.each(CASES)('%s on %j', (equation, shapes) => {
    const xs = shapes.map((s, i) => uniform(s, -1, 1, { seed: 10 + i }));
    const expected = bruteForce(equation, xs);
    const y = einsum(equation, ...xs);
    expect(y.shape).toEqual(expected.shape);
    expect(Array.from(y.data)).toBeAllClose(expected.data, { rtol: 1e-12, atol: 1e-13 });
  });

  it.each(CASES.filter(([, s]) => s.flat().length > 0 && s.length <= 3).slice(0, 12))('passes gradcheck: %s', (equation, shapes) => {
    expectGradients(
      (...xs: Tensor[]) => einsum(equation, ...xs),
      shapes.map((s, i) => uniform(s, -1, 1, { seed: 20 + i })),
    );
  });

  it('differentiates twice and in forward mode (a trace, a diagonal product, an ellipsis contraction)', () => {
    for (const [equation, shapes] of [
      ['ii', [[3, 3]]],
      [
        'ijj,jk->ik',
        [
          [2, 3, 3],
          [3, 2],
        ],
      ],
      [
        '...ij,...jk->...ik',
        [
          [2, 1, 2, 3],
          [3, 3, 2],
        ],
      ],
    ] as Array<[string, number[][]]>) {
      const inputs = () => shapes.map((s, i) => uniform(s, -1, 1, { seed: 30 + i }));
      const f = (...xs: Tensor[]) => einsum(equation, ...xs).sin();
      expectGradients(f, inputs(), { secondOrder: true });
      expectTangents(f, inputs());
    }
  });
});

describe('einsum against TF.js (tf.einsum), values', () => {
  it.each([
    [
      'ij,jk->ik',
      [
        [2, 3],
        [3, 4],
      ],
    ],
    [
      'bij,bjk->bik',
      [
        [2, 3, 4],
        [2, 4, 5],
      ],
    ],
    ['ij->ji', [[3, 5]]],
    ['i,j->ij', [[3], [4]]],
  ] as Array<[string, number[][]]>)('%s', (equation, shapes) => {
    // TF.js has no gradient for einsum: values only (gradcheck covers the gradients).
    expectSameAsTf(
      shapes,
      (...xs) => einsum(equation, ...xs),
      (...xs) => tf.einsum(equation, ...xs),
      { valuesOnly: true },
    );
  });
});

describe('einsum refuses bad equations with typed errors', () => {
  const [a, b] = [randn([2, 3]), randn([3, 4])];
  it.each([
    ['too few operands', () => einsum('ij,jk->ik', a), TapegradError, /has 2 operand subscripts, but 1 operands were given/],
    [
      'subscripts that do not fit a shape',
      () => einsum('ijk,jk->i', a, b),
      ShapeError,
      /operand 0 has shape \[2, 3\], which subscripts "ijk" do not fit/,
    ],
    [
      'mismatched label sizes',
      () => einsum('ij,ik->jk', a, b),
      ShapeError,
      /label 'i' has size 2 \(operand 0 \[2, 3\], axis 0\) but 3 \(operand 1 \[3, 4\], axis 0\)/,
    ],
    [
      'a repeated label over unequal axes',
      () => einsum('ii->i', a),
      ShapeError,
      /label 'i' has size 2 \(operand 0 \[2, 3\], axis 0\) but 3 \(operand 0 \[2, 3\], axis 1\)/,
    ],
    ['an output label in no operand', () => einsum('ij->ik', a), TapegradError, /output label 'k' of "ij->ik" is in no operand/],
    ['a repeated output label', () => einsum('ij->ii', a), TapegradError, /label 'i' appears twice in the output/],
    ['a digit as a label', () => einsum('i1->i', a), TapegradError, /"1" in operand 0's subscripts .* is not a letter or "..."/],
    ['two arrows', () => einsum('ij->j->i', a), TapegradError, /more than one "->"/],
    ['two ellipses', () => einsum('......->', a), TapegradError, /two ellipses/],
    ['an array operand', () => einsum('ij', [[1]] as unknown as Tensor), DTypeError, /operand 0 must be a Tensor/],
  ] as Array<[string, () => unknown, typeof ShapeError, RegExp]>)('%s', (_name, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});
