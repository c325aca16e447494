/**
 * Shared pieces of the study benchmarks (bench/study-scale.ts, study-faults.ts,
 * study-throughput.ts): where a study lives for a run, and small statistics.
 * PostgreSQL runs use a schema of their own (ps_bench_<pid>_<time>), dropped at the end.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export const PG_BASE = process.env.PROTEIN_SWEEP_BENCH_PG ?? "postgres://postgres@127.0.0.1:5432/test";

export interface BenchLocation {
  location: string;
  cleanup(): Promise<void>;
}

export function journalLocation(): BenchLocation {
  const dir = mkdtempSync(join(tmpdir(), "ps-bench-"));
  return { location: join(dir, "journal.jsonl"), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

let k = 0;
export function postgresLocation(base = PG_BASE): BenchLocation {
  const schema = `ps_bench_${process.pid}_${Date.now()}_${++k}`;
  return {
    location: `${base}?schema=${schema}`,
    cleanup: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    },
  };
}

export function locationFor(backend: string): BenchLocation {
  if (backend === "journal") return journalLocation();
  if (backend === "postgres") return postgresLocation();
  throw new Error(`--backend must be journal or postgres, got ${backend}`);
}

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

export function quantileOf(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export const fmt = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : "–");
