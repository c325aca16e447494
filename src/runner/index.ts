/**
 * protein-sweep/runner — launching a training command per trial: the run block, command
 * lines and environments, metric reading, child processes, devices, the sweep loop and its
 * records. Node-only; not exported from the package root (ARCHITECTURE.md, "The sweep system").
 */
export { Sweep, defaultOutputDir, dryRunCommands, commandTemplate } from "./sweep";
export type { SweepOptions, SweepEvent } from "./sweep";
export { loadSweepFile, parseSweepDocument } from "./sweep-file";
export type { SweepFile } from "./sweep-file";
export { resolveRunSettings, splitRunBlock, OVERRIDE_STYLES, RUN_KEYS } from "./run-block";
export type { RunSettings, OverrideStyle, Method, Constraint, Gate, CostSource, CompareOp } from "./run-block";
export { buildCommand, formatValue, runValues, checkExecutable, MACROS } from "./command";
export type { CommandInput, BuiltCommand } from "./command";
export { parseMetricLine, readResultFile, MetricReader } from "./metrics";
export type { Metrics } from "./metrics";
export { RunProcess, signalGroup, groupAlive } from "./launch";
export type { LaunchOptions, RunOutcome } from "./launch";
export { gridPoints, constrainedGrid, randomPoint, applyConstraints, configKey } from "./plan";
export { DevicePool } from "./devices";
export { HyperbandRule } from "./hyperband";
export { runsCsv } from "./records";
export { END_IMPORTANCE_MAX_RUNS } from "./sweep";
export type { SweepSummary } from "../report/summary";
export { RunnerError } from "./errors";
