/**
 * The optimiser updates of the WebGPU backend (core's DeviceBackend.optimizerUpdate): one fused kernel per parameter
 * (kernels/optimizers.ts) that reads the gradient and the state and writes the parameter and the state in place. The
 * rule's numbers are worked out here in float64 and passed as float32 bits in the one params buffer written afresh
 * before each dispatch (they change every step).
 */
import { DeviceError, type DeviceOptimizerUpdate, type NDArray } from '@tapegrad/core';
import type { WebGPUBackend } from './backend.js';
import { adagradSource, adamSource, rmspropSource, sgdSource } from './kernels/optimizers.js';
import { FLAT_WORKGROUP } from './kernels/wgsl.js';
import { f32Bits } from './shapes.js';

const OP_NAMES: Record<DeviceOptimizerUpdate['rule'], string> = {
  sgd: 'SGD.step',
  adam: 'Adam.step',
  rmsprop: 'RMSprop.step',
  adagrad: 'AdaGrad.step',
};

/** The kernel of `update` and its coefficients (the kernel's order). */
function kernelOf(update: DeviceOptimizerUpdate): { code: string; coefficients: number[] } {
  switch (update.rule) {
    case 'sgd': {
      const { lr, weightDecay, momentum, dampening, nesterov, firstStep } = update;
      return { code: sgdSource(momentum > 0), coefficients: [lr, weightDecay, momentum, dampening, nesterov ? 1 : 0, firstStep ? 1 : 0] };
    }
    case 'adam': {
      const { lr, betas, eps, weightDecay, decoupled, amsgrad, step } = update;
      const [b1, b2] = betas;
      const coefficients = [
        b1,
        1 - b1,
        b2,
        1 - b2,
        eps,
        decoupled ? 0 : weightDecay,
        decoupled ? 1 - lr * weightDecay : 1,
        lr / (1 - b1 ** step),
        Math.sqrt(1 - b2 ** step),
      ];
      return { code: adamSource(amsgrad), coefficients };
    }
    case 'rmsprop': {
      const { lr, alpha, eps, weightDecay, momentum, centered } = update;
      return { code: rmspropSource(centered, momentum > 0), coefficients: [lr, alpha, 1 - alpha, eps, weightDecay, momentum] };
    }
    case 'adagrad':
      return { code: adagradSource(), coefficients: [update.lr, update.weightDecay, update.eps] };
  }
}

export function optimizerUpdate(
  backend: WebGPUBackend,
  update: DeviceOptimizerUpdate,
  param: NDArray,
  grad: NDArray,
  state: readonly NDArray[],
): void {
  const op = OP_NAMES[update.rule];
  const buffers = [grad, param, ...state].map((a) => backend.bufferOf(backend.operand(a, op)));
  if (new Set(buffers).size !== buffers.length)
    throw new DeviceError(`${op}: the parameter, its gradient and its state must not share storage`);
  const size = param.size;
  if (size === 0) return;
  const { code, coefficients } = kernelOf(update);
  backend.run(code, [size, ...coefficients.map(f32Bits)], buffers, backend.grid(size, FLAT_WORKGROUP), true);
}
