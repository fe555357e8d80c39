/**
 * The training worker: trains in small chunks and reports after each, yielding between chunks so a stop
 * message is seen promptly and the page never waits on training.
 *
 * It enables @tapegrad/threads (one thread per core, on a cross-origin isolated page). With the default layers
 * (32, 32) the training products (300 points) stay below its minWork and run here alone, but the boundary grid's
 * hidden-to-hidden product (4096 points x 32 x 32) is shared with the helpers.
 *
 * Where the page has a WebGPU adapter, training runs on it instead (DeviceTrainer), and the page is told which.
 */
import { enableThreads } from '@tapegrad/threads';
import { initWebGPU, webgpuStatus } from '@tapegrad/webgpu';
import { describeError } from '../error-text.js';
import { DeviceTrainer } from './device-trainer.js';
import { DigitTrainer } from './digit-trainer.js';
import { type Digits, unpackDigits } from './digits.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { Trainer } from './trainer.js';

const STEPS_PER_REPORT = 5;
const MAX_STEPS = 3000;
const GRID_RESOLUTION = 64;

let run = 0;
let current: Trainer | DeviceTrainer | DigitTrainer | null = null;

function post(message: FromWorker, transfer: Transferable[] = []): void {
  (self as unknown as Worker).postMessage(message, transfer);
}

const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 10));

/**
 * Trains in chunks of STEPS_PER_REPORT until the run is replaced, the loss stops being finite or MAX_STEPS is
 * reached; `report` posts each chunk's progress.
 */
async function trainInChunks(
  trainer: { readonly steps: number; readonly config: { readonly lr: number }; step(): number | Promise<number> },
  id: number,
  report: (losses: number[]) => void | Promise<void>,
): Promise<void> {
  while (id === run) {
    const losses: number[] = [];
    for (let i = 0; i < STEPS_PER_REPORT; i++) losses.push(await trainer.step());
    const last = losses[losses.length - 1];
    if (!Number.isFinite(last)) {
      post({
        type: 'error',
        message: `The loss became ${last} at step ${trainer.steps}: the learning rate ${trainer.config.lr} is too large for this model; lower it and train again.`,
      });
      return;
    }
    await report(losses);
    if (trainer.steps >= MAX_STEPS) {
      post({ type: 'done', step: trainer.steps, reason: `stopped after ${MAX_STEPS} steps` });
      return;
    }
    await pause();
  }
}

/** Trains a boundary model, reporting the probability grid after each chunk. */
function train(trainer: Trainer | DeviceTrainer, id: number): Promise<void> {
  return trainInChunks(trainer, id, async (losses) => {
    const grid = await trainer.probabilityGrid(GRID_RESOLUTION);
    const accuracy = await trainer.accuracy();
    post({ type: 'progress', step: trainer.steps, losses, accuracy, grid, resolution: GRID_RESOLUTION }, [grid.buffer]);
  });
}

/** The digits, fetched (a lazily loaded chunk of the build) and unpacked on the first digits run. */
let digits: Promise<Digits> | null = null;
const loadDigits = () => (digits ??= import('virtual:mnist-digits').then((m) => unpackDigits(m.default)));

/** Like `train`, on the digits: the held-out digits' predictions instead of a boundary grid. */
function trainDigits(trainer: DigitTrainer, id: number): Promise<void> {
  return trainInChunks(trainer, id, (losses) => {
    const predictions = trainer.predictions();
    post({ type: 'digit-progress', step: trainer.steps, losses, accuracy: trainer.accuracy(predictions), predictions }, [
      predictions.buffer,
    ]);
  });
}

async function startDigits(config: DigitTrainer['config'], id: number): Promise<void> {
  const set = await loadDigits();
  if (id !== run) return;
  const trainer = new DigitTrainer(config, set);
  current = trainer;
  post({ type: 'digits', images: set.test.images, labels: set.test.labels, train: set.train.count });
  await trainDigits(trainer, id);
}

// Products run here alone until the helpers are ready, so training need not wait for them.
enableThreads().then(
  (count) => post({ type: 'threads', count }),
  (e: unknown) => post({ type: 'threads', count: 1, failure: describeError(e) }),
);

// The GPU, when the page has a WebGPU adapter: training waits for the answer (it comes at once where there is none).
const gpu: Promise<boolean> = initWebGPU().then(
  (found) => {
    const { adapter, reason } = webgpuStatus();
    post(found ? { type: 'device', adapter: adapter ?? 'unnamed adapter' } : { type: 'device', adapter: null, reason });
    return found;
  },
  (e: unknown) => {
    post({ type: 'device', adapter: null, reason: describeError(e) });
    return false;
  },
);

async function exportOnnx(trainer: Trainer | DeviceTrainer | DigitTrainer): Promise<void> {
  try {
    const bytes = await trainer.toOnnx();
    post({ type: 'onnx', bytes, step: trainer.steps }, [bytes.buffer]);
  } catch (e) {
    post({ type: 'onnx-error', message: `Export to ONNX failed: ${describeError(e)}` });
  }
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  if (event.data.type === 'export') {
    if (current === null) return post({ type: 'onnx-error', message: 'There is no network to export yet: train one first.' });
    return exportOnnx(current);
  }
  const id = ++run;
  if (event.data.type === 'stop') return;
  if (event.data.config.dataset === 'digits') {
    startDigits(event.data.config, id).catch((e: unknown) => post({ type: 'error', message: describeError(e) }));
    return;
  }
  const onGpu = await gpu;
  if (id !== run) return;
  try {
    const trainer = onGpu ? new DeviceTrainer(event.data.config) : new Trainer(event.data.config);
    current = trainer;
    post({ type: 'data', x: trainer.data.x, y: trainer.data.y, classes: trainer.data.classes });
    train(trainer, id).catch((e: unknown) => post({ type: 'error', message: describeError(e) }));
  } catch (e) {
    post({ type: 'error', message: describeError(e) });
  }
};
