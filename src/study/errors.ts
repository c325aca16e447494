/** The error of the shared-study layer. */
import { ProteinError } from "../errors";

/**
 * A study that cannot be opened, created or changed as asked: an unknown study name, a
 * config that differs from the stored one, a journal line that is not a valid event, a
 * transition a trial's state does not allow. Nothing was written when it is thrown.
 */
export class StudyError extends ProteinError {}

/**
 * An append that would create a trial the study already holds: another worker created it
 * first because this one lost the study lock (a PostgreSQL restart drops its connection and
 * the lock with it). Nothing was written; ask() retries on it.
 */
export class StudyConflictError extends StudyError {}
