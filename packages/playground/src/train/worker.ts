/**
 * The training worker: trains in small chunks and reports after each, yielding between chunks so a stop
 * message is seen promptly and the page never waits on training.
 *
 * It enables @tapegrad/threads (one thread per core, on a cross-origin isolated page). With the default layers
 * (32, 32) the training products (300 points) stay below its minWork and run here alone, but the boundary grid's
 * hidden-to-hidden product (4096 points x 32 x 32) is shared with the helpers.
 */
import { enableThreads } from '@tapegrad/threads';
import { describeError } from '../error-text.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { Trainer } from './trainer.js';

const STEPS_PER_REPORT = 5;
const MAX_STEPS = 3000;
const GRID_RESOLUTION = 64;

let run = 0;
let current: Trainer | null = null;

function post(message: FromWorker, transfer: Transferable[] = []): void {
  (self as unknown as Worker).postMessage(message, transfer);
}

const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 10));

async function train(trainer: Trainer, id: number): Promise<void> {
  while (id === run) {
    const losses: number[] = [];
    for (let i = 0; i < STEPS_PER_REPORT; i++) losses.push(trainer.step());
    const last = losses[losses.length - 1];
    if (!Number.isFinite(last)) {
      post({
        type: 'error',
        message: `The loss became ${last} at step ${trainer.steps}: the learning rate ${trainer.config.lr} is too large for this model; lower it and train again.`,
      });
      return;
    }
    const grid = trainer.probabilityGrid(GRID_RESOLUTION);
    post({ type: 'progress', step: trainer.steps, losses, accuracy: trainer.accuracy(), grid, resolution: GRID_RESOLUTION }, [grid.buffer]);
    if (trainer.steps >= MAX_STEPS) {
      post({ type: 'done', step: trainer.steps, reason: `stopped after ${MAX_STEPS} steps` });
      return;
    }
    await pause();
  }
}

// Products run here alone until the helpers are ready, so training need not wait for them.
enableThreads().then(
  (count) => post({ type: 'threads', count }),
  (e: unknown) => post({ type: 'threads', count: 1, failure: describeError(e) }),
);

self.onmessage = (event: MessageEvent<ToWorker>) => {
  if (event.data.type === 'export') {
    if (current === null) return post({ type: 'onnx-error', message: 'There is no network to export yet: train one first.' });
    try {
      const bytes = current.toOnnx();
      post({ type: 'onnx', bytes, step: current.steps }, [bytes.buffer]);
    } catch (e) {
      post({ type: 'onnx-error', message: `Export to ONNX failed: ${describeError(e)}` });
    }
    return;
  }
  run++;
  if (event.data.type === 'stop') return;
  try {
    const trainer = new Trainer(event.data.config);
    current = trainer;
    post({ type: 'data', x: trainer.data.x, y: trainer.data.y, classes: trainer.data.classes });
    train(trainer, run).catch((e: unknown) => post({ type: 'error', message: describeError(e) }));
  } catch (e) {
    post({ type: 'error', message: describeError(e) });
  }
};
