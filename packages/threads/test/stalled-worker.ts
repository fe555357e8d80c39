// A helper that starts, says it is ready, and then never gets to run a task: what a helper looks like to the
// calling thread when another process holds its core. It sleeps until the pool stops it.
import { parentPort, workerData } from 'node:worker_threads';
import { Slot } from '../src/protocol';
import type { HelperData } from '../src/spawn';

const ctrl = new Int32Array((workerData as HelperData).control);
Atomics.store(ctrl, Slot.Ready, 1);
parentPort?.postMessage('ready');
while (Atomics.load(ctrl, Slot.Stop) === 0) Atomics.wait(ctrl, Slot.Stop, 0, 50);
