/** Turns a run into the JSON record, the console table and the table in docs/performance.md. */
import { type BenchCase, lowerIsBetter, toUnit } from './cases.js';
import { floorsTable } from './floors.js';
import { type MachineInfo, describeMachine } from './machine.js';
import type { MemoryDrift, Timing } from './measure.js';

export interface PeerSummary {
  readonly id: string;
  readonly label: string;
  /** Configuration note from init, or why the peer could not run. */
  readonly note: string;
  readonly failed: boolean;
}

export interface CaseResult {
  readonly case: BenchCase;
  /** Per peer id; missing when the peer does not support the case or failed. */
  readonly timings: Readonly<Record<string, Timing>>;
  /** Per peer id, an error that stopped this case. */
  readonly errors: Readonly<Record<string, string>>;
}

export interface BenchRun {
  readonly date: string;
  readonly command: string;
  readonly quick: boolean;
  readonly machine: MachineInfo;
  readonly peers: readonly PeerSummary[];
  readonly results: readonly CaseResult[];
  /** tapegrad's heap and RSS drift over many W1 steps, when measured. */
  readonly memory?: MemoryDrift;
}

const SUBJECT = 'tapegrad';

/** The chart of the latest full run, beside docs/performance.md. */
export const PERFORMANCE_CHART = 'performance.svg';

/** W1 in float64 is compared with the peers' float32 W1: the floor asks for TF.js's float32 speed. */
function peerCaseId(c: BenchCase): string {
  return c.id === 'W1-f64' ? 'W1' : c.id;
}

/** tapegrad itself, or tapegrad run another way (`tapegrad-2t`: with @tapegrad/threads): timed on its own cases. */
const isTapegrad = (peer: string): boolean => peer === SUBJECT || peer.startsWith(`${SUBJECT}-`);

function timingOf(run: BenchRun, c: BenchCase, peer: string): Timing | undefined {
  const id = isTapegrad(peer) ? c.id : peerCaseId(c);
  return run.results.find((r) => r.case.id === id)?.timings[peer];
}

/** How many times faster tapegrad is than `peer` on this case (> 1 means tapegrad wins). */
export function speedup(run: BenchRun, r: CaseResult, peer: string): number | undefined {
  const own = r.timings[SUBJECT];
  const other = timingOf(run, r.case, peer);
  if (!own || !other) return undefined;
  return other.median / own.median;
}

/** The step-1 values of every peer, and whether they agree with tapegrad's within the case's tolerance. */
export function agreement(run: BenchRun, r: CaseResult): { ok: boolean; detail: string } {
  const own = r.timings[SUBJECT]?.firstValue;
  const parts: string[] = [];
  let ok = true;
  for (const { id } of run.peers) {
    const t = timingOf(run, r.case, id);
    if (!t) continue;
    parts.push(`${id} ${t.firstValue.toPrecision(8)}`);
    if (own !== undefined && Math.abs(t.firstValue - own) > r.case.rtol * Math.max(1, Math.abs(own))) ok = false;
  }
  return { ok, detail: parts.join(', ') };
}

function fmt(x: number): string {
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  if (x >= 1) return x.toFixed(2);
  return x.toPrecision(2);
}

function cell(c: BenchCase, t: Timing | undefined, error: string | undefined): string {
  if (error) return 'failed';
  if (!t) return '—';
  // For a rate the fastest iteration gives the highest figure: the range is listed as min..max of the unit.
  const a = toUnit(c, t.min);
  const b = toUnit(c, t.max);
  const [lo, hi] = lowerIsBetter(c) ? [a, b] : [b, a];
  return `${fmt(toUnit(c, t.median))} (${fmt(lo)}–${fmt(hi)})`;
}

/**
 * The Markdown table: one row per case, each peer's median (min–max), then tapegrad's speedup over each peer, and
 * the speedup of each other way of running tapegrad (e.g. 2 threads) over plain tapegrad.
 */
