/**
 * Error classes of protein-sweep.
 *
 * Every error a user can reach is a `ProteinError`. Messages follow one rule:
 * name the offending key (full dotted path), the value that was given, what is
 * allowed, and how to fix it. The structured fields carry the same facts for
 * programs that want to react to them.
 */

/** Facts attached to an error, also rendered into its message. */
export interface ErrorDetails {
  /** Full dotted path of the offending key, e.g. `sweep.parameters.trainer.lr.min`. */
  readonly key?: string;
  /** The value that was given (any JSON-like value). */
  readonly value?: unknown;
  /** What would have been accepted. */
  readonly allowed?: string;
  /** What the user should change. */
  readonly fix?: string;
}

/** Renders a value for an error message: short, unambiguous, never throws. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
    return String(value);
  }
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return "a function";
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return String(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return String(value);
  }
}

function compose(summary: string, details: ErrorDetails): string {
  const parts = [summary];
  if (details.key !== undefined) parts.push(`key: ${details.key}`);
  if ("value" in details) parts.push(`got: ${describeValue(details.value)}`);
  if (details.allowed !== undefined) parts.push(`allowed: ${details.allowed}`);
  if (details.fix !== undefined) parts.push(`fix: ${details.fix}`);
  return parts.join("\n  ");
}

/** Root of every error protein-sweep throws on purpose. */
export class ProteinError extends Error {
  readonly key?: string;
  readonly value?: unknown;
  readonly allowed?: string;
  readonly fix?: string;

  constructor(summary: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(compose(summary, details), options);
    this.name = new.target.name;
    this.key = details.key;
    if ("value" in details) this.value = details.value;
    this.allowed = details.allowed;
    this.fix = details.fix;
  }
}

/** One problem found while validating a sweep config. */
export interface ConfigIssue extends ErrorDetails {
  readonly message: string;
}

/**
 * A sweep config that cannot be used. When several problems were found at once,
 * `issues` lists all of them and the message shows each.
 */
export class ConfigError extends ProteinError {
  readonly issues: readonly ConfigIssue[];

  constructor(summary: string, details: ErrorDetails = {}, issues?: readonly ConfigIssue[]) {
    const all = issues && issues.length > 0 ? issues : [{ message: summary, ...details }];
    if (all.length === 1) {
      super(all[0].message, all[0]);
    } else {
      super(
        `${summary} (${all.length} problems)\n` +
          all.map((issue, i) => `${i + 1}. ${compose(issue.message, issue).replace(/\n/g, "\n   ")}`).join("\n"),
        {},
      );
    }
    this.issues = all;
  }
}

/** An observation (or a file of them) that cannot be recorded. Nothing was recorded. */
export class ObservationError extends ProteinError {
  /** 1-based line number when the observation came from a JSON-lines file. */
  readonly line?: number;

  constructor(summary: string, details: ErrorDetails & { line?: number } = {}) {
    super(details.line !== undefined ? `line ${details.line}: ${summary}` : summary, details);
    this.line = details.line;
  }
}

/** A numerical failure the library could not recover from (e.g. Cholesky past the jitter cap). */
export class NumericalError extends ProteinError {}

/**
 * Edit distance between two short strings (insertions, deletions, substitutions and
 * swaps of neighbours each count 1), giving up above `limit`. Linear memory, and
 * O(|a|·|b|) time on strings of at most 64 characters (longer ones never match).
 */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit || a.length > 64 || b.length > 64) return limit + 1;
  let prevPrev = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prevPrev[j - 2] + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > limit) return limit + 1;
    [prevPrev, prev, cur] = [prev, cur, prevPrev];
  }
  return prev[b.length];
}

/**
 * The candidate a mistyped name most likely meant, or undefined: the closest one within
 * an edit distance of 1 (names up to 4 characters), 2 (up to 8) or 3 (longer). Case,
 * `-`/`_` and camelCase versus snake_case differences count as equal.
 *
 * @example
 * didYouMean("scael", ["min", "max", "scale"]); // "scale"
 */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const fold = (s: string) => s.replace(/[-_]/g, "").toLowerCase();
  const target = fold(name);
  const limit = target.length <= 4 ? 1 : target.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const d = editDistance(target, fold(candidate), limit);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** `did you mean "x"? ` when a suggestion exists, else "" (for the start of a fix text). */
export function didYouMeanText(name: string, candidates: Iterable<string>): string {
  const guess = didYouMean(name, candidates);
  return guess === undefined ? "" : `did you mean "${guess}"? `;
}
