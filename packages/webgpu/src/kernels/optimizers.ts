/**
 * The optimiser updates, fused: one thread per parameter element reads the gradient and the state, and writes the
 * parameter and the state in place, so a training step on the device never reads parameters back. The math is nn's
 * (PyTorch's semantics; see SGDDeviceUpdate, AdamDeviceUpdate, RMSpropDeviceUpdate and AdaGradDeviceUpdate in
 * @tapegrad/core). Params: [size, then the
 * coefficients as f32 bits], written afresh for every call (they change every step: Adam's bias corrections, a
 * schedule's learning rate).
 */
import { FLAT_HEADER, flatMain } from './wgsl.js';

const MAIN = flatMain('i');

const coefficient = (index: number): string => `bitcast<f32>(p[${index + 1}u])`;

/**
 * SGD: coefficients [lr, weightDecay, momentum, dampening, nesterov (0 or 1), first step (0 or 1)]; with momentum the
 * momentum buffer is binding 3.
 */
export function sgdSource(withMomentum: boolean): string {
  const [lr, wd, mu, dampening, nesterov, first] = [0, 1, 2, 3, 4, 5].map(coefficient);
  const step = withMomentum
    ? `var b = g_;
  if (${first} == 0.0) { b = ${mu} * buf[i] + (1.0 - ${dampening}) * g_; }
  buf[i] = b;
  var d = b;
  if (${nesterov} != 0.0) { d = g_ + ${mu} * b; }
  w[i] = w[i] - ${lr} * d;`
    : `w[i] = w[i] - ${lr} * g_;`;
  return `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> w: array<f32>;
${withMomentum ? '@group(0) @binding(3) var<storage, read_write> buf: array<f32>;' : ''}
${MAIN}
  let g_ = g[i] + ${wd} * w[i];
  ${step}
}`;
}

/**
 * Adam and AdamW: coefficients [b1, 1 - b1, b2, 1 - b2, eps, coupled weight decay, shrink (1 - lr wd for AdamW),
 * lr / (1 - b1^t), sqrt(1 - b2^t)] (the differences taken in float64 on the CPU); bindings 3 and 4 the moments, 5 the
 * largest second moment with amsgrad.
 */
export function adamSource(amsgrad: boolean): string {
  const [b1, a1, b2, a2, eps, coupled, shrink, stepSize, rootC2] = [0, 1, 2, 3, 4, 5, 6, 7, 8].map(coefficient);
  return `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
${amsgrad ? '@group(0) @binding(5) var<storage, read_write> vMax: array<f32>;' : ''}
${MAIN}
  let w_ = w[i];
  let g_ = g[i] + ${coupled} * w_;
  let m_ = ${b1} * m[i] + ${a1} * g_;
  var v_ = ${b2} * v[i] + ${a2} * g_ * g_;
  m[i] = m_;
  v[i] = v_;
  ${amsgrad ? 'v_ = max(vMax[i], v_);\n  vMax[i] = v_;' : ''}
  w[i] = w_ * ${shrink} - ${stepSize} * m_ / (sqrt(v_) / ${rootC2} + ${eps});
}`;
}

/**
 * RMSprop: coefficients [lr, alpha, 1 - alpha, eps, weightDecay, momentum]; binding 3 the squared-gradient average,
 * then the gradient average when `centered`, then the momentum buffer when `withMomentum`.
 */
export function rmspropSource(centered: boolean, withMomentum: boolean): string {
  const [lr, alpha, rest, eps, wd, mu] = [0, 1, 2, 3, 4, 5].map(coefficient);
  let binding = 3;
  const state = (name: string): string => `@group(0) @binding(${binding++}) var<storage, read_write> ${name}: array<f32>;`;
  const declarations = [state('v'), ...(centered ? [state('gAvg')] : []), ...(withMomentum ? [state('buf')] : [])].join('\n');
  const denominator = centered
    ? `let a_ = ${alpha} * gAvg[i] + ${rest} * g_;
  gAvg[i] = a_;
  let denom = sqrt(v_ - a_ * a_) + ${eps};`
    : `let denom = sqrt(v_) + ${eps};`;
  const step = withMomentum
    ? `let b = ${mu} * buf[i] + g_ / denom;
  buf[i] = b;
  w[i] = w_ - ${lr} * b;`
    : `w[i] = w_ - ${lr} * g_ / denom;`;
  return `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> w: array<f32>;
${declarations}
${MAIN}
  let w_ = w[i];
  let g_ = g[i] + ${wd} * w_;
  let v_ = ${alpha} * v[i] + ${rest} * g_ * g_;
  v[i] = v_;
  ${denominator}
  ${step}
}`;
}

/** AdaGrad: coefficients [lr (decayed for the step), weightDecay, eps]; binding 3 the sum of squared gradients. */
export function adagradSource(): string {
  const [lr, wd, eps] = [0, 1, 2].map(coefficient);
  return `${FLAT_HEADER}
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> sum: array<f32>;
${MAIN}
  let w_ = w[i];
  let g_ = g[i] + ${wd} * w_;
  let s_ = sum[i] + g_ * g_;
  sum[i] = s_;
  w[i] = w_ - ${lr} * g_ / (sqrt(s_) + ${eps});
}`;
}
