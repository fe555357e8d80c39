/**
 * threads.html's script: puts the check (check.ts) on `window.threadsCheck` for the end-to-end tests, to run on this
 * page's main thread (`run`) or in a module Web Worker (`runInWorker`).
 */
import { enableThreads } from '@tapegrad/threads';
import { type CheckReport, runCheck } from './check.js';

export interface ThreadsCheck {
  run(threads: number): Promise<CheckReport>;
  runInWorker(threads: number): Promise<CheckReport>;
  /** What enableThreads does with `options`: the count it resolves, or the error it throws as "Name: message". */
  tryEnable(options: { threads?: number; minWork?: number }): Promise<string>;
}

async function tryEnable(options: { threads?: number; minWork?: number }): Promise<string> {
  try {
    return String(await enableThreads(options));
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
}

function runInWorker(threads: number): Promise<CheckReport> {
  const worker = new Worker(new URL('./check-worker.ts', import.meta.url), { type: 'module' });
  return new Promise<CheckReport>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<CheckReport | { error: string }>) =>
      'error' in event.data ? reject(new Error(event.data.error)) : resolve(event.data);
    worker.onerror = (event) => reject(new Error(`the check worker failed: ${event.message}`));
    worker.postMessage(threads);
  }).finally(() => worker.terminate());
}

(window as unknown as { threadsCheck: ThreadsCheck }).threadsCheck = { run: runCheck, runInWorker, tryEnable };
document.getElementById('status')!.textContent = `ready; crossOriginIsolated: ${String(globalThis.crossOriginIsolated)}`;
