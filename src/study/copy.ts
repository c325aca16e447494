/** Copying a study between storages (journal → PostgreSQL and back), event for event. */
import { StudyError } from "./errors";
import { openStorage } from "./storage";
import type { StudyStorage } from "./types";

export interface CopyReport {
  name: string;
  /** Events copied by this call. */
  copied: number;
  /** Events the target holds for the study afterwards. */
  total: number;
}

async function resolve(storage: string | StudyStorage): Promise<{ storage: StudyStorage; owns: boolean }> {
  return typeof storage === "string" ? { storage: await openStorage(storage), owns: true } : { storage, owns: false };
}

/**
 * Copies a study (header and events, in order, unchanged) from one storage to another.
 * The target must not hold the study yet, or hold a prefix of it (an interrupted copy is
 * continued); a target whose events differ from the source's is refused with nothing written.
 *
 * @param opts.name the study (default: the only study of `from`).
 */
export async function copyStudy(from: string | StudyStorage, to: string | StudyStorage, opts: { name?: string } = {}): Promise<CopyReport> {
  const source = await resolve(from);
  try {
    const target = await resolve(to);
    try {
      const names = await source.storage.listStudies();
      const name = opts.name ?? (names.length === 1 ? names[0] : undefined);
      const header = name === undefined ? undefined : await source.storage.getStudy(name);
      if (name === undefined || header === undefined) {
        throw new StudyError(name === undefined ? "which study to copy? the source holds several (or none)" : `no study named "${name}" in the source`, {
          key: "study",
          value: name,
          allowed: names.length > 0 ? names.map((n) => `"${n}"`).join(", ") : "none: the source holds no study",
          fix: "pass the study's name",
        });
      }
      const events = await source.storage.read(name, 0);
      await target.storage.createStudy(header);
      return await target.storage.withLock(name, async () => {
        const existing = await target.storage.read(name, 0);
        for (const stored of existing) {
          const mine = events[stored.seq - 1];
          if (mine === undefined || JSON.stringify(mine.event) !== JSON.stringify(stored.event)) {
            throw new StudyError(`the target already holds study "${name}" with other events (event ${stored.seq} differs); nothing was copied`, {
              key: "study",
              value: name,
              fix: "copy into another storage or schema, or under another name",
            });
          }
        }
        const rest = events.slice(existing.length).map((e) => e.event);
        const chunk = 500;
        let total = existing.length;
        for (let i = 0; i < rest.length; i += chunk) total = await target.storage.append(name, rest.slice(i, i + chunk));
        return { name, copied: rest.length, total };
      });
    } finally {
      if (target.owns) await target.storage.close();
    }
  } finally {
    if (source.owns) await source.storage.close();
  }
}
