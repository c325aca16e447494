/** Shared pieces of the runner tests: the fixture trainer, temp dirs, and reading what each run saw. */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const TRAINER = join(ROOT, "test", "runner", "fixtures", "trainer.mjs");
export const NODE = process.execPath;

/** A fresh directory, removed by the returned cleanup. */
export function tempDir(prefix = "protein-sweep-runner-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Seen {
  argv: string[];
  params: Record<string, string | number | boolean>;
  cuda: string | null;
  seed: string | null;
  trial: string;
  envParams: string;
  pid: number;
  start: number;
}

/** What each trainer run recorded (one JSON line per run, in launch order). */
export function readSeen(path: string): Seen[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Seen);
}

/** True while a process exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Live (not zombie) processes of a process group, from /proc. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid pgrp ...
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(rest[2]) === pgid && rest[0] !== "Z") members.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

/** Waits until a process group has no live member (up to `ms`); returns whether it emptied. */
export async function groupEmpties(pgid: number, ms = 3000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (groupMembers(pgid).length === 0) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return groupMembers(pgid).length === 0;
}
