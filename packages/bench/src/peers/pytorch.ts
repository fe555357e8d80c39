/**
 * PyTorch CPU as a peer, with 1 and 2 threads: Debian's `python3-torch` (or any Python whose `import torch` works;
 * TAPEGRAD_BENCH_PYTHON names one) runs pytorch_peer.py as a child process, which builds each case from the same
 * seeded arrays as every other peer and times its own iterations (so the pipe is never inside a timed iteration).
 * Without such a Python the peer says why and is left out of the table.
 *
 * Threads: torch.set_num_threads(n) governs PyTorch's own kernels; Debian's torch multiplies through whichever
 * libblas.so.3 is installed (OpenBLAS with libopenblas0; the reference BLAS, ~5 GFLOP/s, without), which counts
 * its threads apart, so the child gets OPENBLAS_NUM_THREADS and OMP_NUM_THREADS too.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type BenchCase, budgetFor, matmulSize } from '../cases.js';
import { matmulData, mlpData, tanhSumData } from '../data.js';
import type { Peer, Runner } from './peer.js';

/** The first Python that imports torch and numpy, or why there is none. */
export function findPythonWithTorch(): { python: string; reason?: undefined } | { python?: undefined; reason: string } {
  const candidates = [process.env.TAPEGRAD_BENCH_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch, numpy'], { encoding: 'utf8', timeout: 120_000 });
    if (probe.status === 0) return { python };
  }
  return {
    reason: `no Python with torch and numpy (tried ${candidates.join(', ')}): install Debian's python3-torch and libopenblas0, or set TAPEGRAD_BENCH_PYTHON`,
  };
}

/** This file's path in the ESM and CommonJS builds alike (V8's call sites name it in either). */
function thisFile(): string {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back as it was
  const original = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_error, frames) => frames;
    const name = (new Error().stack as unknown as NodeJS.CallSite[])[0]?.getFileName() ?? '';
    return name.startsWith('file:') ? fileURLToPath(name) : name;
  } finally {
    Error.prepareStackTrace = original;
  }
}

/** pytorch_peer.py: beside this file in the sources (src/peers), or there when this file is the build in dist/. */
function peerScript(): string {
  const here = dirname(thisFile());
  const beside = join(here, 'pytorch_peer.py');
  if (existsSync(beside)) return beside;
  let dir = here;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'src', 'peers', 'pytorch_peer.py');
}

/** The Python process: one JSON request per line, one reply per line. */
class PythonPeer {
  private readonly replies: AsyncIterator<string>;
  private readonly child: ChildProcess;

  constructor(python: string, threads: number) {
    const n = String(threads);
    this.child = spawn(python, [peerScript()], {
      env: { ...process.env, OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.replies = createInterface({ input: this.child.stdout! })[Symbol.asyncIterator]();
  }

  /** Requests queue behind each other, so every reply is read by the request it answers. */
  private pending: Promise<unknown> = Promise.resolve();

  ask<T extends object>(request: object): Promise<T> {
    const next = this.pending.then(async () => {
      this.child.stdin!.write(`${JSON.stringify(request)}\n`);
      const line = await this.replies.next();
      if (line.done) throw new Error('the Python process exited');
      const reply = JSON.parse(line.value) as { ok: boolean; error?: string } & T;
      if (!reply.ok) throw new Error(reply.error ?? 'the Python process failed');
      return reply;
    });
    this.pending = next.catch(() => undefined);
    return next;
  }

  /** Ends its input: the script's loop ends and the process exits. */
  close(): void {
    this.child.stdin!.end();
  }
}

/** Where a case's arrays are written for the Python process: raw little-endian values and their shapes. */
interface ArrayFile {
  readonly file: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
}

function writeArrays(
  dir: string,
  arrays: Record<string, { data: Float32Array | Int32Array; shape: readonly number[] }>,
): Record<string, ArrayFile> {
  const out: Record<string, ArrayFile> = {};
  for (const [name, { data, shape }] of Object.entries(arrays)) {
    const file = join(dir, `${name}.bin`);
    writeFileSync(file, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    out[name] = { file, shape, dtype: data instanceof Int32Array ? 'int32' : 'float32' };
  }
  return out;
}

/** The case's inputs, from data.ts: what every other peer starts from. */
function caseInputs(c: BenchCase): {
  arrays: Record<string, { data: Float32Array | Int32Array; shape: readonly number[] }>;
  extra: object;
} {
  switch (c.workload) {
    case 'W1': {
      const d = mlpData();
      const params = Object.fromEntries(d.params.map((p, i) => [`p${i}`, p]));
      return { arrays: { x: d.x, labels: { data: d.labels, shape: [d.labels.length] }, ...params }, extra: { lr: d.learningRate } };
    }
    case 'W2': {
      const { a, b } = matmulData(matmulSize(c));
      return { arrays: { a, b }, extra: {} };
    }
    case 'W4': {
      const d = tanhSumData();
      return { arrays: { x: { data: d.x, shape: [d.x.length] } }, extra: { w: d.w, b: d.b } };
    }
    default:
      throw new Error(`pytorch: no ${c.workload} case`);
  }
}

/** PyTorch with `threads` intra-op threads, on W1 (and W1-f64), W2 and W4. */
export function pytorchPeer(threads: number): Peer {
  let python: PythonPeer | null = null;
  let dir: string | null = null;
  return {
    id: `pytorch-${threads}`,
    label: `PyTorch ${threads} thread${threads === 1 ? '' : 's'}`,
    async init() {
      const found = findPythonWithTorch();
      if (found.python === undefined) throw new Error(found.reason);
      python = new PythonPeer(found.python, threads);
      dir = mkdtempSync(join(tmpdir(), 'tapegrad-bench-torch-'));
      process.once('exit', () => rmSync(dir!, { recursive: true, force: true }));
      const { note } = await python.ask<{ note: string }>({ op: 'init', threads });
      return `${note} (${found.python})`;
    },
    supports: (c) => c.workload === 'W1' || c.workload === 'W2' || c.workload === 'W4',
    close: () => python?.close(),
    async prepare(c: BenchCase): Promise<Runner> {
      const { arrays, extra } = caseInputs(c);
      const files = writeArrays(dir!, arrays);
      const { firstValue } = await python!.ask<{ firstValue: number }>({
        op: 'prepare',
        case: c.id,
        arrays: files,
        warmup: budgetFor(c, false).warmup,
        ...extra,
      });
      return {
        step() {
          throw new Error('pytorch: iterations run in the Python process (timed through remote)');
        },
        remote: {
          firstValue,
          timeSlice: async (budget) => ({
            samples: (await python!.ask<{ samples: number[] }>({ op: 'time', ...budget })).samples,
            gcMs: 0,
          }),
        },
        dispose: () => void python!.ask({ op: 'release' }).catch(() => undefined),
      };
    },
  };
}

export const pytorch1Peer = pytorchPeer(1);
export const pytorch2Peer = pytorchPeer(2);
