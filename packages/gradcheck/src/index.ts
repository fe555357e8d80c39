/**
 * @tapegrad/gradcheck: numerical gradients, gradient checks of functions (reverse and forward mode, and the duality
 * of the two), of hand-written layers and of plain JavaScript functions, and Jest matchers (`@tapegrad/gradcheck/jest`).
 * @module @tapegrad/gradcheck
 * @packageDocumentation
 */
export { numericalGradient, numericalGradients } from './numerical.js';
export type { NumericalOptions } from './numerical.js';
export { gradcheck, gradgradcheck } from './gradcheck.js';
export type { GradcheckOptions } from './gradcheck.js';
export { checkGradient } from './check-gradient.js';
export type { CheckGradientOptions, Point, GradientOf } from './check-gradient.js';
export { checkDuality, DualityReport } from './duality.js';
export type { DualityOptions, DualityInput } from './duality.js';
export { checkLayer } from './check-layer.js';
export type { Layer, CheckLayerOptions } from './check-layer.js';
export { GradcheckReport } from './report.js';
export type { InputReport, Mismatch, Tolerance } from './report.js';
export { allClose, matchers } from './matchers.js';
export type { AllCloseOptions, MatcherResult } from './matchers.js';
