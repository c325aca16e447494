export { parseSweepConfig, safeParseSweepConfig, assertBayesianMethod, CONFIG_LIMITS } from "./parse";
export type { SweepConfig, ParameterConfig, ConfigFormat } from "./parse";
export { loadSweepConfig } from "./load";
export { parseIni } from "./ini";
export type { ConfigSettings, Acquisition } from "./settings";
export { ACQUISITIONS, camelCase, snakeCase } from "./settings";
