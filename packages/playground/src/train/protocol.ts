/** The messages between the train view and its training worker. */
import type { TrainConfig } from './config.js';

export type ToWorker =
  | { readonly type: 'start'; readonly config: TrainConfig }
  | { readonly type: 'stop' }
  /** Asks for the network as it is now, as an ONNX model; answered with 'onnx' (training goes on). */
  | { readonly type: 'export' };

/** What every progress report says, on either data set. */
export interface Progress {
  readonly step: number;
  /** Loss of each step since the previous message, in order. */
  readonly losses: readonly number[];
  readonly accuracy: number;
}

export type FromWorker =
  | { readonly type: 'data'; readonly x: Float64Array; readonly y: Int32Array; readonly classes: number }
  | (Progress & {
      readonly type: 'progress';
      /** Class probabilities over the boundary grid (see Trainer.probabilityGrid). */
      readonly grid: Float32Array;
      readonly resolution: number;
    })
  /** The held-out digits the view shows (the digits data set, instead of 'data'). */
  | { readonly type: 'digits'; readonly images: Float32Array; readonly labels: Int32Array; readonly train: number }
  /** Training on the digits: the held-out digits' predicted classes instead of a boundary grid. */
  | (Progress & {
      readonly type: 'digit-progress';
      /** The held-out digits' predicted classes (the accuracy is on them too). */
      readonly predictions: Int32Array;
    })
  | { readonly type: 'done'; readonly step: number; readonly reason: string }
  /** What enableThreads() resolved in the worker (1 without cross-origin isolation), or why it failed. */
  | { readonly type: 'threads'; readonly count: number; readonly failure?: string }
  /** Where training runs: the WebGPU adapter's name, or null (the CPU) with the reason there is no GPU. */
  | { readonly type: 'device'; readonly adapter: string | null; readonly reason?: string }
  | { readonly type: 'error'; readonly message: string }
  /**
   * The network as an ONNX model (input 'point' [batch, 2], or 'image' [batch, 784] on the digits; output 'logits'
   * [batch, classes]), after `step` steps.
   */
  | { readonly type: 'onnx'; readonly bytes: Uint8Array; readonly step: number }
  /** Why an 'export' could not be answered (training is not affected). */
  | { readonly type: 'onnx-error'; readonly message: string };
