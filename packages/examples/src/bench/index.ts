/**
 * Entry point of `pnpm bench`: tapegrad side by side with TensorFlow.js (cpu; wasm with 1 and 2 threads) and a
 * hand-written closure-based micrograd, on the same seeded inputs. Each peer runs in its own Node process, so
 * one library's JIT state, heap and thread pool never colour another's timings.
 *
 * @example
 * npx -y pnpm@10.34.9 bench                          # everything; writes bench-results/ and docs/performance.md
 * npx -y pnpm@10.34.9 bench -- --only W2,W3 --quick  # a short run of two workloads
 * npx -y pnpm@10.34.9 bench -- --peers tapegrad,tfjs-wasm-1
 * npx -y pnpm@10.34.9 bench -- --peers tapegrad,tapegrad-2t --only W1,W2   # 1 vs 2 threads (@tapegrad/threads)
 * npx -y pnpm@10.34.9 bench -- --only MNIST          # whole epochs of the main job's MNIST model
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { BenchCase, benchCases, budgetFor } from './cases.js';
import { scalarMlpData } from './data.js';
import { machineInfo } from './machine.js';
import { MemoryDrift, Timing, measureMemory, timeRunner } from './measure.js';
import { countScalarMlpNodes } from './micrograd-reference.js';
import type { Peer } from './peers/peer.js';
import { BenchRun, CaseResult, PeerSummary, agreement, markdownSection, markdownTable, memoryLine, spliceSection } from './report.js';

const PEER_IDS = ['tapegrad', 'tapegrad-2t', 'reference', 'tfjs-cpu', 'tfjs-wasm-1', 'tfjs-wasm-2'] as const;
const RESULT_MARK = 'BENCH_JSON ';
const CHILD_TIMEOUT_MS = 30 * 60 * 1000;

// Loaded lazily so that the tapegrad process never loads TensorFlow.js and vice versa.
async function loadPeer(id: string): Promise<Peer> {
  switch (id) {
    case 'tapegrad': return (await import('./peers/tapegrad.js')).tapegradPeer;
    case 'tapegrad-2t': return (await import('./peers/tapegrad.js')).tapegrad2tPeer;
    case 'reference': return (await import('./peers/reference.js')).referencePeer;
    case 'tfjs-cpu': return (await import('./peers/tfjs.js')).tfjsCpuPeer;
    case 'tfjs-wasm-1': return (await import('./peers/tfjs.js')).tfjsWasm1Peer;
    case 'tfjs-wasm-2': return (await import('./peers/tfjs.js')).tfjsWasm2Peer;
    default: throw new Error(`unknown peer '${id}'; expected one of ${PEER_IDS.join(', ')}`);
  }
}

interface ChildReport {
  readonly note: string;
  readonly failed: boolean;
  readonly label: string;
  readonly timings: Record<string, Timing>;
  readonly errors: Record<string, string>;
  memory?: MemoryDrift;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Child mode: set one peer up, time every case it supports, print the report as one JSON line. */
async function runChild(peerId: string, cases: readonly BenchCase[], memorySteps: number): Promise<void> {
  const report: ChildReport = { note: '', failed: false, label: peerId, timings: {}, errors: {} };
  let peer: Peer | null = null;
  try {
    peer = await loadPeer(peerId);
    Object.assign(report, { label: peer.label, note: await peer.init() });
  } catch (e) {
    Object.assign(report, { failed: true, note: `could not start: ${message(e)}`, label: peer?.label ?? peerId });
  }
  for (const c of cases) {
    if (!peer || report.failed || !peer.supports(c)) continue;
    try {
      const runner = await peer.prepare(c);
      report.timings[c.id] = await timeRunner(runner, budgetFor(c, peer.isSlowOn?.(c) ?? false));
      runner.dispose?.();
      process.stderr.write(`  ${peerId} ${c.id}: ${(report.timings[c.id].median * 1e3).toFixed(2)} ms median over ${report.timings[c.id].iterations}\n`);
    } catch (e) {
      report.errors[c.id] = message(e);
      process.stderr.write(`  ${peerId} ${c.id}: failed: ${message(e)}\n`);
    }
  }
  const w1 = cases.find((c) => c.id === 'W1');
  if (peer && !report.failed && peerId === 'tapegrad' && w1 && memorySteps > 0) {
    process.stderr.write(`  ${peerId} W1 memory over ${memorySteps} steps...\n`);
    report.memory = measureMemory(await peer.prepare(w1), memorySteps);
  }
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(report)}\n`);
}

/** Runs one peer in a fresh Node process (same loader flags as this one) and collects its report. */
function spawnPeer(peerId: string, cases: readonly BenchCase[], quick: boolean, memorySteps: number): Promise<ChildReport> {
  const script = process.argv[1];
  const args = [
    ...process.execArgv, '--expose-gc', script,
    '--child', peerId, '--only', cases.map((c) => c.id).join(','), '--memory-steps', String(memorySteps), ...(quick ? ['--quick'] : []),
  ];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], timeout: CHILD_TIMEOUT_MS });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT_MARK));
      if (line) resolve(JSON.parse(line.slice(RESULT_MARK.length)) as ChildReport);
      else resolve({ note: `process exited with code ${code} before reporting`, failed: true, label: peerId, timings: {}, errors: {} });
    });
  });
}

function selectCases(all: readonly BenchCase[], only: string | undefined): BenchCase[] {
  if (!only) return all.slice();
  const wanted = only.split(',').map((s) => s.trim()).filter(Boolean);
  const chosen = all.filter((c) => wanted.some((w) => c.id === w || c.workload === w));
  const unknown = wanted.filter((w) => !all.some((c) => c.id === w || c.workload === w));
  if (unknown.length) throw new Error(`--only: unknown case(s) ${unknown.join(', ')}; known: ${all.map((c) => c.id).join(', ')}`);
  return chosen;
}

function writeOutputs(run: BenchRun, writeDocs: boolean): void {
  const dir = path.resolve('bench-results');
  fs.mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(run, null, 2);
  const file = path.join(dir, `bench-${run.date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, json);
  fs.writeFileSync(path.join(dir, 'latest.json'), json);
  console.log(`\nresults: ${path.relative(process.cwd(), file)}`);
  if (!writeDocs) return;
  const doc = path.resolve('docs', 'performance.md');
  const text = fs.existsSync(doc) ? fs.readFileSync(doc, 'utf8') : '# Performance\n';
  fs.writeFileSync(doc, spliceSection(text, markdownSection(run)));
  console.log(`table:   ${path.relative(process.cwd(), doc)}`);
}

