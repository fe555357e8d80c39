/**
 * The Node helper thread (see helper-loop.ts). It blocks in Atomics.wait between tasks and never runs its event
 * loop, so a new data buffer is read from its port synchronously, with receiveMessageOnPort.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { HelperLoop } from './helper-loop.js';
import type { BufferMessage } from './protocol.js';
import type { HelperData } from './spawn.js';

const { control, port } = workerData as HelperData;
const loop = new HelperLoop(new Int32Array(control), () => receiveMessageOnPort(port)?.message as BufferMessage | undefined);

// The flag is what the calling thread checks between products; the message settles the promise enableThreads()
// returned.
loop.announceReady();
parentPort?.postMessage('ready');
loop.run();
port.close();