export function markdownTable(run: BenchRun): string {
  const peers = run.peers.filter((p) => !p.failed);
  const others = peers.filter((p) => !isTapegrad(p.id) && p.id !== 'reference');
  const variants = peers.filter((p) => isTapegrad(p.id) && p.id !== SUBJECT);
  const head = [
    'case',
    'unit',
    ...peers.map((p) => p.label),
    ...others.map((p) => `tapegrad vs ${p.label}`),
    ...variants.map((p) => `${p.label} vs tapegrad`),
    'vs reference',
    'step-1 values agree',
  ];
  const rows = run.results.map((r) => {
    const c = r.case;
    const ratio = (peer: string): string => {
      const s = speedup(run, r, peer);
      return s === undefined ? '—' : `${fmt(s)}x`;
    };
    return [
      c.title,
      c.unit,
      ...peers.map((p) => cell(c, timingOf(run, c, p.id), r.errors[p.id])),
      ...others.map((p) => ratio(p.id)),
      ...variants.map((p) => {
        const s = speedup(run, r, p.id);
        return s === undefined ? '—' : `${fmt(1 / s)}x`;
      }),
      ratio('reference'),
      agreement(run, r).ok ? 'yes' : 'NO',
    ];
  });
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Heap and RSS after a forced GC at the start and the end of the long W1 run, with the drift in percent. */
export function memoryLine(m: MemoryDrift): string {
  const pct = (a: number, b: number): string => `${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(1)}%`;
  return `Memory, tapegrad W1 float32 over ${m.steps} steps with no cleanup call: heap ${m.heapStartMiB} -> ${m.heapEndMiB} MiB (${pct(m.heapStartMiB, m.heapEndMiB)}), RSS ${m.rssStartMiB} -> ${m.rssEndMiB} MiB (${pct(m.rssStartMiB, m.rssEndMiB)}).`;
}

/** tapegrad's share of timed wall time spent in garbage collection, per case. */
export function gcLine(run: BenchRun): string {
  const parts = run.results.flatMap((r) => {
    const t = r.timings[SUBJECT];
    return t ? [`${r.case.id} ${(t.gcFraction * 100).toFixed(1)}%`] : [];
  });
  return `Garbage collection, share of tapegrad's timed wall time: ${parts.join(', ')}.`;
}

/** The generated block of docs/performance.md. */
export function markdownSection(run: BenchRun): string {
  const notes = run.peers.map((p) => `- **${p.label}**: ${p.note}`).join('\n');
  const checks = run.results.map((r) => `- ${r.case.id}: ${agreement(run, r).detail}`).join('\n');
  return [
    `Run of ${run.date}${run.quick ? ' (quick mode: short timing windows)' : ''}, command \`${run.command}\`.`,
    '',
    `Machine: ${describeMachine(run.machine)}; load average ${run.machine.loadAverage.join(' / ')} (1/5/15 min) when the run started.`,
    '',
    'Cells are the median over the timed iterations (four rounds, the peers taking turns), with (best–worst) in',
    'brackets. "tapegrad vs X" is how many times',
    "faster tapegrad is (X's median time over tapegrad's); above 1 tapegrad wins. W1-f64 is compared with the peers'",
    "float32 W1, as the floor asks. MNIST times whole epochs of the main job's training (its step-1 value is the first",
    "batch's loss).",
    '',
    markdownTable(run),
    '',
    `![Each peer's median time over tapegrad's, per case](${PERFORMANCE_CHART})`,
    '',
    floorsTable(run),
    '',
    ...(run.memory ? [memoryLine(run.memory), ''] : []),
    gcLine(run),
    '',
    'Peers:',
    '',
    notes,
    '',
    "Step-1 values (the first iteration's loss, or the sum of the matmul result):",
    '',
    checks,
  ].join('\n');
}

/** The markers around the generated block of docs/performance.md. */
export const DOC_START = '<!-- bench:start (generated by `pnpm bench`; edit outside these markers) -->';
export const DOC_END = '<!-- bench:end -->';

/** Replaces the generated block in the document text, or appends it when the markers are missing. */
export function spliceSection(doc: string, section: string): string {
  const block = `${DOC_START}\n${section}\n${DOC_END}`;
  const start = doc.indexOf(DOC_START);
  const end = doc.indexOf(DOC_END);
  if (start === -1 || end === -1 || end < start) return `${doc.trimEnd()}\n\n${block}\n`;
  return doc.slice(0, start) + block + doc.slice(end + DOC_END.length);
}
