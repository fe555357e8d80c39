/**
 * Entry point of `pnpm bench`: tapegrad (WebAssembly; with @tapegrad/threads; with @tapegrad/native's OpenBLAS) side
 * by side with TensorFlow.js (cpu; wasm with 1 and 2 threads), PyTorch CPU (1 and 2 threads, where a Python with
 * torch is installed), OpenBLAS's sgemm alone (W2) and a hand-written closure-based micrograd, on the same seeded
 * inputs. Each peer runs in its own Node process, so
 * one library's JIT state, heap and thread pool never colour another's timings (peer-process.ts), and every case
 * is timed in rounds across the peers (schedule.ts).
 *
 * @example
 * npx -y pnpm@10.34.9 bench                          # everything; writes bench-results/ and docs/performance.md
 * npx -y pnpm@10.34.9 bench -- --only W2,W3 --quick  # a short run of two workloads
 * npx -y pnpm@10.34.9 bench -- --peers tapegrad,tfjs-wasm-1
 * npx -y pnpm@10.34.9 bench -- --peers tapegrad,tapegrad-2t --only W1,W2   # 1 vs 2 threads (@tapegrad/threads)
 * npx -y pnpm@10.34.9 bench -- --only MNIST          # whole epochs of the main job's MNIST model
 * npx -y pnpm@10.34.9 bench -- --backend webgpu      # W1, W2 and W5 on the GPU: tapegrad and TF.js-webgpu (Dawn)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { type BenchCase, type TimingBudget, benchCases, budgetFor } from './cases.js';
import { scalarMlpData } from './data.js';
import { machineInfo } from './machine.js';
import { type MemoryDrift, type Slice, type Timing, summarize } from './measure.js';
import { PeerProcess, servePeer } from './peer-process.js';
import { nextSlice, roundOrder } from './schedule.js';
import { countScalarMlpNodes } from './micrograd-reference.js';
import type { Peer } from './peers/peer.js';
import {
  type BenchRun,
  type CaseResult,
  type PeerSummary,
  agreement,
  markdownSection,
  markdownTable,
  memoryLine,
  PERFORMANCE_CHART,
  spliceSection,
} from './report.js';
import { speedupChart } from './chart.js';
import { floorsTable } from './floors.js';

const PEER_IDS = [
  'tapegrad',
  'tapegrad-2t',
  'tapegrad-fused',
  'tapegrad-native',
  'tapegrad-native-2t',
  'tapegrad-native-fused',
  'reference',
  'tfjs-cpu',
  'tfjs-wasm-1',
  'tfjs-wasm-2',
  'pytorch-1',
  'pytorch-2',
  'openblas-1',
  'tapegrad-webgpu',
  'tfjs-webgpu',
] as const;

/**
 * `--backend webgpu`: the peers on the GPU beside tapegrad on the CPU (whose step-1 values they are checked against),
 * and the workloads both GPU peers run.
 */
const WEBGPU_PEERS = ['tapegrad', 'tapegrad-webgpu', 'tfjs-webgpu'];
const WEBGPU_CASES = 'W1,W2,W5';

