/**
 * A helper thread: waits on its control block for a task, runs the core's single-thread kernel on its share of the
 * product (operands already staged in the shared data buffer), and signals completion. It blocks in Atomics.wait
 * between tasks, so it never runs its event loop: a new data buffer arrives on its port and is read synchronously.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { getKernelBackend, gemmSingleThread, setKernelBackend } from '@tapegrad/core';
import { BACKENDS, BufferMessage, ERROR_BYTES, ERROR_BYTES_AT, HelperData, KindArray, Slot, viewsOf } from './protocol.js';

const { control, port } = workerData as HelperData;
const ctrl = new Int32Array(control);
const errorBytes = new Uint8Array(control, ERROR_BYTES_AT, ERROR_BYTES);

let generation = 0;
let views: KindArray[] = [];

/** Takes buffers off the port until the one the task names has arrived (it is posted before the task). */
function fetchBuffer(wanted: number): void {
  while (generation !== wanted) {
    const received = receiveMessageOnPort(port);
    if (received === undefined) continue;
    const message = received.message as BufferMessage;
    generation = message.generation;
    views = viewsOf(message.buffer);
  }
}

function runTask(): void {
  fetchBuffer(Atomics.load(ctrl, Slot.Generation));
  const backend = BACKENDS[ctrl[Slot.Backend]];
  // The calling thread's backend choice applies to its helpers too, so every share runs the same kernel.
  if (getKernelBackend() !== backend) setKernelBackend(backend);
  const data = views[ctrl[Slot.Kind]];
  const m = ctrl[Slot.M];
  const n = ctrl[Slot.N];
  const co = ctrl[Slot.COffset];
  // The kernels accumulate into C, and the buffer is reused between tasks.
  data.fill(0, co, co + m * n);
  gemmSingleThread(data, ctrl[Slot.AOffset], data, ctrl[Slot.BOffset], data, co, m, n, ctrl[Slot.K], ctrl[Slot.TransposeA] === 1, ctrl[Slot.TransposeB] === 1);
}

function reportError(error: unknown): void {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const { written } = new TextEncoder().encodeInto(text, errorBytes);
  ctrl[Slot.ErrorLength] = written;
}

// The flag is what the calling thread checks between products (its event loop may be busy for a whole training
// run); the message settles the promise enableThreads() returned.
Atomics.store(ctrl, Slot.Ready, 1);
parentPort?.postMessage('ready');
/**
 * After a task, poll for the next one this long before sleeping: the products of a backward pass follow each other
 * within microseconds, and waking a thread from Atomics.wait costs tens of microseconds (more on a virtual machine,
 * whose idle virtual CPU has to be woken too). Longer polls were measured to hurt, most when another process
 * competes for the cores (the poll takes CPU time from the calling thread's elementwise work): W1 with 2 threads
 * against 1 was 1.03x (idle machine) and 0.64x (busy) polling 1 ms, 1.19x and 0.86x polling 0.1 ms.
 */
const SPIN_MS = 0.1;

function waitForTask(seen: number): void {
  const until = performance.now() + SPIN_MS;
  for (let i = 1; Atomics.load(ctrl, Slot.Seq) === seen; i++) {
    if ((i & 255) === 0 && performance.now() > until) {
      Atomics.wait(ctrl, Slot.Seq, seen);
      return;
    }
  }
}

let seen = 0;
for (;;) {
  waitForTask(seen);
  const seq = Atomics.load(ctrl, Slot.Seq);
  if (Atomics.load(ctrl, Slot.Stop) === 1) break;
  if (seq === seen) continue;
  seen = seq;
  // Taken back by the calling thread (it found the task unclaimed): nothing to do, and nobody waits for Done.
  if (Atomics.compareExchange(ctrl, Slot.Claim, seq, -seq) !== seq) continue;
  let status = 0;
  try {
    runTask();
  } catch (error) {
    reportError(error);
    status = 1;
  }
  ctrl[Slot.Status] = status;
  Atomics.store(ctrl, Slot.Done, seq);
  Atomics.notify(ctrl, Slot.Done);
}
port.close();
