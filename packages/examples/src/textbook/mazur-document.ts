/**
 * What seed 002 prints for the worked example, exactly as printed, and the comparison with the engine "to the
 * digits it prints": a printed value agrees when the engine's value rounds to it (|engine - printed| is at
 * most half a unit in its last printed place). Where they disagree, `REASONS` says why the document is off.
 */
import { tensor } from '@tapegrad/core';

export interface PrintedNumber {
  /** The engine quantity it is compared with (a key of `MazurTrace.values`, or 'hadamard'). */
  readonly key: string;
  /** Where the document prints it. */
  readonly where: string;
  /** The digits as the document prints them. */
  readonly printed: string;
}

/** Every number the example prints (the forward block is printed twice, identically; it is listed once). */
export const PRINTED: readonly PrintedNumber[] = [
  { key: 'hadamard', where: 'Hadamard example: [1, 2] (.) [3, 4] = [3, 4], second component', printed: '4' },
  { key: 'net_h1', where: 'net_h1 = 0.15*0.05 + 0.2*0.1 + 0.35*1', printed: '0.3775' },
  { key: 'out_h1', where: 'out_h1 = 1/(1+e^-0.3775)', printed: '0.593269992' },
  { key: 'net_h2', where: 'net_h2 = 0.25*0.05 + 0.3*0.1 + 0.35*1', printed: '0.3925' },
  { key: 'out_h2', where: 'out_h2 = 1/(1+e^-0.3925)', printed: '0.596884378' },
  { key: 'net_o1', where: 'net_o1 = 0.4*0.593269992 + 0.45*0.596884378 + 0.6*1', printed: '1.105905967' },
  { key: 'out_o1', where: 'out_o1 = 1/(1+e^-1.105905967)', printed: '0.75136507' },
  { key: 'net_o2', where: 'net_o2 = 0.5*0.593269992 + 0.55*0.596884378 + 0.6*1', printed: '1.2249214039' },
  { key: 'out_o2', where: 'out_o2 = 1/(1+e^-1.2249214039)', printed: '0.772928465' },
  { key: 'E_o1', where: 'E_o1 = 1/2 (0.01 - 0.75136507)^2', printed: '0.274811083' },
  { key: 'E_o2', where: 'E_o2 = 1/2 (0.99 - 0.772928465)^2', printed: '0.023560026' },
  { key: 'E_total', where: 'E_total = 0.274811083 + 0.023560026', printed: '0.298371109' },
  { key: 'dE_total/dout_o1', where: 'dE_total/dout_o1 = -(0.01 - 0.75136507)', printed: '0.74136507' },
  { key: 'dout_o1/dnet_o1', where: 'dout_o1/dnet_o1 = 0.75136507(1 - 0.75136507)', printed: '0.186815602' },
  { key: 'dnet_o1/dw5', where: 'dnet_o1/dw5 = out_h1', printed: '0.593269992' },
  { key: 'dE_total/dw5', where: 'dE_total/dw5 = 0.74136507*0.186815602*0.593269992', printed: '0.082167041' },
  { key: 'w5', where: 'w5+ = w5 - eta*dE/dw5 = 0.5 - 0.5*0.082167041: the value used for w5', printed: '0.5' },
  { key: 'w5+', where: 'w5+', printed: '0.35891648' },
  { key: 'w6+', where: 'w6+', printed: '0.408666186' },
  { key: 'w7+', where: 'w7+', printed: '0.511301270' },
  { key: 'w8+', where: 'w8+', printed: '0.561370121' },
  { key: 'dE_o1/dnet_o1', where: 'dE_o1/dnet_o1 = 0.74136507*0.186815602', printed: '0.138498562' },
  { key: 'dnet_o1/dout_h1', where: 'dnet_o1/dout_h1 = w5', printed: '0.40' },
  { key: 'dE_o1/dout_h1', where: 'dE_o1/dout_h1 = 0.138498562*0.40', printed: '0.055399425' },
  { key: 'dE_o2/dout_h1', where: 'dE_o2/dout_h1', printed: '-0.019049119' },
  { key: 'dE_total/dout_h1', where: 'dE_total/dout_h1 = 0.055399425 - 0.019049119', printed: '0.36350306' },
  { key: 'out_h1', where: 'dout_h1/dnet_h1 = 0.59326999(1 - 0.59326999): the value used for out_h1', printed: '0.59326999' },
  { key: 'dout_h1/dnet_h1', where: 'dout_h1/dnet_h1 = out_h1(1 - out_h1)', printed: '0.241300709' },
  { key: 'dnet_h1/dw1', where: 'dnet_h1/dw1 = i1', printed: '0.05' },
  {
    key: 'dE_total/dout_h1',
    where: 'dE_total/dw1 = 0.036350306*0.241300709*0.05: the value used for dE_total/dout_h1',
    printed: '0.036350306',
  },
  { key: 'dE_total/dw1', where: 'dE_total/dw1', printed: '0.000438568' },
  { key: 'w1+', where: 'w1+ = 0.15 - 0.5*0.000438568', printed: '0.149780716' },
  { key: 'w2+', where: 'w2+', printed: '0.19956143' },
  { key: 'w3+', where: 'w3+', printed: '0.24975114' },
  { key: 'w4+', where: 'w4+', printed: '0.29950229' },
  { key: 'E_total after 1 update', where: '"our network error will decrease from 0.298371109 to ..."', printed: '0.291037924' },
  { key: 'E_total after 10000 updates', where: '"Repeat this 10,0000 times, the error plummets to ..."', printed: '0.0000351085' },
];

