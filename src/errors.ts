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
