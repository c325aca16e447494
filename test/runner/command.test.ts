/**
 * Command building, checked by what a real child process receives: each override style,
 * each W&B macro, dotted keys, integers printed as integers, fixed settings with every run.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RunnerError } from "../../src/runner/errors";
import { buildCommand, checkExecutable, formatValue } from "../../src/runner/command";
import { RunProcess } from "../../src/runner/launch";
import type { OverrideStyle } from "../../src/runner/run-block";
import { NODE, TRAINER, readSeen, tempDir } from "./helpers";

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

const fixed = new Map<string, unknown>([["trainer.total_timesteps", 2048], ["env.game.max_steps", 32]]);
const params = { "trainer.learning_rate": 0.00125, "trainer.batch_size": 64, trainer: { optimizer: "adam" } };

async function runWith(template: string[], style: OverrideStyle, extra: { program?: string; seed?: number; jsonKeys?: "dotted" | "nested" } = {}) {
  const record = join(dir, "seen.jsonl");
  const built = buildCommand({
    template,
    style,
    jsonKeys: extra.jsonKeys ?? "dotted",
    fixed,
    params,
    ...(extra.seed !== undefined ? { seed: { key: "seed", value: extra.seed } } : {}),
    ...(extra.program !== undefined ? { program: extra.program } : {}),
    paramsFile: join(dir, "params.json"),
    resultFile: join(dir, "result.json"),
    trialId: "s1",
    cwd: dir,
  });
  writeFileSync(join(dir, "params.json"), built.json);
  const proc = new RunProcess({ argv: built.argv, env: { ...built.env, TRAINER_RECORD: record }, cwd: dir, logFile: join(dir, "log") });
  const outcome = await proc.done;
  expect(outcome.exitCode).toBe(0);
  const seen = readSeen(record).at(-1) as NonNullable<ReturnType<typeof readSeen>[number]>;
  return { built, seen };
}

describe("override styles reach the command", () => {
  it("args: --key=value with dotted keys, fixed settings first, integers as integers", async () => {
    const { seen } = await runWith([NODE, TRAINER], "args");
    expect(seen.argv).toEqual([
      "--trainer.total_timesteps=2048",
      "--env.game.max_steps=32",
      "--trainer.learning_rate=0.00125",
      "--trainer.batch_size=64",
      "--trainer.optimizer=adam",
    ]);
  });

  it("hydra: key=value (Metta overrides), with the seed of a repeat", async () => {
    const { seen } = await runWith([NODE, TRAINER], "hydra", { seed: 3 });
    expect(seen.argv).toEqual(["trainer.total_timesteps=2048", "env.game.max_steps=32", "trainer.learning_rate=0.00125", "trainer.batch_size=64", "trainer.optimizer=adam", "seed=3"]);
    expect(seen.seed).toBe("3");
  });

  it("json: one argument holding the JSON object (dotted keys as written)", async () => {
    const { seen } = await runWith([NODE, TRAINER], "json");
    expect(seen.argv).toHaveLength(1);
    expect(JSON.parse(seen.argv[0])).toEqual({ "trainer.total_timesteps": 2048, "env.game.max_steps": 32, "trainer.learning_rate": 0.00125, "trainer.batch_size": 64, "trainer.optimizer": "adam" });
  });

  it("json_file: the path of a JSON file; nested keys on request", async () => {
    const { seen } = await runWith([NODE, TRAINER], "json_file", { jsonKeys: "nested" });
    expect(seen.argv).toEqual([join(dir, "params.json")]);
    expect(JSON.parse(readFileSync(seen.argv[0], "utf8"))).toEqual({ trainer: { total_timesteps: 2048, learning_rate: 0.00125, batch_size: 64, optimizer: "adam" }, env: { game: { max_steps: 32 } } });
  });

  it("env: nothing on the command line, the JSON in PROTEIN_SWEEP_PARAMS", async () => {
    const { seen } = await runWith([NODE, TRAINER], "env");
    expect(seen.argv).toEqual([]);
    expect(JSON.parse(seen.envParams)["trainer.batch_size"]).toBe(64);
    expect(seen.params["trainer.learning_rate"]).toBe(0.00125);
  });
});

describe("W&B command macros", () => {
  it("${env} ${interpreter} ${program} ${args} expand like wandb agent does", async () => {
    const { built, seen } = await runWith(["${env}", "${interpreter}", "${program}", "${args}"], "none", { program: TRAINER });
    expect(built.argv.slice(0, 3)).toEqual(["/usr/bin/env", NODE, TRAINER]);
    expect(seen.argv).toContain("--trainer.learning_rate=0.00125");
  });

  it("${args_no_hyphens}, ${args_json}, ${args_json_file}, and a macro inside a token", async () => {
    const a = await runWith([NODE, "${program}", "${args_no_hyphens}"], "none", { program: TRAINER });
    expect(a.seen.argv).toContain("trainer.batch_size=64");
    expect(a.seen.argv.some((x) => x.startsWith("--"))).toBe(false);
    const b = await runWith([NODE, TRAINER, "${args_json}"], "none");
    expect(JSON.parse(b.seen.argv[0])["trainer.optimizer"]).toBe("adam");
    const c = await runWith([NODE, TRAINER, "${args_json_file}"], "none");
    expect(c.seen.argv).toEqual([join(dir, "params.json")]);
    const d = await runWith([NODE, TRAINER, "--config=${args_json_file}"], "none");
    expect(d.seen.argv).toEqual([`--config=${join(dir, "params.json")}`]);
  });

  it("an unknown macro is refused with the list and the closest name", () => {
    expect(() => buildCommand({ template: ["x", "${arg}"], style: "none", jsonKeys: "dotted", fixed: new Map(), params: {}, paramsFile: "p", resultFile: "r", trialId: "t", cwd: dir })).toThrow(
      /unknown command macro \$\{arg\} \(did you mean "args"\?\)[\s\S]*allowed: \$\{env\}, \$\{interpreter\}/,
    );
  });
});

describe("checks before any run starts", () => {
  it("a command that does not exist is a RunnerError naming it and the fix", () => {
    const error = (() => {
      try {
        checkExecutable(["trainnn.py", "--x"], dir);
      } catch (e) {
        return e as RunnerError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(RunnerError);
    expect(error?.message).toContain('the command "trainnn.py" does not exist');
    expect(error?.message).toContain("key: run.command");
    expect(error?.message).toContain("fix: install it, fix the spelling, or give its full path");
    writeFileSync(join(dir, "train.py"), "print(1)\n");
    expect(() => checkExecutable(["train.py"], dir)).toThrow(/write \.\/train\.py .*or add an interpreter: \[python, train\.py\]/);
    expect(() => checkExecutable([NODE, TRAINER], dir)).not.toThrow();
  });

  it("values print as a shell user writes them", () => {
    expect(formatValue(64)).toBe("64");
    expect(formatValue(1e8)).toBe("100000000");
    expect(formatValue(3e-4)).toBe("0.0003");
    expect(formatValue(true)).toBe("true");
    expect(formatValue("adam")).toBe("adam");
  });
});