/** Why each disagreeing printed number is off; the engine's value is the true one (the tests check both). */
export const REASONS: Readonly<Record<string, string>> = {
  hadamard:
    'the Hadamard product multiplies elementwise: 2*4 = 8, so [1, 2] (.) [3, 4] = [3, 8]; the document writes the input 4 for the product.',
  net_o2:
    'computed from the rounded activations: 0.5*0.593269992 + 0.55*0.596884378 + 0.6 = 1.2249214039; with the unrounded out_h1, out_h2 the tenth decimal is 1 (1.22492140410). The original post prints 1.224921404, which is right.',
  'dE_o2/dout_h1':
    'double rounding: dE_o2/dnet_o2 = -0.0380982365 rounds to -0.038098237, times w7 = 0.5 gives -0.0190491185, which rounds again to -0.019049119; the unrounded value is -0.0190491182583, i.e. -0.019049118 to the 9 decimals printed.',
  'dE_total/dout_h1':
    'a dropped zero: 0.055399425 - 0.019049119 = 0.036350306, not 0.36350306 (the document itself uses 0.036350306 two equations later).',
  w5: 'w5 is 0.40 (the forward pass uses 0.4); 0.5 - 0.5*0.082167041 would be 0.45891648. The printed result 0.35891648 is 0.4 - 0.5*0.082167041, so only the written operand is wrong.',
  'E_total after 1 update':
    'two slips. With all eight weights updated from the same gradients (as the text says: "we dont recalculate before backpropagating") the error is 0.291027774. The original post prints 0.291027924, which is what you get if w1..w4 are backpropagated through the already-updated w5..w8; this copy also turns its 0.29102... into 0.29103....',
  'E_total after 10000 updates':
    'the printed 0.0000351085 is the error after 9,999 updates (0.0000351085481), i.e. the error measured in the forward pass of the 10,000th iteration, before that iteration updates the weights; after 10,000 updates it is 0.0000351019. (The document also writes "10,0000" for 10,000.)',
};

