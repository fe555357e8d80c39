/**
 * Helpers as Node worker_threads: the Node {@link Platform}. `spawn` makes the thread (spawn.ts in the package,
 * the TypeScript sources in the tests).
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, type Worker } from 'node:worker_threads';
import type { Platform } from './controller.js';
import type { HelperData } from './spawn.js';

export function nodePlatform(spawn: (data: HelperData) => Worker): Platform {
  return {
    defaultThreads: availableParallelism,
    sharedMemory: () => true,
    canWait: () => true,
    startHelper(_index, control, events) {
      const { port1, port2 } = new MessageChannel();
      const worker = spawn({ control, port: port2 });
      // Referenced until it has started, so `await enableThreads()` is not cut short by an idle event loop; never
      // after, so helpers (even a hung one) never keep the process alive.
      worker.once('message', () => {
        worker.unref();
        events.ready();
      });
      worker.once('error', (error: Error) => {
        worker.unref();
        events.lost(`failed: ${error.message}`);
      });
      worker.once('exit', (code) => events.lost(`exited (code ${code})`));
      return {
        send: (message) => port1.postMessage(message),
        terminate: () => {
          port1.close();
          return worker.terminate();
        },
      };
    },
  };
}