async function main(): Promise<void> {
  // `pnpm bench -- --only W2` may pass the separator through.
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      peers: { type: 'string' },
      quick: { type: 'boolean', default: false },
      docs: { type: 'boolean' },
      'no-docs': { type: 'boolean' },
      child: { type: 'string' },
      'memory-steps': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('pnpm bench [-- --only W1,W2-512,W3,MNIST] [--peers tapegrad,tfjs-wasm-1] [--quick] [--memory-steps 5000] [--docs | --no-docs]');
    console.log(`peers: ${PEER_IDS.join(', ')}`);
    return;
  }
  const quick = values.quick ?? false;
  const cases = selectCases(benchCases(quick, countScalarMlpNodes(scalarMlpData())), values.only);
  // Heap and RSS drift over many W1 steps: 5,000 (the issue's floor) in a full run, off in a quick one.
  const memorySteps = Number(values['memory-steps'] ?? (quick ? 0 : 5000));
  if (!Number.isInteger(memorySteps) || memorySteps < 0) throw new Error(`--memory-steps: expected a whole number, got ${values['memory-steps']}`);
  if (values.child) return runChild(values.child, cases, memorySteps);

  const peerIds = values.peers ? values.peers.split(',').map((s) => s.trim()) : [...PEER_IDS];
  for (const id of peerIds) if (!(PEER_IDS as readonly string[]).includes(id)) throw new Error(`--peers: unknown peer '${id}'; known: ${PEER_IDS.join(', ')}`);
  // Taken before the run: on a shared machine the load says how much the timings can be trusted.
  const machine = machineInfo();
  const reports: Record<string, ChildReport> = {};
  for (const id of peerIds) {
    process.stderr.write(`${id}:\n`);
    reports[id] = await spawnPeer(id, cases, quick, memorySteps);
    if (reports[id].failed) process.stderr.write(`  ${reports[id].note}\n`);
  }
  const peers: PeerSummary[] = peerIds.map((id) => ({ id, label: reports[id].label, note: reports[id].note, failed: reports[id].failed }));
  const results: CaseResult[] = cases.map((c) => ({
    case: c,
    timings: Object.fromEntries(peerIds.filter((id) => reports[id].timings[c.id]).map((id) => [id, reports[id].timings[c.id]])),
    errors: Object.fromEntries(peerIds.filter((id) => reports[id].errors[c.id]).map((id) => [id, reports[id].errors[c.id]])),
  }));
  const run: BenchRun = {
    date: new Date().toISOString(),
    command: `pnpm bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    quick,
    machine,
    peers,
    results,
    memory: reports.tapegrad?.memory,
  };
  console.log(`\n${markdownTable(run)}`);
  if (run.memory) console.log(`\n${memoryLine(run.memory)}`);
  for (const r of results) if (!agreement(run, r).ok) console.log(`\nWARNING ${r.case.id}: step-1 values disagree: ${agreement(run, r).detail}`);
  // A filtered run would replace the full table with a partial one, so only complete runs update the docs by default.
  writeOutputs(run, values['no-docs'] ? false : (values.docs ?? (!values.only && !values.peers)));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
});
