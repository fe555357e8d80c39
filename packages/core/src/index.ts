/**
 * @tapegrad/core: Scalar and Tensor nodes that record ops onto a tape, and the reverse sweep that applies
 * the chain rule over it.
 * @module @tapegrad/core
 * @packageDocumentation
 */
export { Scalar, scalar } from './scalar.js';
export type { ScalarOptions } from './scalar.js';
export { Tensor } from './tensor.js';
export { tensor, zeros, ones, full, zerosLike, onesLike, arange, eye, rand, randn } from './creation.js';
export type { TensorOptions, RandomOptions } from './creation.js';
export { concat, stack, where } from './combine.js';
export { conv1d, conv2d } from './functions/conv.js';
export type { ConvOptions } from './functions/conv.js';
export { maxPool2d, avgPool2d } from './functions/pool.js';
export type { MaxPool2dOptions, AvgPool2dOptions } from './functions/pool.js';
export { pad } from './functions/pad.js';
export { gelu, silu } from './functions/activation.js';
export type { GeluOptions } from './functions/activation.js';
export type { NormOrder, VarianceOptions } from './functions/statistics.js';
export { layerNorm } from './functions/layer-norm.js';
export type { LayerNormOptions } from './functions/layer-norm.js';
export { batchNorm } from './functions/batch-norm.js';
export type { BatchNormOptions } from './functions/batch-norm.js';
export { embedding } from './functions/embedding.js';
export type { EmbeddingOptions } from './functions/embedding.js';
export { scaledDotProductAttention } from './functions/attention.js';
export type { AttentionOptions } from './functions/attention.js';
export { einsum, diagonal } from './functions/einsum.js';
export { sort, topk, takeAlongAxis } from './functions/sort.js';
export type { SortOptions, TopkOptions } from './functions/sort.js';
export { argmax, argmin } from './functions/argmax.js';
export { multinomial } from './functions/multinomial.js';
export type { MultinomialOptions } from './functions/multinomial.js';
export type { DiagonalOptions } from './functions/einsum.js';
export type { PadOptions } from './functions/pad.js';
export type { PerAxis } from './functions/window.js';
export { grad, valueAndGrad, vjp } from './transforms/grad.js';
export type { GradOptions, Argnums, GradsAt, Pullback, CotangentOf, ValueFn, AuxFn } from './transforms/grad.js';
export { jvp } from './transforms/jvp.js';
export { fuse } from './fusion/fuse.js';
export type { FusedFunction, FuseValue } from './fusion/fuse.js';
export type { JvpOptions, TangentOf, TangentsOf } from './transforms/jvp.js';
export type { Differentiable, Outputs, Like, ArgOf, ArgsOf, GradOf } from './transforms/tree.js';
export { vmap, valuesForCheck } from './transforms/vmap.js';
export type { VmapOptions, VmapOutputs, Batched } from './transforms/vmap.js';
export { jacfwd, jacrev, jacobian } from './transforms/jacobian.js';
export type { JacobianOptions, Jac, JacAt, JacobianOf, JacobianFn, JacobianAuxFn } from './transforms/jacobian.js';
export { hessian, hvp } from './transforms/hessian.js';
export { checkpoint } from './transforms/checkpoint.js';
export type { HessianOf, HvpOf } from './transforms/hessian.js';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled, detectAnomaly, setAnomalyDetection } from './autodiff/mode.js';
export { OpContext } from './autodiff/context.js';
export { defineOp } from './autodiff/define-op.js';
export { UNARY_OP_NAMES } from './ops/index.js';
export type { UnaryOpName } from './ops/index.js';
export type { OpDefinition, DefinedOp, OpFunction, InputGrads } from './autodiff/define-op.js';
export type { GradMath, GradientRule, RuleMath, TangentRule } from './autodiff/grad-math.js';
export type { MatmulFlags } from './ndarray/kernels/matmul.js';
export type { ConvGeometry } from './ndarray/kernels/conv.js';
export type { PoolGeometry } from './ndarray/kernels/pool.js';
export type { WindowGeometry } from './ndarray/kernels/window.js';
export type { UnaryKernel } from './ndarray/kernels/unary.js';
export type { BinaryKernel } from './ndarray/kernels/binary.js';
export type { ReduceKind } from './ndarray/kernels/reduce.js';
export type { Shape } from './ndarray/shape.js';
export { Node } from './autodiff/node.js';
export type { ElementwiseMethods, MaskMethods } from './elementwise-methods.js';
export type { GradHook, RemovableHandle } from './autodiff/hooks.js';
export type { RawValue, Operand } from './autodiff/node.js';
export type { BackwardOptions, SweepObserver } from './autodiff/backward.js';
export { sweep } from './autodiff/backward.js';
export { tapeOf, formatTape, toDot } from './graph.js';
export type { TapeRow } from './graph.js';
export { TapegradError, ShapeError, DTypeError, GradError, AnomalyError, TransformError, DeviceError, DisposedError } from './errors.js';
export { tidy, keep } from './tidy.js';
export { registerDevice, unregisterDevice, deviceBackend } from './ndarray/device.js';
export type {
  DeviceBackend,
  DeviceOptimizerUpdate,
  SGDDeviceUpdate,
  AdamDeviceUpdate,
  RMSpropDeviceUpdate,
  AdaGradDeviceUpdate,
  PooledMaxima,
} from './ndarray/device.js';
// What a device backend's attention kernels take.
export type { AttentionMask, AttentionPlan } from './ndarray/kernels/attention.js';
export { deviceOptimizerStep } from './functions/optimizer-step.js';
export { Generator, seed, globalGenerator } from './ndarray/random.js';
export type { GeneratorState } from './ndarray/random.js';
export { brandClass } from './shared.js';
export type { DType, TypedArray } from './ndarray/dtype.js';
export { NDArray } from './ndarray/ndarray.js';
export type { NestedArray } from './ndarray/nested.js';
export { explain, explainSteps } from './explain.js';
export type { Explanation, ExplainStep, ExplainFormat } from './explain.js';
export {
  setKernelBackend,
  getKernelBackend,
  setKernelSet,
  kernelSetNames,
  runOptimizerKernel,
} from './ndarray/kernels/backend/kernel-backend.js';
export type {
  KernelBackend,
  KernelSet,
  BroadcastRuns,
  ReduceImplementation,
  UnaryImplementation,
  BinaryImplementation,
  InPlaceImplementation,
  OptimizerImplementation,
  FusedImplementation,
  FusedProgram,
  FusedSlot,
  FusedStep,
  FusedOutput,
} from './ndarray/kernels/backend/kernel-backend.js';
export { setGemmExecutor, getGemmExecutor } from './ndarray/kernels/backend/gemm-executor.js';
export type { GemmArgs, GemmCall, GemmExecutor, GemmKernel } from './ndarray/kernels/backend/gemm-executor.js';
export { gemmSingleThread } from './ndarray/kernels/matmul.js';
export { kernelModuleSupport } from './kernel-module-support.js';
