/**
 * deviceOptimizerStep: one optimiser update of a parameter on a device, fused into one kernel and in place. nn's
 * optimisers loop over `data` on the CPU; on a device there is no synchronous `data`, so they hand the update here and
 * the backend runs it without reading anything back. An optimiser step is never differentiated: nothing is recorded,
 * and the parameter's and state's versions move on as after any in-place change (a graph that saved them refuses to
 * backward).
 */
import type { DeviceOptimizerUpdate } from '../ndarray/device.js';
import { DTypeError, DeviceError, ShapeError, formatShape } from '../errors.js';
import { sameShape } from '../ndarray/shape.js';
import { Tensor } from '../tensor.js';

/** How many state tensors each rule takes (see SGDDeviceUpdate, AdamDeviceUpdate, RMSpropDeviceUpdate, AdaGradDeviceUpdate). */
function stateCount(update: DeviceOptimizerUpdate): number {
  const r = update.rule;
  if (r === 'adagrad') return 1;
  if (r === 'adam') return update.amsgrad ? 3 : 2;
  return (r === 'rmsprop' ? 1 + +update.centered : 0) + +(update.momentum > 0);
}

/**
 * Applies one optimiser update (SGD, Adam/AdamW, RMSprop or AdaGrad with PyTorch's semantics) to `param` on its device, in place, fused
 * into one kernel: `grad` and the rule's `state` tensors (moments, momentum buffer) must be on the same device with
 * the parameter's shape and dtype. `op` names the caller in errors. nn's optimisers call this for device
 * parameters; call it yourself to write a training loop without nn.
 * @throws DeviceError when the tensors are not all on one device, or the device has no fused updates.
 * @example
 * const w = tensor([1, 2], { device: 'webgpu', requiresGrad: true });   // after `await initWebGPU()`
 * w.mul(w).sum().backward();
 * deviceOptimizerStep('sgd', { rule: 'sgd', lr: 0.1, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, firstStep: true }, w, w.grad!, []);
 */
export function deviceOptimizerStep(
  op: string,
  update: DeviceOptimizerUpdate,
  param: Tensor,
  grad: Tensor,
  state: readonly Tensor[],
): void {
  const device = param.raw.device;
  if (device === undefined) throw new DeviceError(`${op}: ${param.label} is on the CPU; deviceOptimizerStep updates tensors on a device`);
  if (device.optimizerUpdate === undefined) throw new DeviceError(`${op}: the '${device.name}' device has no fused optimiser updates`);
  const expected = stateCount(update);
  if (state.length !== expected)
    throw new DeviceError(`${op}: the ${update.rule} update takes ${expected} state tensors, got ${state.length}`);
  const operands: Array<[string, Tensor]> = [['gradient', grad], ...state.map((s, i): [string, Tensor] => [`state ${i}`, s])];
  for (const [what, t] of operands) {
    if (!(t instanceof Tensor)) throw new DTypeError(`${op}: the ${what} of ${param.label} is not a Tensor`);
    if (t.raw.device !== device)
      throw new DeviceError(`${op}: the ${what} of ${param.label} is on '${t.device}', the parameter on '${device.name}'`);
    if (!sameShape(t.shape, param.shape))
      throw new ShapeError(
        `${op}: the ${what} of ${param.label} has shape ${formatShape(t.shape)}; it must be ${formatShape(param.shape)}`,
      );
    if (t.dtype !== param.dtype) throw new DTypeError(`${op}: the ${what} of ${param.label} is ${t.dtype}; it must be ${param.dtype}`);
  }
  device.optimizerUpdate(
    update,
    param.raw,
    grad.raw,
    state.map((s) => s.raw),
  );
  param.markMutated();
  for (const s of state) s.markMutated();
}
