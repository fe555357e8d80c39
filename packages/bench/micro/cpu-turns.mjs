// A synchronous case (W3 by default) timed in CPU time rather than wall time: each build's tapegrad peer runs in a
// process of its own, the builds take turns, and every process reports the median and 10th percentile of
// process.cpuUsage() per step. On a machine shared with other work a process's CPU time per step moves much less with
// the load than its wall time does (before-after.mjs's figure), so small differences show in fewer runs.
// Build both first (`pnpm build` in each), then:
//   node packages/bench/micro/cpu-turns.mjs --base /tmp/base16 [--case W3] [--rounds 16] [--steps 80]
// The base may be a checkout from before the bench had a package of its own (packages/examples/src/bench).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    case: { type: 'string', default: 'W3' },
    rounds: { type: 'string', default: '16' },
    steps: { type: 'string', default: '80' },
    child: { type: 'string' },
  },
});
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

if (values.child) {
  // One build's peer: warm up, then time `steps` steps in CPU milliseconds.
  const dir = values.child;
  const { tapegradPeer } = await import(join(dir, 'peers/tapegrad.js'));
  const { benchCases } = await import(join(dir, 'cases.js'));
  const { countScalarMlpNodes } = await import(join(dir, 'micrograd-reference.js'));
  const { scalarMlpData } = await import(join(dir, 'data.js'));
  const c = benchCases(false, countScalarMlpNodes(scalarMlpData())).find((x) => x.id === values.case);
  if (c === undefined) throw new Error(`no case ${values.case}`);
  await tapegradPeer.init();
  const runner = await tapegradPeer.prepare(c);
  const first = runner.step();
  for (let i = 1; i < 20; i++) runner.step();
  const ms = [];
  for (let i = 0; i < Number(values.steps); i++) {
    const t = process.cpuUsage();
    runner.step();
    const d = process.cpuUsage(t);
    ms.push((d.user + d.system) / 1e3);
  }
  ms.sort((a, b) => a - b);
  console.log(JSON.stringify({ median: median(ms), p10: ms[Math.floor(ms.length / 10)], first }));
  process.exit(0);
}

if (!values.base) throw new Error('--base DIR: the checkout to compare with (built)');
const benchDir = (root) =>
  [join(root, 'packages/bench/dist/esm'), join(root, 'packages/examples/dist/esm/bench')].find((d) =>
    existsSync(join(d, 'peers/tapegrad.js')),
  );
const builds = { before: benchDir(resolve(values.base)), after: new URL('../dist/esm', import.meta.url).pathname };
if (!builds.before) throw new Error(`--base ${values.base}: no built bench (run pnpm build there)`);
const script = new URL(import.meta.url).pathname;
const runs = { before: [], after: [] };
console.log(`${values.case}, CPU ms per step; load average ${loadavg()[0].toFixed(2)} at the start`);
for (let r = 0; r < Number(values.rounds); r++) {
  for (const id of r % 2 ? ['after', 'before'] : ['before', 'after']) {
    const out = execFileSync(process.execPath, [script, '--child', builds[id], '--case', values.case, '--steps', values.steps], {
      encoding: 'utf8',
    });
    runs[id].push(JSON.parse(out.trim().split('\n').pop()));
  }
}
const [b, a] = [runs.before, runs.after];
const same = b.every((x) => x.first === a[0].first) && a.every((x) => x.first === a[0].first);
for (const [id, rs] of Object.entries(runs)) {
  console.log(
    `${id.padEnd(6)} median of medians ${median(rs.map((x) => x.median)).toFixed(2)}, of p10s ${median(rs.map((x) => x.p10)).toFixed(2)}, best p10 ${Math.min(...rs.map((x) => x.p10)).toFixed(2)}`,
  );
}
console.log(
  `after/before ${(median(a.map((x) => x.median)) / median(b.map((x) => x.median))).toFixed(3)}; first-step values ${same ? 'agree' : 'DIFFER'}; load average ${loadavg()[0].toFixed(2)} at the end`,
);
