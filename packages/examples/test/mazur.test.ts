import { run } from '../src/commands/mazur';
import { PRINTED, agreesToPrintedDigits, compare, hadamardSecond } from '../src/textbook/mazur-document';
import { trace } from '../src/textbook/mazur-network';

// An independent implementation of seed 002's example with plain numbers and the document's own delta rules
// (BP1: delta_o = (out - target) out (1 - out); BP2: delta_h = (sum_o w delta_o) out_h (1 - out_h);
// BP4: dE/dw = delta * input), used to check the engine and the document alike.
const sig = (x: number) => 1 / (1 + Math.exp(-x));
function forwardByHand(w: number[]) {
  const h1 = sig(w[0] * 0.05 + w[1] * 0.1 + 0.35);
  const h2 = sig(w[2] * 0.05 + w[3] * 0.1 + 0.35);
  const o1 = sig(w[4] * h1 + w[5] * h2 + 0.6);
  const o2 = sig(w[6] * h1 + w[7] * h2 + 0.6);
  return { h1, h2, o1, o2, E: 0.5 * (0.01 - o1) ** 2 + 0.5 * (0.99 - o2) ** 2 };
}
function stepByHand(w: number[], outputWeightsFirst = false): number[] {
  const f = forwardByHand(w);
  const d1 = (f.o1 - 0.01) * f.o1 * (1 - f.o1);
  const d2 = (f.o2 - 0.99) * f.o2 * (1 - f.o2);
  const out = [w[4] - 0.5 * d1 * f.h1, w[5] - 0.5 * d1 * f.h2, w[6] - 0.5 * d2 * f.h1, w[7] - 0.5 * d2 * f.h2];
  const v = outputWeightsFirst ? out : w.slice(4);
  const dh1 = (v[0] * d1 + v[2] * d2) * f.h1 * (1 - f.h1);
  const dh2 = (v[1] * d1 + v[3] * d2) * f.h2 * (1 - f.h2);
  return [w[0] - 0.5 * dh1 * 0.05, w[1] - 0.5 * dh1 * 0.1, w[2] - 0.5 * dh2 * 0.05, w[3] - 0.5 * dh2 * 0.1, ...out];
}
const W0 = [0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55];

const DISCREPANT = ['4', '1.2249214039', '0.5', '-0.019049119', '0.36350306', '0.291037924', '0.0000351085'];

describe('mazur (seed 002)', () => {
  const t = trace();
  const rows = compare(t.values);

  it('agrees with every non-discrepant printed number to the digits printed', () => {
    const agreeing = rows.filter((r) => !DISCREPANT.includes(r.printed));
    expect(agreeing.length).toBe(PRINTED.length - DISCREPANT.length);
    for (const r of agreeing) expect([r.key, r.printed, agreesToPrintedDigits(r.engine, r.printed)]).toEqual([r.key, r.printed, true]);
  });

  it('finds exactly the listed discrepancies, each with a reason', () => {
    expect(rows.filter((r) => !r.agrees).map((r) => r.printed)).toEqual(DISCREPANT);
    for (const r of rows.filter((x) => !x.agrees)) expect(r.reason).not.toBe('no reason recorded');
  });

  it('matches the hand-derived delta rules on every weight after one update', () => {
    const byHand = stepByHand(W0);
    t.weightsAfterOne.forEach((w, k) => expect(w).toBeCloseTo(byHand[k], 15));
  });

  it('Hadamard: [1, 2] (.) [3, 4] is [3, 8], not [3, 4]', () => {
    expect(hadamardSecond()).toBe(2 * 4);
  });

  it('net_o2: the printed 1.2249214039 comes from the rounded activations; the true value is 1.2249214041', () => {
    expect(0.5 * 0.593269992 + 0.55 * 0.596884378 + 0.6).toBeCloseTo(1.2249214039, 12);
    const f = forwardByHand(W0);
    expect((0.5 * f.h1 + 0.55 * f.h2 + 0.6).toFixed(10)).toBe('1.2249214041');
    expect(t.values.net_o2.toFixed(10)).toBe('1.2249214041');
  });

  it('dE_o2/dout_h1 is -0.019049118 to nine decimals (the document rounds rounded intermediates)', () => {
    const f = forwardByHand(W0);
    const exact = (f.o2 - 0.99) * f.o2 * (1 - f.o2) * 0.5;
    expect(exact.toFixed(9)).toBe('-0.019049118');
    expect(t.values['dE_o2/dout_h1']).toBeCloseTo(exact, 15);
    const deltaO2Rounded = Number(((f.o2 - 0.99) * f.o2 * (1 - f.o2)).toFixed(9));
    expect(deltaO2Rounded).toBe(-0.038098237);
    // Halving the rounded delta lands exactly on a half unit of the 9th decimal, which the document rounds up.
    expect(deltaO2Rounded * 0.5).toBeCloseTo(-0.0190491185, 13);
  });

  it('dE_total/dout_h1 = 0.055399425 - 0.019049119 = 0.036350306 (the document drops a zero)', () => {
    expect((0.055399425 - 0.019049119).toFixed(9)).toBe('0.036350306');
    expect(t.values['dE_total/dout_h1'].toFixed(9)).toBe('0.036350306');
  });

  it('w5 is 0.4: 0.4 - 0.5*0.082167041 gives the printed 0.35891648, 0.5 - ... would not', () => {
    expect((0.4 - 0.5 * 0.082167041).toFixed(8)).toBe('0.35891648');
    expect((0.5 - 0.5 * 0.082167041).toFixed(8)).toBe('0.45891648');
    expect(t.values.w5).toBe(0.4);
  });

  it('the error after one update is 0.291027774; 0.291027924 (the original post) backpropagates through updated w5..w8', () => {
    const simultaneous = forwardByHand(stepByHand(W0)).E;
    expect(simultaneous.toFixed(9)).toBe('0.291027774');
    expect(forwardByHand(stepByHand(W0, true)).E.toFixed(9)).toBe('0.291027924');
    expect(t.values['E_total after 1 update']).toBeCloseTo(simultaneous, 15);
  });

  it('after 10,000 updates the error is 0.0000351019; the printed 0.0000351085 is the error after 9,999', () => {
    let w = W0;
    let before = 0;
    for (let k = 0; k < 10_000; k++) {
      before = forwardByHand(w).E;
      w = stepByHand(w);
    }
    expect(before.toFixed(10)).toBe('0.0000351085');
    expect(forwardByHand(w).E.toFixed(10)).toBe('0.0000351019');
    expect(t.values['E_total after 10000 updates']).toBeCloseTo(forwardByHand(w).E, 15);
    expect(t.errorBeforeUpdate10000).toBeCloseTo(before, 15);
  });

  it('prints the comparison, the discrepancies and the explain trace', () => {
    const lines: string[] = [];
    run([], (l) => lines.push(l));
    expect(lines).toContain(
      `${PRINTED.length} printed numbers checked; ${PRINTED.length - DISCREPANT.length} agree to the printed digits, ${DISCREPANT.length} do not:`,
    );
    expect(lines.some((l) => l.includes('document 0.36350306, true 0.036350306'))).toBe(true);
    const explained: string[] = [];
    run(['--explain'], (l) => explained.push(l));
    expect(explained.join('\n')).toContain(
      'sigmoid: d E_total/d net_o1 = d E_total/d out_o1 (0.7413650695523157) x d out_o1/d net_o1 (0.18681560180895948)',
    );
  });
});
