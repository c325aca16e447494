/**
 * Gaussian-process regression: kernels, exact GP with L-BFGS / Adam fits, priors, and the optimizers.
 */
export { GaussianProcess, DEFAULT_GP_BOUNDS, PREDICT_BLOCK } from "./gp";
export type {
  GpFitState,
  FitOptions,
  FitResult,
  GaussianProcessOptions,
  GpBounds,
  GpHyperparameters,
  NormalizeY,
  Prediction,
  PredictOptions,
} from "./gp";
export {
  CATEGORY_TOLERANCE,
  ConstantKernel,
  LinearKernel,
  ScaledKernel,
  StationaryKernel,
  SumKernel,
  crossKernelMatrix,
  kernelMatrix,
} from "./kernels";
export type { Kernel, StationaryKernelType } from "./kernels";
export { defaultPriors, logNormalPriorTerm } from "./priors";
export type { GpPriors, LogNormalPrior } from "./priors";
export { createLbfgsMemory, minimizeLbfgs } from "./lbfgs";
export type { LbfgsMemory, LbfgsOptions, LbfgsResult, Objective } from "./lbfgs";
export { Adam } from "./adam";
export type { AdamOptions } from "./adam";
