/**
 * The train view: the form's settings are checked on the page, then a Web Worker trains the MLP with
 * @tapegrad/nn and reports every few steps; the view redraws the decision boundary, the loss curve and the
 * accuracy. Training never runs on the page's thread.
 */
import { byId, clearError, describeError, showError } from '../alert.js';
import { drawBoundary, drawPoints, type Points } from './boundary.js';
import { ConfigError, type TrainConfig, type TrainForm, parseTrainConfig } from './config.js';
import { type DatasetName, makeDataset } from './datasets.js';
import { drawDigits } from './digit-grid.js';
import { describeDigitModel } from './digit-trainer.js';
import { LossChart } from './loss-chart.js';
import type { FromWorker, Progress, ToWorker } from './protocol.js';

const FIELDS: Record<keyof TrainForm, string> = {
  model: 'model',
  dataset: 'dataset',
  seed: 'data-seed',
  hidden: 'hidden',
  activation: 'activation',
  optimiser: 'optimiser',
  lr: 'lr',
};

export function mountTrainView(): void {
  const form = byId<HTMLFormElement>('train-form');
  const error = byId('train-error');
  const canvas = byId<HTMLCanvasElement>('boundary');
  const startButton = byId<HTMLButtonElement>('train-start');
  const stopButton = byId<HTMLButtonElement>('train-stop');
  const exportButton = byId<HTMLButtonElement>('train-export');
  const stepOut = byId('train-step');
  const lossOut = byId('train-loss');
  const accuracyOut = byId('train-accuracy');
  const status = byId('train-status');
  const threadsOut = byId('train-threads');
  const deviceOut = byId('train-device');
  const chart = new LossChart(byId('loss-chart'));

  let worker: Worker | null = null;
  let points: Points | null = null;
  let classes = 0;
  let config: TrainConfig | null = null;
  let digits: { images: Float32Array; labels: Int32Array } | null = null;

  const readForm = (): TrainForm =>
    Object.fromEntries(Object.entries(FIELDS).map(([key, id]) => [key, byId<HTMLInputElement | HTMLSelectElement>(id).value])) as TrainForm;

  function setRunning(running: boolean, text: string): void {
    startButton.disabled = running;
    stopButton.disabled = !running;
    status.textContent = text;
  }

  function send(message: ToWorker): void {
    worker?.postMessage(message);
  }

  function showProgress(m: Progress): void {
    stepOut.textContent = String(m.step);
    lossOut.textContent = m.losses[m.losses.length - 1].toFixed(4);
    accuracyOut.textContent = `${(m.accuracy * 100).toFixed(1)}%`;
    accuracyOut.dataset.value = String(m.accuracy);
    chart.push(m.step, m.losses);
  }

  function onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'data':
        exportButton.disabled = false;
        points = { x: m.x, y: m.y };
        classes = m.classes;
        drawPoints(canvas, points);
        if (config !== null)
          status.textContent = `training on ${config.dataset}: MLP ${[2, ...config.hidden, classes].join(' → ')}, ${config.activation}, ${config.optimiser} lr ${config.lr}`;
        return;
      case 'progress':
        showProgress(m);
        if (points !== null) drawBoundary(canvas, m.grid, m.resolution, classes, points);
        return;
      case 'digits':
        exportButton.disabled = false;
        digits = { images: m.images, labels: m.labels };
        drawDigits(canvas, m.images, m.labels, null);
        if (config !== null)
          status.textContent = `training on ${m.train} digits, tested on ${m.labels.length} held out: ${describeDigitModel(config)}, ${config.optimiser} lr ${config.lr}`;
        return;
      case 'digit-progress':
        showProgress(m);
        if (digits !== null) drawDigits(canvas, digits.images, digits.labels, m.predictions);
        return;
      case 'done':
        setRunning(false, m.reason);
        return;
      case 'threads':
        threadsOut.textContent = `threads: ${m.count}`;
        if (m.failure !== undefined) threadsOut.title = `helper threads could not start: ${m.failure}`;
        return;
      case 'device':
        deviceOut.textContent = m.adapter === null ? 'on the CPU' : `on the GPU: ${m.adapter}`;
        deviceOut.title =
          m.adapter === null ? `no WebGPU here: ${m.reason ?? 'unknown reason'}` : 'training runs on WebGPU (@tapegrad/webgpu)';
        return;
      case 'error':
        showError(error, `Training stopped: ${m.message}`);
        setRunning(false, 'stopped by an error');
        return;
      case 'onnx':
        download(m.bytes, 'model.onnx');
        status.textContent = `downloaded model.onnx (${m.bytes.length.toLocaleString('en-US')} bytes, the network after ${m.step} steps)`;
        return;
      case 'onnx-error':
        showError(error, m.message);
        return;
    }
  }

  function startWorker(): Worker {
    const w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    w.onmessage = (event: MessageEvent<FromWorker>) => onMessage(event.data);
    w.onerror = (event) => {
      event.preventDefault();
      showError(error, `The training worker failed: ${event.message || 'it could not be loaded'}`);
      setRunning(false, 'stopped by an error');
    };
    return w;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearError(error);
    try {
      config = parseTrainConfig(readForm());
      worker ??= startWorker();
      chart.reset();
      stepOut.textContent = '0';
      lossOut.textContent = accuracyOut.textContent = '–';
      delete accuracyOut.dataset.value;
      setRunning(true, config.dataset === 'digits' ? 'loading the digits' : `training on ${config.dataset}`);
      send({ type: 'start', config });
    } catch (e) {
      showError(error, e instanceof ConfigError ? e.message : describeError(e));
    }
  });

  // Show the chosen data set before any training (the digits arrive with the first digits run).
  function preview(): void {
    const seed = Number(byId<HTMLInputElement>('data-seed').value);
    if (!Number.isInteger(seed) || !stopButton.disabled) return;
    const chosen = byId<HTMLSelectElement>('dataset').value;
    if (chosen === 'digits') {
      if (digits !== null) drawDigits(canvas, digits.images, digits.labels, null);
      else drawPoints(canvas, { x: new Float64Array(0), y: new Int32Array(0) });
      return;
    }
    const data = makeDataset(chosen as DatasetName, seed);
    points = { x: data.x, y: data.y };
    classes = data.classes;
    drawPoints(canvas, points);
  }
  byId('dataset').addEventListener('change', preview);
  // The CNN reads images: choosing it picks the digits.
  byId('model').addEventListener('change', () => {
    const cnn = byId<HTMLSelectElement>('model').value === 'cnn';
    // The CNN's layers and activation are fixed (digit-trainer.ts).
    byId<HTMLInputElement>('hidden').disabled = cnn;
    byId<HTMLSelectElement>('activation').disabled = cnn;
    if (!cnn) return;
    byId<HTMLSelectElement>('dataset').value = 'digits';
    // Adam at the MLP's 0.01 makes the CNN's first steps jump about; 0.003 learns the digits steadily.
    const lr = byId<HTMLInputElement>('lr');
    if (lr.value === '0.01') lr.value = '0.003';
    preview();
  });
  byId('data-seed').addEventListener('change', preview);
  preview();

  exportButton.addEventListener('click', () => send({ type: 'export' }));

  stopButton.addEventListener('click', () => {
    send({ type: 'stop' });
    setRunning(false, 'stopped');
  });
}

/** Hands `bytes` to the browser as a file download named `name`. */
function download(bytes: Uint8Array, name: string): void {
  // A copy typed as ArrayBuffer-backed, which Blob requires (a transferred buffer could in principle be shared).
  const url = URL.createObjectURL(new Blob([new Uint8Array(bytes)], { type: 'application/octet-stream' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
