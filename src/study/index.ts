/**
 * protein-sweep/study — one sweep shared by many workers: the embedded journal file (many
 * processes on one machine) or PostgreSQL (many machines). Not exported from the package
 * root: `pg` and the Node file APIs load only through this subpath.
 */
export { Study, DEFAULT_STUDY_NAME } from "./study";
export type { StudyCreateOptions, StudyOpenOptions, AskOptions } from "./study";
export { StudyError, StudyConflictError } from "./errors";
export { openStorage, isPostgresUrl } from "./storage";
export type { StorageOptions } from "./storage";
export { JournalStorage } from "./journal";
export type { JournalOptions } from "./journal";
export type { FileLockOptions } from "./lock";
export { copyStudy } from "./copy";
export type { CopyReport } from "./copy";
export type { PostgresOptions } from "./postgres";
export type { Trial, TrialState, TrialEvent, TrialLifecycleEvent, StudyBudget, Metrics, RunInfo, StudyHeader, StoredEvent, StudyStorage } from "./types";