/** Slips in the example's formulas and words, which no number exposes but a reader trips over. */
export const FORMULA_SLIPS: ReadonlyArray<{ readonly printed: string; readonly correct: string; readonly reason: string }> = [
  {
    printed: 'w^L = w^L a^{l-1} + b^L (Step 2)',
    correct: 'z^L = w^L a^{l-1} + b^L',
    reason: 'the weighted input z is being defined; w on the left makes it circular.',
  },
  {
    printed: 'net_h1 = w_i*i_1 + w_2*i_2 + b_1*1 (twice)',
    correct: 'net_h1 = w_1*i_1 + w_2*i_2 + b_1*1',
    reason: 'w_i for w_1; the numbers that follow use w1 = 0.15.',
  },
  {
    printed: '"Backwards Pass" heading over the forward computation',
    correct: '"Forward Pass"',
    reason: 'the forward block is printed twice, first under the wrong heading.',
  },
  {
    printed: 'E_total = 1/2(target_o1 - out_o1)^2 + 1/2(targer_o2 - out_o2)^2',
    correct: 'target_o2',
    reason: 'spelling slip in a variable name.',
  },
  {
    printed: 'partial net_o1 = 1*out_h1*w_5^{1-1} + 0 + 0',
    correct: 'dnet_o1/dw5 = 1*out_h1*w5^(1-1) + 0 + 0 = out_h1',
    reason:
      'the left side lacks "/ partial w_5"; the exponent 1-1 is the power rule (w5^0 = 1), not an error, as is the 2-1 in dE_total/dout_o1.',
  },
  {
    printed: 'E_total / partial out_h1 = ...',
    correct: 'partial E_total / partial out_h1',
    reason: 'the numerator lacks its partial sign.',
  },
  {
    printed: 'net_h1 = w_1*i_1 + w_3*i_2 + b_1*1 (hidden layer)',
    correct: 'net_h1 = w_1*i_1 + w_2*i_2 + b_1*1',
    reason:
      'w2, not w3, connects i2 to h1: the forward pass multiplies i2 = 0.1 by 0.2 = w2, and the printed w2+ = 0.19956143 is w2 - 0.5*dE/dnet_h1*i2.',
  },
  {
    printed: 'Repeat this 10,0000 times',
    correct: '10,000 times',
    reason: 'misplaced digit group; the printed error is (almost) the 10,000-update value, not 100,000 (that would be 6.8e-9).',
  },
];

/** `value` written with as many significant digits as `printed` has (how the true value is shown next to it). */
export function withPrintedDigits(value: number, printed: string): string {
  const digits = printed.replace(/^-/, '').replace('.', '').replace(/^0+/, '').length;
  const text = value.toPrecision(Math.max(1, digits));
  return text.includes('e') ? value.toFixed(decimalsOf(printed) + 1) : text;
}

export interface Comparison extends PrintedNumber {
  readonly engine: number;
  /** Decimal places the document prints. */
  readonly decimals: number;
  readonly agrees: boolean;
  readonly reason: string | null;
}

function decimalsOf(printed: string): number {
  const dot = printed.indexOf('.');
  return dot < 0 ? 0 : printed.length - dot - 1;
}

/** True when `engine` rounds to `printed` at the printed number of decimals. */
export function agreesToPrintedDigits(engine: number, printed: string): boolean {
  const half = 0.5 * 10 ** -decimalsOf(printed);
  return Math.abs(engine - Number(printed)) <= half * (1 + 1e-9);
}

/** [1, 2] (.) [3, 4] by the engine's elementwise mul: its second component. */
export function hadamardSecond(): number {
  return tensor([1, 2]).mul(tensor([3, 4])).data[1];
}

/** Compares every printed number with the engine's value. */
export function compare(values: Readonly<Record<string, number>>): Comparison[] {
  return PRINTED.map((p) => {
    const engine = p.key === 'hadamard' ? hadamardSecond() : values[p.key];
    if (engine === undefined) throw new Error(`mazur: no engine value for ${p.key}`);
    const agrees = agreesToPrintedDigits(engine, p.printed);
    return { ...p, engine, decimals: decimalsOf(p.printed), agrees, reason: agrees ? null : (REASONS[p.key] ?? 'no reason recorded') };
  });
}