// Loaded lazily so that the tapegrad process never loads TensorFlow.js and vice versa.
async function loadPeer(id: string): Promise<Peer> {
  switch (id) {
    case 'tapegrad':
      return (await import('./peers/tapegrad.js')).tapegradPeer;
    case 'tapegrad-2t':
      return (await import('./peers/tapegrad.js')).tapegrad2tPeer;
    case 'tapegrad-fused':
      return (await import('./peers/tapegrad.js')).tapegradFusedPeer;
    case 'tapegrad-native':
      return (await import('./peers/native.js')).tapegradNativePeer;
    case 'tapegrad-native-2t':
      return (await import('./peers/native.js')).tapegradNative2tPeer;
    case 'tapegrad-native-fused':
      return (await import('./peers/native.js')).tapegradNativeFusedPeer;
    case 'openblas-1':
      return (await import('./peers/native.js')).openblasPeer;
    case 'pytorch-1':
      return (await import('./peers/pytorch.js')).pytorch1Peer;
    case 'pytorch-2':
      return (await import('./peers/pytorch.js')).pytorch2Peer;
    case 'reference':
      return (await import('./peers/reference.js')).referencePeer;
    case 'tfjs-cpu':
      return (await import('./peers/tfjs.js')).tfjsCpuPeer;
    case 'tfjs-wasm-1':
      return (await import('./peers/tfjs.js')).tfjsWasm1Peer;
    case 'tfjs-wasm-2':
      return (await import('./peers/tfjs.js')).tfjsWasm2Peer;
    case 'tapegrad-webgpu':
      return (await import('./peers/tapegrad-webgpu.js')).tapegradWebgpuPeer;
    case 'tfjs-webgpu':
      return (await import('./peers/tfjs-webgpu.js')).tfjsWebgpuPeer;
    default:
      throw new Error(`unknown peer '${id}'; expected one of ${PEER_IDS.join(', ')}`);
  }
}

interface PeerReport {
  readonly note: string;
  readonly failed: boolean;
  readonly label: string;
  readonly timings: Record<string, Timing>;
  readonly errors: Record<string, string>;
  memory?: MemoryDrift;
}

/** One peer's timing of the case being run. */
interface CaseProgress {
  readonly peer: PeerProcess;
  readonly firstValue: number;
  readonly budget: TimingBudget;
  readonly slices: Slice[];
  iterations: number;
  seconds: number;
  failed: boolean;
}

/**
 * Times one case on every peer that supports it: each prepares and warms up, then they take slices of their
 * budgets in rounds (schedule.ts), so a change in the machine's load falls on all of them alike.
 */
async function runCase(c: BenchCase, peers: readonly PeerProcess[], reports: Record<string, PeerReport>): Promise<void> {
  const fail = (id: string, error: string): void => {
    reports[id].errors[c.id] = error;
    process.stderr.write(`  ${id} ${c.id}: failed: ${error}\n`);
  };
  const active: CaseProgress[] = [];
  for (const peer of peers) {
    const reply = await peer.request({ op: 'prepare', caseId: c.id });
    if (!reply.ok) fail(peer.id, reply.error);
    else if (reply.supported) {
      active.push({
        peer,
        firstValue: reply.firstValue!,
        budget: budgetFor(c, reply.slow!),
        slices: [],
        iterations: 0,
        seconds: 0,
        failed: false,
      });
    }
  }
  for (let round = 0; ; round++) {
    let asked = false;
    for (const p of roundOrder(active, round)) {
      const slice = p.failed ? null : nextSlice(p.budget, p, round);
      if (slice === null) continue;
      asked = true;
      const reply = await p.peer.request({ op: 'time', slice });
      if (!reply.ok) {
        p.failed = true;
        fail(p.peer.id, reply.error);
        continue;
      }
      p.slices.push(reply.slice!);
      p.iterations += reply.slice!.samples.length;
      p.seconds += reply.slice!.samples.reduce((sum, t) => sum + t, 0);
    }
    if (!asked) break;
  }
  for (const p of active) {
    if (p.failed) continue;
    const timing = summarize(p.firstValue, p.slices);
    reports[p.peer.id].timings[c.id] = timing;
    process.stderr.write(`  ${p.peer.id} ${c.id}: ${(timing.median * 1e3).toFixed(2)} ms median over ${timing.iterations}\n`);
    await p.peer.request({ op: 'release' });
  }
}

