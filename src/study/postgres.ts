/**
 * The PostgreSQL backend: many studies per database, workers on many machines.
 *
 * Tables live in one schema (default `protein_sweep`; `?schema=NAME` in the URL or the
 * `schema` option), created on first use under a database-wide advisory lock:
 * - `schema_version(version)`: the layout in force (1); a newer one is refused;
 * - `studies(name, header, last_seq)`: one row per study;
 * - `events(study, seq, body, batch)`: the trial events, seq gap-free per study — an append
 *   locks its study's row (`FOR UPDATE`), numbers its events after `last_seq` and commits
 *   them with the new `last_seq` in one transaction.
 * Header and bodies are stored as `json` (the text as written, so a copy from a journal is
 * bit-for-bit and a config keeps its parameter order), queryable with `->`/`->>`.
 *
 * The study lock is `pg_advisory_xact_lock(hash(schema), hash(name))` held by a transaction
 * on a dedicated connection for the whole `withLock` section, the write lock the same with
 * the key `schema:write`; the server drops them when that connection dies (a killed worker
 * never blocks the study).
 *
 * Lost connections (server restart, network) are retried with exponential backoff up to
 * `retryForMs`. An append whose commit outcome is unknown is looked up by its batch id
 * before it is retried, so it is never recorded twice.
 *
 * `pg` is loaded here only, by dynamic import: the package root never pulls it.
 */
import { hostname } from "node:os";
import type { Pool, PoolClient } from "pg";
import { createRng, type Rng } from "../random";
import { StudyConflictError, StudyError } from "./errors";
import { diffHeaders, headerMismatch } from "./compare";
import { parseEvent, parseHeader } from "./schema";
import type { StoredEvent, StudyHeader, StudyStorage, TrialEvent } from "./types";

/** The table layout this version writes and reads. */
export const SCHEMA_VERSION = 1;
export const DEFAULT_SCHEMA = "protein_sweep";

export interface PostgresOptions {
  /** Schema holding the tables (created if missing). Overrides `?schema=` of the URL. */
  schema?: string;
  /** How long to keep retrying a lost connection before giving up. @default 60000 */
  retryForMs?: number;
  /** Connections of the pool. @default 4 */
  maxConnections?: number;
}

