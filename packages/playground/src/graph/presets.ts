/**
 * The graph view's presets: worked examples from the source documents, written in the playground language
 * so a student can edit them and see the tape change.
 */
import { FUNCTIONS } from './expression.js';

export interface Preset {
  readonly id: string;
  readonly title: string;
  /** Where the numbers come from, shown under the graph. */
  readonly note: string;
  readonly program: string;
  readonly values: string;
}

export const PRESETS: readonly Preset[] = [
  {
    id: 'apple-orange',
    title: 'Apple and orange price (seed 004)',
    note: 'Buying 2 apples at 100 and 3 oranges at 150 with 10% tax: price 715; d price/d apple = 2.2, /d apple_num = 110, /d orange = 3.3, /d orange_num = 165, /d tax = 650.',
    program: [
      'apple_price = apple * apple_num',
      'orange_price = orange * orange_num',
      'all_price = apple_price + orange_price',
      'price = all_price * tax',
    ].join('\n'),
    values: 'apple=100, apple_num=2, orange=150, orange_num=3, tax=1.1',
  },
  {
    id: 'mazur',
    title: '2-2-2 sigmoid network (seed 002, Mazur)',
    note: 'Inputs 0.05/0.10, targets 0.01/0.99, error ½Σ(t−o)²: E = 0.298371109, dE/dw5 = 0.082167041, dE/dw1 = 0.000438568.',
    program: [
      'h1 = sigmoid(w1*i1 + w2*i2 + b1)',
      'h2 = sigmoid(w3*i1 + w4*i2 + b1)',
      'o1 = sigmoid(w5*h1 + w6*h2 + b2)',
      'o2 = sigmoid(w7*h1 + w8*h2 + b2)',
      'E = 0.5*(t1 - o1)^2 + 0.5*(t2 - o2)^2',
    ].join('\n'),
    values: 'i1=0.05, i2=0.10, w1=0.15, w2=0.20, w3=0.25, w4=0.30, w5=0.40, w6=0.45, w7=0.50, w8=0.55, b1=0.35, b2=0.60, t1=0.01, t2=0.99',
  },
  {
    id: 'micrograd',
    title: "micrograd's classic expression",
    note: "From micrograd's README and test: g = 24.7041, dg/da = 138.8338, dg/db = 645.5773.",
    program: [
      'c = a + b',
      'd = a*b + b^3',
      'c += c + 1',
      'c += 1 + c + (-a)',
      'd += d*2 + relu(b + a)',
      'd += 3*d + relu(b - a)',
      'e = c - d',
      'f = e^2',
      'g = f / 2',
      'g += 10 / f',
    ].join('\n'),
    values: 'a=-4, b=2',
  },
  {
    id: 'tanh-neuron',
    title: 'a*b + tanh(c)',
    note: `Type your own: + − * / ^, unary minus, parentheses, ${FUNCTIONS.join(' ')}; one statement per line, name = expr or name += expr.`,
    program: 'a*b + tanh(c)',
    values: 'a=2, b=-3, c=0.5',
  },
];
