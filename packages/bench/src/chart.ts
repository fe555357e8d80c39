/** The run as a chart: each peer's median time over tapegrad's, per case, on a log axis (right of 1: tapegrad wins). */
import { barChart } from '@tapegrad/examples/charts';
import { type BenchRun, speedup } from './report.js';

const SUBJECT = 'tapegrad';

export function speedupChart(run: BenchRun): string {
  const peers = run.peers.filter((p) => !p.failed && p.id !== SUBJECT);
  const series = peers
    .map((p) => ({ label: p.label, values: run.results.map((r) => speedup(run, r, p.id)) }))
    .filter((s) => s.values.some((v) => v !== undefined));
  return barChart({
    title: `tapegrad against its peers, ${run.date.slice(0, 10)}${run.quick ? ' (quick)' : ''}`,
    valueLabel: "peer's median time / tapegrad's (log scale; right of 1: tapegrad is faster)",
    categories: run.results.map((r) => r.case.id),
    series,
    logScale: true,
    reference: 1,
    referenceLabel: 'as fast',
    format: (v) => `${Number(v.toPrecision(2))}x`,
  });
}
