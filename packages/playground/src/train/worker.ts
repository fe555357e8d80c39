/**
 * The training worker: trains in small chunks and reports after each, yielding between chunks so a stop
 * message is seen promptly and the page never waits on training.
 */
import { describeError } from '../error-text.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { Trainer } from './trainer.js';

const STEPS_PER_REPORT = 5;
const MAX_STEPS = 3000;
const GRID_RESOLUTION = 64;

let run = 0;

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
      post({ type: 'error', message: `The loss became ${last} at step ${trainer.steps}: the learning rate ${trainer.config.lr} is too large for this model; lower it and train again.` });
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

self.onmessage = (event: MessageEvent<ToWorker>) => {
  run++;
  if (event.data.type === 'stop') return;
  try {
    const trainer = new Trainer(event.data.config);
    post({ type: 'data', x: trainer.data.x, y: trainer.data.y, classes: trainer.data.classes });
    train(trainer, run).catch((e: unknown) => post({ type: 'error', message: describeError(e) }));
  } catch (e) {
    post({ type: 'error', message: describeError(e) });
  }
};
