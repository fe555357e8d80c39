// The before/after figure of a refactor (docs/decisions.md, issue 16): tapegrad at another commit against this
// checkout, timed in the same run by the bench's own machinery. Each build runs as a `pnpm bench` peer process of
// its own (peer-process.ts) and every case is timed in rounds across the two (schedule.ts), so a change in the
// machine's load falls on both alike. Build both first (`pnpm build` in each), then:
//   node packages/bench/micro/before-after.mjs --base /tmp/base16 [--only W1,W3,MNIST] [--quick] [--repeat 2]
// The base may be a checkout from before the bench had a package of its own (packages/examples/src/bench).
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchCases, budgetFor } from '../dist/esm/cases.js';
import { scalarMlpData } from '../dist/esm/data.js';
import { summarize } from '../dist/esm/measure.js';
import { countScalarMlpNodes } from '../dist/esm/micrograd-reference.js';
import { PeerProcess } from '../dist/esm/peer-process.js';
import { nextSlice, roundOrder } from '../dist/esm/schedule.js';

const { values } = parseArgs({
  options: { base: { type: 'string' }, only: { type: 'string' }, quick: { type: 'boolean', default: false }, repeat: { type: 'string' } },
});
if (!values.base) throw new Error('--base DIR: the checkout to compare with (built)');
const benchEntry = (root) =>
  [join(root, 'packages/bench/dist/esm/index.js'), join(root, 'packages/examples/dist/esm/bench/index.js')].find((f) => existsSync(f));
const builds = { before: benchEntry(resolve(values.base)), after: new URL('../dist/esm/index.js', import.meta.url).pathname };
if (!builds.before) throw new Error(`--base ${values.base}: no built bench (run pnpm build there)`);
const quick = values.quick;
const wanted = (values.only ?? 'W1,W1-f64,W2,W3,W4,MNIST').split(',');
const cases = benchCases(quick, countScalarMlpNodes(scalarMlpData())).filter((c) => wanted.includes(c.id) || wanted.includes(c.workload));
const repeat = Number(values.repeat ?? 1);
const childArgs = ['--child', 'tapegrad', '--only', cases.map((c) => c.id).join(','), ...(quick ? ['--quick'] : [])];

/** Times one case on both builds, in rounds whose order rotates; returns each build's Timing (or an error). */
async function timeCase(c, peers) {
  const active = [];
  for (const peer of peers) {
    const reply = await peer.request({ op: 'prepare', caseId: c.id });
    if (!reply.ok || !reply.supported) throw new Error(`${peer.id} ${c.id}: ${reply.ok ? 'not supported' : reply.error}`);
    active.push({ peer, firstValue: reply.firstValue, budget: budgetFor(c, false), slices: [], iterations: 0, seconds: 0 });
  }
  for (let round = 0; ; round++) {
    let asked = false;
    for (const p of roundOrder(active, round)) {
      const slice = nextSlice(p.budget, p, round);
      if (slice === null) continue;
      asked = true;
      const reply = await p.peer.request({ op: 'time', slice });
      if (!reply.ok) throw new Error(`${p.peer.id} ${c.id}: ${reply.error}`);
      p.slices.push(reply.slice);
      p.iterations += reply.slice.samples.length;
      p.seconds += reply.slice.samples.reduce((sum, t) => sum + t, 0);
    }
    if (!asked) break;
  }
  for (const p of active) await p.peer.request({ op: 'release' });
  return Object.fromEntries(active.map((p) => [p.peer.id, summarize(p.firstValue, p.slices)]));
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(`${cpus().length} logical cores, load average ${load()} at the start; before ${builds.before}, after ${builds.after}`);
const rows = [];
for (let run = 1; run <= repeat; run++) {
  // Started in turn, so neither build always gets the first process.
  const order = run % 2 ? ['before', 'after'] : ['after', 'before'];
  const peers = [];
  for (const id of order) {
    const { process: peer, ready } = await PeerProcess.start(id, builds[id], childArgs);
    if (ready.failed) throw new Error(`${id}: ${ready.note}`);
    peers.push(peer);
  }
  try {
    for (const c of cases) {
      const t = await timeCase(c, peers);
      // Medians are seconds per iteration whatever unit the report shows, so the ratio is one of times.
      const ratio = t.after.median / t.before.median;
      const row = {
        run,
        case: c.id,
        beforeMs: t.before.median * 1e3,
        afterMs: t.after.median * 1e3,
        ratio,
        beforeBestMs: t.before.min * 1e3,
        afterBestMs: t.after.min * 1e3,
        sameFirstValue: Math.abs(t.before.firstValue - t.after.firstValue) <= c.rtol * Math.abs(t.before.firstValue),
        iterations: `${t.before.iterations}/${t.after.iterations}`,
        load: load(),
      };
      rows.push(row);
      console.log(
        `run ${run} ${c.id.padEnd(8)} before ${row.beforeMs.toFixed(2)} ms, after ${row.afterMs.toFixed(2)} ms median: ` +
          `after/before time ${ratio.toFixed(3)} (best ${row.beforeBestMs.toFixed(2)} and ${row.afterBestMs.toFixed(2)} ms); step-1 values ${row.sameFirstValue ? 'agree' : `DIFFER (${t.before.firstValue} vs ${t.after.firstValue})`}; ` +
          `${row.iterations} iterations; load ${row.load}`,
      );
    }
  } finally {
    for (const p of peers) p.close();
  }
}
console.log(JSON.stringify(rows));
