import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseIni } from "../../src/config/ini";
import { ConfigError } from "../../src/errors";
import { parseSweepDocument } from "../../src/runner/sweep-file";

const params = { x: { distribution: "uniform", min: 0, max: 1 }, opt: { values: ["adam", "sgd"] } };

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("run block", () => {
  it("an unknown key names run.<key>, the known keys and the closest one", () => {
    const e = errorOf(() => parseSweepDocument({ metric: "score", parameters: params, run: { max_trails: 5, command: "node t.js" } }));
    expect(e.message).toContain('unknown key in the run block (did you mean "max_trials"?)');
    expect(e.message).toContain("key: run.max_trails");
    expect(e.message).toContain("allowed: command, program");
    expect(e.message).toContain("fix: rename or remove run.max_trails");
  });

  it("a device list that is not a list of integers is refused with the key and the fix", () => {
    const e = errorOf(() => parseSweepDocument({ metric: "score", parameters: params, run: { devices: ["a", 1] } }));
    expect(e.message).toContain("devices is invalid");
    expect(e.message).toContain("key: run.devices");
    expect(e.message).toContain('got: ["a",1]');
    expect(e.message).toContain("a list of integer device ids");
    const single = errorOf(() => parseSweepDocument({ metric: "score", parameters: params, run: { devices: 0 } }));
    expect(single.message).toContain("key: run.devices");
  });

  it("reads W&B's own keys: program → default command, run_cap, method bayes, early_terminate hyperband", () => {
    const f = parseSweepDocument({
      program: "train.py",
      method: "bayes",
      run_cap: 7,
      metric: { name: "loss", goal: "minimize" },
      parameters: params,
      early_terminate: { type: "hyperband", min_iter: 3, eta: 3 },
    });
    expect(f.run.command).toEqual(["${env}", "${interpreter}", "${program}", "${args}"]);
    expect(f.run.overrides).toBe("none");
    expect(f.run.program).toBe("train.py");
    expect(f.run.maxTrials).toBe(7);
    expect(f.run.method).toBe("protein");
    expect(f.run.earlyStop).toBe("hyperband");
    expect(f.run.hyperband?.bands.slice(0, 3)).toEqual([3, 9, 27]);
    // The run block wins over the W&B key.
    expect(parseSweepDocument({ program: "t.py", run_cap: 7, metric: "m", parameters: params, run: { max_trials: 2 } }).run.maxTrials).toBe(2);
  });

  it("W&B max_iter + s bands, and the run block does not leak into the parameters", () => {
    const f = parseSweepDocument({ metric: "m", parameters: params, early_terminate: { type: "hyperband", max_iter: 27, s: 2, eta: 3 }, run: { command: ["node", "t.js"], max_concurrent: 2 } });
    expect(f.run.hyperband?.bands).toEqual([3, 9]);
    expect(f.config.parameters.map((p) => p.key)).toEqual(["x", "opt"]);
    expect(f.run.maxConcurrent).toBe(2);
  });

  it("a Metta file passes its fixed trainer block and defaults to Hydra-style overrides", () => {
    const f = parseSweepDocument({ sweep: { metric: "reward", goal: "maximize", parameters: { "trainer.lr": { distribution: "log_normal", min: 1e-4, max: 1e-2 } }, trainer: { total_timesteps: 2048 } }, run: { command: "python train.py" } });
    expect(f.run.overrides).toBe("hydra");
    expect([...f.fixed]).toEqual([["trainer.total_timesteps", 2048]]);
  });

  it("durations, repeats/seeds, cost sources, constraints and gates are resolved", () => {
    const f = parseSweepDocument({
      metric: "score",
      parameters: params,
      run: { timeout: "2m", max_time: "1h", repeats: 3, cost: { metric: "tokens" }, constraints: ["opt=adam -> x=0.0"], gates: ["mass_err < 0.01"] },
    });
    expect(f.run.timeout).toBe(120);
    expect(f.run.maxTime).toBe(3600);
    expect(f.run.seeds).toEqual([0, 1, 2]);
    expect(f.run.cost).toEqual({ kind: "metric", name: "tokens" });
    expect(f.run.constraints[0]).toMatchObject({ when: [{ key: "opt", op: "=", value: "adam" }], then: [{ key: "x", value: 0 }] });
    expect(f.run.gates[0]).toMatchObject({ metric: "mass_err", op: "<", value: 0.01 });
  });

  it("a grid over a continuous parameter is refused, naming the parameter and the fix", () => {
    const e = errorOf(() => parseSweepDocument({ metric: "score", parameters: params, run: { method: "grid" } }));
    expect(e.message).toContain("a grid needs a list of values for every parameter");
    expect(e.message).toContain("key: parameters.x");
    expect(e.message).toContain('got: "uniform"');
    expect(e.message).toContain("list the values to try, e.g. values: [0, 1]");
  });

  it("constraints naming unknown keys, malformed constraints and gates are refused", () => {
    const e = errorOf(() => parseSweepDocument({ metric: "score", parameters: params, run: { constraints: ["opts=adam -> x=0"] } }));
    expect(e.message).toContain('constraint names a key the sweep does not have (did you mean "opt"?)');
    expect(e.message).toContain("key: run.constraints[0]");
    const bad = errorOf(() => parseSweepDocument({ metric: "score", parameters: params, run: { constraints: ["opt=adam"], gates: ["loss small"] } }));
    expect(bad.message).toContain("a constraint needs one `->`");
    expect(bad.message).toContain("a gate must compare a metric with a number");
    expect(bad.message).toContain("key: run.gates[0]");
  });

  it("an unknown method is refused with the choices", () => {
    const e = errorOf(() => parseSweepDocument({ metric: "score", parameters: params, run: { method: "randum" } }));
    expect(e.message).toContain('unknown method (did you mean "random"?)');
    expect(e.message).toContain("allowed: protein (default; W&B bayes), random, grid");
  });

  it("a PufferLib INI file takes a [run] section; its settings and parameters are read as before", () => {
    const text = readFileSync(join(__dirname, "..", "fixtures", "configs", "pufferlib-default.ini"), "utf8");
    const f = parseSweepDocument(parseIni(`${text}\n[run]\ncommand = python train.py --env puffer_breakout\nmax_trials = 20\noverrides = args\ntimeout = 30m\ndevices = 0, 1\n`));
    expect(f.run.devices).toEqual([0, 1]);
    expect(f.run.command).toEqual(["python", "train.py", "--env", "puffer_breakout"]);
    expect(f.run.maxTrials).toBe(20);
    expect(f.run.timeout).toBe(1800);
    expect(f.run.overrides).toBe("args");
    expect(f.config.parameters.map((p) => p.key)).toContain("train.total_timesteps");
    expect(f.config.settings.earlyStopQuantile).toBe(0.3);
  });
});