/** SQLSTATE classes and codes, and socket errors, that mean "the connection or the server went away". */
const CONNECTION_CODES = new Set(["57P01", "57P02", "57P03", "53300", "ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

function isConnectionError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (e === null || typeof e !== "object") return false;
  const code = typeof e.code === "string" ? e.code : "";
  if (CONNECTION_CODES.has(code) || code.startsWith("08")) return true;
  const message = typeof e.message === "string" ? e.message : "";
  return /Connection terminated|connection error|Client was closed|server closed the connection|not queryable|terminating connection/i.test(message);
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

let batchCounter = 0;

export class PostgresStorage implements StudyStorage {
  readonly schema: string;
  /** The URL without credentials, for messages. */
  readonly where: string;
  private readonly pool: Pool;
  private readonly retryForMs: number;
  private readonly q: string;
  private ready: Promise<void> | undefined;
  /** In-process queue per study, so local callers never hold several pool connections waiting on one lock. */
  private readonly localLocks = new Map<string, Promise<void>>();
  private readonly jitter: Rng = createRng(process.pid);
  private readonly guarded = new WeakSet<PoolClient>();
  private closed = false;

  private constructor(pool: Pool, schema: string, where: string, retryForMs: number) {
    this.pool = pool;
    this.schema = schema;
    this.q = quoteIdent(schema);
    this.where = where;
    this.retryForMs = retryForMs;
  }

  /** Opens a pool for `url` (postgres://user@host:port/db?schema=NAME); no query is made until first use. */
  static async connect(url: string, options: PostgresOptions = {}): Promise<PostgresStorage> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new StudyError("not a PostgreSQL URL", { key: "storage", value: url, allowed: "postgres://USER@HOST:PORT/DATABASE[?schema=NAME]", fix: "check the URL's spelling" });
    }
    const schema = options.schema ?? parsed.searchParams.get("schema") ?? DEFAULT_SCHEMA;
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
      throw new StudyError("the schema name is not a plain SQL identifier", {
        key: "schema",
        value: schema,
        allowed: "letters, digits and _ (not first), at most 63 characters",
        fix: "pass e.g. ?schema=sweeps",
      });
    }
    parsed.searchParams.delete("schema");
    const { default: pg } = await import("pg");
    const pool = new pg.Pool({ connectionString: parsed.toString(), max: options.maxConnections ?? 4, connectionTimeoutMillis: 10_000 });
    // An idle connection that dies (server restart) must not crash the process; the next query reconnects.
    pool.on("error", () => undefined);
    const shown = new URL(parsed.toString());
    shown.password = "";
    return new PostgresStorage(pool, schema, `${shown.toString()} (schema ${schema})`, options.retryForMs ?? 60_000);
  }

  // ---------------------------------------------------------------- plumbing

  /** Runs `op`, retrying lost connections with exponential backoff. */
  private async retrying<T>(what: string, op: (attempt: number) => Promise<T>): Promise<T> {
    const start = Date.now();
    let delay = 50;
    for (let attempt = 1; ; attempt++) {
      try {
        return await op(attempt);
      } catch (error) {
        if (!isConnectionError(error) || this.closed) throw error;
        if (Date.now() - start > this.retryForMs) {
          throw new StudyError(`PostgreSQL unreachable while trying to ${what} (retried for ${Math.round((Date.now() - start) / 1000)} s)`, {
            key: "storage",
            value: this.where,
            fix: "check that the server is running and reachable; workers retry for retryForMs before giving up",
          });
        }
        await sleep(delay * (0.5 + this.jitter.random()));
        delay = Math.min(delay * 2, 2_000);
      }
    }
  }

  private async transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: unknown;
    const onError = (error: unknown): void => {
      broken = error;
    };
    client.on("error", onError);
    try {
      await client.query("BEGIN");
      const result = await fn(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      broken ??= isConnectionError(error) ? error : undefined;
      if (broken === undefined) await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.off("error", onError);
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  /** Creates the schema and tables on first use; checks the version. */
  private ensure(): Promise<void> {
    this.ready ??= this.retrying("create the schema", () =>
      this.transaction(async (c) => {
        // One creator at a time per database (CREATE ... IF NOT EXISTS races otherwise).
        await c.query("SELECT pg_advisory_xact_lock(hashtext('protein-sweep schema'))");
        await c.query(`CREATE SCHEMA IF NOT EXISTS ${this.q}`);
        await c.query(`CREATE TABLE IF NOT EXISTS ${this.q}.schema_version (version integer NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
        const { rows } = await c.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${this.q}.schema_version`);
        const version = rows[0]?.v ?? null;
        if (version === null) {
          await c.query(`CREATE TABLE ${this.q}.studies (
            name text PRIMARY KEY,
            header json NOT NULL,
            last_seq bigint NOT NULL DEFAULT 0,
            created_at timestamptz NOT NULL DEFAULT now())`);
          await c.query(`CREATE TABLE ${this.q}.events (
            study text NOT NULL REFERENCES ${this.q}.studies(name) ON DELETE CASCADE,
            seq bigint NOT NULL,
            body json NOT NULL,
            batch text,
            written_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (study, seq))`);
          // One `created` event per trial: a worker that lost the study lock (server restart) cannot add a second.
          await c.query(`CREATE UNIQUE INDEX events_created_trial ON ${this.q}.events (study, (body ->> 'trial')) WHERE (body ->> 'e') = 'created'`);
          await c.query(`INSERT INTO ${this.q}.schema_version (version) VALUES ($1)`, [SCHEMA_VERSION]);
        } else if (version > SCHEMA_VERSION) {
          throw new StudyError(`the schema ${this.schema} has table layout version ${version}; this protein-sweep reads version ${SCHEMA_VERSION}`, {
            key: "schema_version",
            value: version,
            allowed: String(SCHEMA_VERSION),
            fix: "upgrade protein-sweep on this worker (every worker of a database must run a version that knows its layout)",
          });
        }
      }),
    ).catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private noStudy(name: string): StudyError {
    return new StudyError(`no study named "${name}" in ${this.where}`, {
      key: "study",
      value: name,
      fix: "create it first (Study.create, or protein-sweep run with --storage), or check the name",
    });
  }

  // ---------------------------------------------------------------- StudyStorage

  async createStudy(header: StudyHeader): Promise<StudyHeader> {
    const given = parseHeader(JSON.parse(JSON.stringify(header)), "the new study's header");
    await this.ensure();
    const stored = await this.retrying("create a study", () =>
      this.transaction(async (c) => {
        const inserted = await c.query<{ header: unknown }>(
          `INSERT INTO ${this.q}.studies (name, header) VALUES ($1, $2::json) ON CONFLICT (name) DO NOTHING RETURNING header`,
          [given.name, JSON.stringify(given)],
        );
        if (inserted.rows.length > 0) return inserted.rows[0].header;
        const existing = await c.query<{ header: unknown }>(`SELECT header FROM ${this.q}.studies WHERE name = $1`, [given.name]);
        return existing.rows[0].header;
      }),
    );
    const header0 = parseHeader(stored, `study "${given.name}" header`);
    const differences = diffHeaders(header0, given);
    if (differences.length > 0) throw headerMismatch(given.name, differences);
    return header0;
  }

  async getStudy(name: string): Promise<StudyHeader | undefined> {
    await this.ensure();
    const { rows } = await this.retrying("read a study", () => this.pool.query<{ header: unknown }>(`SELECT header FROM ${this.q}.studies WHERE name = $1`, [name]));
    return rows.length === 0 ? undefined : parseHeader(rows[0].header, `study "${name}" header`);
  }

  async listStudies(): Promise<string[]> {
    await this.ensure();
    const { rows } = await this.retrying("list the studies", () => this.pool.query<{ name: string }>(`SELECT name FROM ${this.q}.studies ORDER BY created_at, name`));
    return rows.map((r) => r.name);
  }

  async append(name: string, events: readonly TrialEvent[]): Promise<number> {
    const bodies = events.map((e, i) => {
      const text = JSON.stringify(e);
      parseEvent(JSON.parse(text), `event ${i + 1} to append`);
      return text;
    });
    await this.ensure();
    const batch = `${hostname()}:${process.pid}:${Date.now()}:${++batchCounter}`;
    return this.retrying("append events", async (attempt) => {
      if (attempt > 1) {
        // The previous try may have committed before its connection died.
        const { rows } = await this.pool.query<{ s: string | null }>(`SELECT max(seq)::text AS s FROM ${this.q}.events WHERE study = $1 AND batch = $2`, [name, batch]);
        if (rows[0]?.s != null) return Number(rows[0].s);
      }
      return this.transaction(async (c) => {
        const { rows } = await c.query<{ last: string }>(`SELECT last_seq::text AS last FROM ${this.q}.studies WHERE name = $1 FOR UPDATE`, [name]);
        if (rows.length === 0) throw this.noStudy(name);
        const last = Number(rows[0].last);
        if (bodies.length === 0) return last;
        try {
          await c.query(
            `INSERT INTO ${this.q}.events (study, seq, body, batch)
             SELECT $1, $2::bigint + u.ord, u.body::json, $4 FROM unnest($3::text[]) WITH ORDINALITY AS u(body, ord)`,
            [name, last, bodies, batch],
          );
        } catch (error) {
          const e = error as { code?: string; constraint?: string; detail?: string };
          if (e.code === "23505" && e.constraint === "events_created_trial") {
            throw new StudyConflictError(`study "${name}": a trial of this append was already created by another worker (${e.detail ?? "duplicate trial id"}); nothing was written`, {
              key: "trial",
              fix: "ask() again: it rereads the study (this happens when the study lock was lost, e.g. the server restarted)",
            });
          }
          throw error;
        }
        await c.query(`UPDATE ${this.q}.studies SET last_seq = $2 WHERE name = $1`, [name, last + bodies.length]);
        return last + bodies.length;
      });
    });
  }

  async read(name: string, after: number): Promise<StoredEvent[]> {
    await this.ensure();
    const { rows } = await this.retrying("read events", () =>
      this.pool.query<{ seq: string; body: unknown }>(`SELECT seq::text AS seq, body FROM ${this.q}.events WHERE study = $1 AND seq > $2 ORDER BY events.seq`, [name, after]),
    );
    return rows.map((r) => {
      const seq = Number(r.seq);
      return { seq, event: parseEvent(r.body, `study "${name}" event ${seq}`) };
    });
  }

  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.advisory("study", name, fn);
  }

  async withWriteLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.advisory("write", name, fn);
  }

  /** Holds pg_advisory_xact_lock(hash(schema[:write]), hash(name)) on a dedicated connection while fn runs. */
  private async advisory<T>(kind: "study" | "write", name: string, fn: () => Promise<T>): Promise<T> {
    await this.ensure();
    // Local callers queue here first: each waits for the previous one in this process.
    const queueKey = `${kind}\u0000${name}`;
    const previous = this.localLocks.get(queueKey) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const tail = previous.then(() => mine);
    this.localLocks.set(queueKey, tail);
    await previous;
    try {
      const client = await this.retrying(`take the study's ${kind} lock`, async () => {
        const c = await this.pool.connect();
        if (!this.guarded.has(c)) {
          // A held connection that dies must not crash the process; its lock dies with it.
          c.on("error", () => undefined);
          this.guarded.add(c);
        }
        try {
          await c.query("BEGIN");
          await c.query("SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))", [kind === "study" ? this.schema : `${this.schema}:write`, name]);
          return c;
        } catch (error) {
          c.release(error instanceof Error ? error : true);
          throw error;
        }
      });
      try {
        return await fn();
      } finally {
        try {
          await client.query("COMMIT");
          client.release();
        } catch (error) {
          // The connection died while held: the server already released the lock with it.
          client.release(error instanceof Error ? error : true);
        }
      }
    } finally {
      done();
      if (this.localLocks.get(queueKey) === tail) this.localLocks.delete(queueKey);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
