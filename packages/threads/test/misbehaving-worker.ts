// Helpers that fail in the middle of a task, as a crashed or hung thread would: each announces it is ready, waits for
// tasks until it claims one (so the calling thread cannot take it back) and then, by TAPEGRAD_TEST_HELPER:
//   'die'   ends its thread (what a crash in native code or an out-of-memory kill looks like),
//   'hang'  spins forever, ignoring Stop (an endless loop);
// and 'once-die' dies like 'die' only if the marker file TAPEGRAD_TEST_MARKER does not exist yet (creating it), and
// is otherwise the real helper: the pool's replacement then works.
import { existsSync, writeFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { Slot } from '../src/protocol';
import type { HelperData } from '../src/spawn';

const mode = process.env.TAPEGRAD_TEST_HELPER ?? 'die';
const marker = process.env.TAPEGRAD_TEST_MARKER ?? '';

if (mode === 'once-die' && existsSync(marker)) {
  require('../src/worker');
} else {
  if (mode === 'once-die') writeFileSync(marker, '');
  const ctrl = new Int32Array((workerData as HelperData).control);
  Atomics.store(ctrl, Slot.Ready, 1);
  parentPort?.postMessage('ready');
  // Tasks the calling thread takes back before this thread wakes are let go; the first one claimed fails.
  for (let seen = 0; Atomics.load(ctrl, Slot.Stop) === 0;) {
    Atomics.wait(ctrl, Slot.Seq, seen);
    seen = Atomics.load(ctrl, Slot.Seq);
    if (Atomics.load(ctrl, Slot.Stop) === 0 && Atomics.compareExchange(ctrl, Slot.Claim, seen, -seen) === seen) {
      if (mode === 'hang') for (;;);
      process.exit(3);
    }
  }
}
