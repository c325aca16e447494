export { SearchSpace, flattenParams, paramsError } from "./search-space";
export type { NestedParams, SpaceEntry, ParamsLayout, ParamsProblem } from "./search-space";
export {
  UniformSpace,
  IntUniformSpace,
  Pow2Space,
  LogSpace,
  LogitSpace,
  CategoricalSpace,
  createParameterSpace,
} from "./parameters";
export type { ParamValue, Distribution, ParameterSpec, ParameterSpace, CoordinateKind } from "./parameters";
