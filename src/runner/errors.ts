/**
 * The runner's error class, and the "did you mean" helper its messages use.
 */
import { ProteinError } from "../errors";

/** A sweep that cannot be launched or continued (a missing command, an output dir in use, a bad journal). */
export class RunnerError extends ProteinError {}

/** Edit distance (Levenshtein) of two short strings. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The closest known name to a misspelt one, when it is close enough to be a likely typo. */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** ` (did you mean "x"?)` or nothing. */
export function didYouMean(name: string, known: readonly string[]): string {
  const guess = closest(name, known);
  return guess === undefined ? "" : ` (did you mean "${guess}"?)`;
}
