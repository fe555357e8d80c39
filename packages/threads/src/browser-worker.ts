/**
 * The browser helper (a module Web Worker; see helper-loop.ts). Its first message is its control block; after that,
 * only new data buffers.
 *
 * How a new buffer reaches it: a Web Worker has no receiveMessageOnPort, and one blocked in Atomics.wait gets no
 * message events. So the loop returns to the event loop when a task names a buffer it has not received (the
 * calling thread posts the buffer before that task, so the message is queued by then); the message handler takes
 * the buffer and re-enters the loop. This costs one event-loop turn per new buffer, which grows geometrically and
 * so is rare. Chosen over one large buffer allocated up front, which would fix a size limit on products and hold
 * memory the page may never use. The task stays unclaimed meanwhile, so the calling thread may take it back: a
 * helper that is slow to get its message delays nothing.
 */
import { HelperLoop } from './helper-loop.js';
import type { BufferMessage } from './protocol.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent<SharedArrayBuffer | BufferMessage>) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}
const scope = globalThis as unknown as WorkerScope;

let loop: HelperLoop | null = null;

scope.onmessage = ({ data }) => {
  if (loop === null) {
    loop = new HelperLoop(new Int32Array(data as SharedArrayBuffer));
    loop.announceReady();
    scope.postMessage('ready');
  } else {
    loop.accept(data as BufferMessage);
  }
  if (loop.run() === 'stop') scope.close();
};
