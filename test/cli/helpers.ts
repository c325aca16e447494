/** Running the real `protein-sweep` CLI (through tsx) as a child process. */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../runner/helpers";

export const BIN = join(ROOT, "src", "cli", "bin.ts");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI; the caller waits on `result`. */
export function startCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): { child: ChildProcess; result: Promise<CliResult> } {
  const child = spawn(process.execPath, ["--import", "tsx", BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env, FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const result = new Promise<CliResult>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, result };
}

export function cli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return startCli(args, options).result;
}

/** Polls until `check` holds (or throws after `ms`). */
export async function until(check: () => boolean, ms = 20000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Runs a subcommand in this process (the same `main` the executable calls), capturing its
 * output: for the quick record subcommands, where starting a process adds nothing to the test.
 */
export async function cliInProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import("../../src/cli/main");
  let stdout = "";
  let stderr = "";
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  const before = process.exitCode;
  process.exitCode = 0;
  try {
    await main([process.execPath, "protein-sweep", ...args]);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = before;
  return { code, stdout, stderr };
}
