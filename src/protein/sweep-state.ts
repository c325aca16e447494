/**
 * Sweep state: the records of this sweep and of earlier phases, the suggestions in flight,
 * and the counters that number suggestions and ids. Matching a result to the pending
 * suggestion it came from happens here. Knows nothing of models or candidates.
 */
import type { Observation } from "../observations/record";
import type { NestedParams } from "../space/search-space";
import { DUPLICATE_DISTANCE } from "../model-data";

/** A suggestion made and not yet observed or abandoned. */
export interface PendingSuggestion {
  id: string;
  /** Its normalized row under the current space. */
  x: Float64Array;
  params: NestedParams;
}

export class SweepState {
  readonly records: Observation[] = [];
  readonly priorRecords: Observation[] = [];
  readonly pending = new Map<string, PendingSuggestion>();
  /** Suggestions made so far (the 1-based index of the last one). */
  suggestionIndex = 0;
  /** Last number used in a suggestion id (`s<n>`). */
  idCounter = 0;

  /** The id of the next suggestion. */
  nextId(): string {
    return `s${++this.idCounter}`;
  }

  /**
   * Removes the pending suggestion an observation completes: the one named by `id`, else
   * the nearest within DUPLICATE_DISTANCE of its row (the last such in insertion order on ties).
   */
  completePending(x: Float64Array, id: string | undefined): string | undefined {
    if (id !== undefined && this.pending.delete(id)) return id;
    let best: string | undefined;
    let bestDistance = DUPLICATE_DISTANCE;
    for (const p of this.pending.values()) {
      let d2 = 0;
      for (let j = 0; j < x.length; j++) d2 += (x[j] - p.x[j]) ** 2;
      const dist = Math.sqrt(d2);
      if (dist <= bestDistance) {
        bestDistance = dist;
        best = p.id;
      }
    }
    if (best !== undefined) this.pending.delete(best);
    return best;
  }

  /** Drops a pending suggestion. Returns whether it was pending. */
  abandon(id: string): boolean {
    return this.pending.delete(id);
  }

  /** All observations in chronological order: prior phases first. */
  allRecords(): Observation[] {
    return [...this.priorRecords, ...this.records];
  }

  /** Successful observations (finite score), chronological. */
  successRecords(): Observation[] {
    return this.allRecords().filter((r) => !r.isFailure && r.score !== null);
  }

  /** Failed observations, chronological. */
  failureRecords(): Observation[] {
    return this.allRecords().filter((r) => r.isFailure || r.score === null);
  }
}
