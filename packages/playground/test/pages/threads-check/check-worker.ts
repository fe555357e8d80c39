/** The check (check.ts) in a module Web Worker, where the calling thread may block in Atomics.wait. */
import { runCheck } from './check.js';

self.onmessage = (event: MessageEvent<number>) => {
  runCheck(event.data).then(
    (report) => self.postMessage(report),
    (error: unknown) => self.postMessage({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }),
  );
};
