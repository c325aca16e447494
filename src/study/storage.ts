/** Opening a storage by location: a `postgres://` URL or a journal file path. */
import { JournalStorage, type JournalOptions } from "./journal";
import type { PostgresOptions } from "./postgres";
import type { StudyStorage } from "./types";

/** Options of {@link openStorage}: those of the backend the location selects. */
export type StorageOptions = PostgresOptions & JournalOptions;

/** Whether a location names a PostgreSQL database. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * `postgres://…` / `postgresql://…` → the PostgreSQL backend (`pg` is loaded only then; a
 * `?schema=NAME` parameter picks the schema, default `protein_sweep`); anything else → a
 * journal file path (JSON lines; many processes on one machine).
 */
export async function openStorage(location: string, options: StorageOptions = {}): Promise<StudyStorage> {
  if (isPostgresUrl(location)) {
    const { PostgresStorage } = await import("./postgres");
    return PostgresStorage.connect(location, options);
  }
  return new JournalStorage(location, options);
}