function selectCases(all: readonly BenchCase[], only: string | undefined): BenchCase[] {
  if (!only) return all.slice();
  const wanted = only
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
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
  const chart = speedupChart(run);
  fs.writeFileSync(file.replace(/\.json$/, '.svg'), chart);
  fs.writeFileSync(path.join(dir, 'latest.svg'), chart);
  console.log(`\nresults: ${path.relative(process.cwd(), file)} (and its chart, .svg)`);
  if (!writeDocs) return;
  const doc = path.resolve('docs', 'performance.md');
  const text = fs.existsSync(doc) ? fs.readFileSync(doc, 'utf8') : '# Performance\n';
  fs.writeFileSync(doc, spliceSection(text, markdownSection(run)));
  fs.writeFileSync(path.resolve('docs', PERFORMANCE_CHART), chart);
  console.log(`table:   ${path.relative(process.cwd(), doc)} (chart: docs/${PERFORMANCE_CHART})`);
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
      backend: { type: 'string', default: 'cpu' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      'pnpm bench [-- --only W1,W2-512,W3,MNIST] [--peers tapegrad,tfjs-wasm-1] [--backend cpu|webgpu] [--quick] [--memory-steps 5000] [--docs | --no-docs]',
    );
    console.log(`peers: ${PEER_IDS.join(', ')}`);
    return;
  }
  const quick = values.quick ?? false;
  if (values.backend !== 'cpu' && values.backend !== 'webgpu')
    throw new Error(`--backend: expected cpu or webgpu, got '${values.backend}'`);
  const gpu = values.backend === 'webgpu';
  const cases = selectCases(benchCases(quick, countScalarMlpNodes(scalarMlpData())), values.only ?? (gpu ? WEBGPU_CASES : undefined));
  // Heap and RSS drift over many W1 steps: 5,000 (the issue's floor) in a full run, off in a quick one (and on the GPU).
  const memorySteps = Number(values['memory-steps'] ?? (quick || gpu ? 0 : 5000));
  if (!Number.isInteger(memorySteps) || memorySteps < 0)
    throw new Error(`--memory-steps: expected a whole number, got ${values['memory-steps']}`);
  if (values.child) return servePeer(() => loadPeer(values.child!), cases);

  const peerIds = values.peers ? values.peers.split(',').map((s) => s.trim()) : gpu ? WEBGPU_PEERS : [...PEER_IDS];
  for (const id of peerIds)
    if (!(PEER_IDS as readonly string[]).includes(id)) throw new Error(`--peers: unknown peer '${id}'; known: ${PEER_IDS.join(', ')}`);
  // Taken before the run: on a shared machine the load says how much the timings can be trusted.
  const machine = machineInfo();
  const reports: Record<string, PeerReport> = {};
  const running: PeerProcess[] = [];
  const childArgs = (id: string): string[] => ['--child', id, '--only', cases.map((c) => c.id).join(','), ...(quick ? ['--quick'] : [])];
  try {
    for (const id of peerIds) {
      const { process: peer, ready } = await PeerProcess.start(id, process.argv[1], childArgs(id));
      reports[id] = { ...ready, timings: {}, errors: {} };
      process.stderr.write(`${id}: ${ready.note}\n`);
      if (ready.failed) peer.close();
      else running.push(peer);
    }
    for (const c of cases) {
      process.stderr.write(`${c.id}:\n`);
      await runCase(c, running, reports);
    }
    const w1 = cases.find((c) => c.id === 'W1');
    const tapegrad = running.find((p) => p.id === 'tapegrad');
    if (tapegrad && w1 && memorySteps > 0) {
      process.stderr.write(`tapegrad W1 memory over ${memorySteps} steps...\n`);
      const reply = await tapegrad.request({ op: 'memory', caseId: w1.id, steps: memorySteps });
      if (reply.ok) reports.tapegrad.memory = reply.memory;
      else process.stderr.write(`  failed: ${reply.error}\n`);
    }
  } finally {
    for (const p of running) p.close();
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
  console.log(`\n${markdownTable(run)}\n\n${floorsTable(run)}`);
  if (run.memory) console.log(`\n${memoryLine(run.memory)}`);
  for (const r of results)
    if (!agreement(run, r).ok) console.log(`\nWARNING ${r.case.id}: step-1 values disagree: ${agreement(run, r).detail}`);
  // A filtered run would replace the full table with a partial one, so only complete runs update the docs by default.
  writeOutputs(run, values['no-docs'] ? false : (values.docs ?? (!values.only && !values.peers && !gpu)));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
});
