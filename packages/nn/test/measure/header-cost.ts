/**
 * What a hostile safetensors header just under the 100 MB limit costs the reader: wall time and peak memory (the
 * process's maximum resident set, above what it held before decoding), one fresh process per case. Not a test:
 * run it by hand and quote the figures (docs/reliability.md does).
 *
 *   npx tsx --tsconfig tsconfig.spec.json packages/nn/test/measure/header-cost.ts [case]
 *
 * With no case it builds each case's file and runs it in a child process of its own (with --max-old-space-size=8192, so a reader
 * that needs gigabytes shows how many rather than dying at Node's default heap limit).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors } from '@tapegrad/nn';

/** A case still running after this long is stopped and reported as such. */
const LIMIT_SECONDS = 120;

/** Just under the 100,000,000-byte limit, a multiple of 8. */
const HEADER_BYTES = 99_999_992;

/** Header text for each case: a prefix, a repeated unit and a suffix, padded with spaces to HEADER_BYTES. */
const CASES: Record<string, { prefix: string; unit: string; suffix: string; between?: string; count?: number }> = {
  // Arrays nested 50 million deep inside a tensor's shape.
  'deep-nesting': { prefix: '{"a":{"dtype":"F32","shape":', unit: '[', suffix: '' },
  // 25 million empty objects in one array.
  'many-objects': { prefix: '{"a":[', unit: '{}', between: ',', suffix: ']}' },
  // One tensor of rank 50 million (every dimension 1).
  'long-shape': { prefix: '{"a":{"dtype":"F32","shape":[', unit: '1', between: ',', suffix: '],"data_offsets":[0,4]}}' },
  // 25 million metadata entries.
  'many-metadata': { prefix: '{"__metadata__":{', unit: '"k#":""', between: ',', suffix: '}}' },
  // 1.4 million valid empty tensors.
  'many-tensors': { prefix: '{', unit: '"t#":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}', between: ',', suffix: '}' },
  // One metadata string of 100 MB.
  'long-string': { prefix: '{"__metadata__":{"k":"', unit: 'x', suffix: '"}}' },
  // The most tensors a file may name (MAX_ENTRIES), each empty, names padded to make a 100 MB header.
  'max-tensors': {
    prefix: '{',
    unit: `"t#${'_'.repeat(930)}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`,
    between: ',',
    suffix: '}',
    count: 100_000,
  },
};

function headerOf(name: string): Uint8Array {
  const { prefix, unit, suffix, between = '', count = Infinity } = CASES[name];
  const parts: string[] = [prefix];
  let length = prefix.length + suffix.length;
  for (let i = 0; i < count; i++) {
    const piece = (i === 0 ? '' : between) + unit.replace('#', i.toString(36));
    if (length + piece.length > HEADER_BYTES) break;
    parts.push(piece);
    length += piece.length;
  }
  parts.push(suffix);
  const text = parts.join('');
  const bytes = new Uint8Array(8 + HEADER_BYTES).fill(0x20, 8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(HEADER_BYTES), true);
  new TextEncoder().encodeInto(text, bytes.subarray(8));
  return bytes;
}

/** Where the parent leaves a case's file for the child, so building it costs the child nothing. */
const fileOf = (name: string): string => join(tmpdir(), `tapegrad-header-cost-${name}.safetensors`);

function measure(name: string): void {
  const bytes = readFileSync(fileOf(name));
  global.gc?.();
  const before = process.memoryUsage().rss;
  const started = performance.now();
  let outcome: string;
  try {
    const tensors = decodeSafetensors(bytes);
    outcome = `decoded ${Object.keys(tensors).length} tensors`;
  } catch (error) {
    const e = error as Error;
    outcome = `${e.constructor.name}: ${e.message.slice(0, 90)}`;
  }
  const seconds = (performance.now() - started) / 1000;
  const peak = process.resourceUsage().maxRSS * 1024;
  const mb = (n: number) => `${Math.round(n / 1e6)} MB`;
  console.log(`${name.padEnd(14)} ${seconds.toFixed(2).padStart(6)} s  peak +${mb(Math.max(0, peak - before)).padStart(8)}  ${outcome}`);
}

const only = process.argv[2];
if (only !== undefined) measure(only);
else {
  console.log(`header of ${HEADER_BYTES} bytes; time and peak resident memory above the process's own before decoding`);
  for (const name of Object.keys(CASES)) {
    writeFileSync(fileOf(name), headerOf(name));
    try {
      const out = execFileSync(process.execPath, ['--max-old-space-size=8192', '--expose-gc', ...process.execArgv, process.argv[1], name], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: LIMIT_SECONDS * 1000,
      });
      process.stdout.write(out);
    } catch (error) {
      const e = error as { status: number | null; signal: string | null; stderr: string };
      if (e.signal === 'SIGTERM') console.log(`${name.padEnd(14)} over ${LIMIT_SECONDS} s: stopped`);
      else console.log(`${name.padEnd(14)} process died (status ${e.status}): ${e.stderr.split('\n').find((l) => l.trim()) ?? ''}`);
    } finally {
      rmSync(fileOf(name), { force: true });
    }
  }
}
