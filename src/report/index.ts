/**
 * protein-sweep/report: what a sweep found, from its runs. Pure functions over trials (or
 * observations): the best run, the top k, the (score, cost) Pareto front, parameter
 * importance, a terminal summary and a self-contained HTML report. Nothing here reads storage:
 * pass `study.trials()` (or a list of observations) and the sweep's goal, metric and space.
 *
 * @example
 * import { best, renderSummary, renderReportHtml } from "protein-sweep/report";
 * const trials = await study.refresh();
 * const info = { goal: study.goal, metric: study.metric, space: study.space, gates: ["mass_err < 0.01"] };
 * best(trials, info);
 * process.stdout.write(renderSummary(trials, info, { width: process.stdout.columns }));
 * fs.writeFileSync("report.html", renderReportHtml(trials, info));
 */
export { ReportError } from "./errors";
export { parseGate, parseGates, formatGate, passesGates, failedGates, toTrials, countStates } from "./records";
export type { Gate, GateOp, GateInput, SweepInfo, SweepRecords, StateCounts } from "./records";
export { best, top, paretoFront } from "./rank";
export { importance, inferSpace, MIN_IMPORTANCE_RUNS } from "./importance";
export type { ImportanceOptions, ImportanceResult, ParameterImportance } from "./importance";
export { summaryJson, renderSummary, formatSummary, formatNumber } from "./summary";
export type { SweepSummary, RunSummary, SummaryOptions, RenderSummaryOptions } from "./summary";
export { renderReportHtml, reportData, RUN_FIELDS } from "./html";
export type { ReportMeta, ReportData, AxisKind } from "./html";
