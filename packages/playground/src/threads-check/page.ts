/**
 * threads.html's script: puts the check (check.ts) on `window.threadsCheck` for the end-to-end tests, to run on this
 * page's main thread (`run`) or in a module Web Worker (`runInWorker`).
 */
import { CheckReport, runCheck } from './check.js';

export interface ThreadsCheck {
  run(threads: number): Promise<CheckReport>;
  runInWorker(threads: number): Promise<CheckReport>;
}

function runInWorker(threads: number): Promise<CheckReport> {
  const worker = new Worker(new URL('./check-worker.ts', import.meta.url), { type: 'module' });
  return new Promise<CheckReport>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<CheckReport | { error: string }>) => ('error' in event.data ? reject(new Error(event.data.error)) : resolve(event.data));
    worker.onerror = (event) => reject(new Error(`the check worker failed: ${event.message}`));
    worker.postMessage(threads);
  }).finally(() => worker.terminate());
}

(window as unknown as { threadsCheck: ThreadsCheck }).threadsCheck = { run: runCheck, runInWorker };
document.getElementById('status')!.textContent = `ready; crossOriginIsolated: ${String(globalThis.crossOriginIsolated)}`;
