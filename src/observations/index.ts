/**
 * Observations: the record of one run and its JSON-lines file format.
 *
 * `record` and `codec` are pure (browser-safe); `jsonl` uses `node:fs`.
 */
export {
  type Observation,
  type NestedParams,
  type ParamValue,
  type JsonValue,
  OBSERVATION_FIELDS,
  FORBIDDEN_KEYS,
  MAX_DEPTH,
  observationSchema,
  nestedParamsSchema,
  metadataSchema,
  jsonValueSchema,
  parseObservation,
  encodeObservationLine,
  formatPath,
} from "./record";
export {
  type ObservationsHeader,
  type LoadedObservations,
  OBSERVATIONS_FORMAT,
  OBSERVATIONS_VERSION,
  observationsHeaderSchema,
  createObservationsHeader,
  encodeHeaderLine,
  encodeObservations,
  decodeObservations,
  isTruncatedJson,
} from "./codec";
export { saveObservations, appendObservation, loadObservations } from "./jsonl";
