/**
 * Issue 9 (hardening), config side: each `describe` is one line of the "Why",
 * each test a reproduction that failed before the fix.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, didYouMean } from "../../src/errors";
import { CONFIG_LIMITS, loadSweepConfig, parseIni, parseSweepConfig } from "../../src/config";
import { assertBayesianMethod } from "../../src/config/parse";
import { Protein } from "../../src/protein";
import { SearchSpace } from "../../src/space";

const fixtures = join(__dirname, "..", "fixtures", "configs");
const lr = { distribution: "log_normal", min: 1e-5, max: 1e-2, mean: 1e-3, scale: "auto" };

/** The ConfigError a call throws (fails the test when it throws anything else or nothing). */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError, but nothing was thrown");
}

function prototypeIsClean(): void {
  const probe: Record<string, unknown> = {};
  expect(probe.isAdmin).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain("isAdmin");
}

describe("prototype pollution from a config file", () => {
  afterEach(() => {
    // Whatever a test did, a leaked property must not survive into the next one.
    delete (Object.prototype as Record<string, unknown>).isAdmin;
  });

  it("an INI section [__proto__] is refused and Object.prototype is unchanged", () => {
    const e = configError(() => parseSweepConfig("[__proto__]\nisAdmin = true\n\n[sweep]\nmetric = score\ngoal = maximize\n\n[sweep.train.lr]\ndistribution = log_normal\nmin = 1e-5\nmax = 1e-2\n"));
    expect(e.message).toContain('the key "__proto__" is not allowed');
    expect(e.message).toContain("key: [__proto__] (line 1)");
    prototypeIsClean();
  });

  it("INI sections and keys named constructor or prototype, or with such a dotted segment, are refused", () => {
    expect(() => parseIni("[sweep.constructor]\nx = 1\n")).toThrow(/"constructor" is not allowed/);
    expect(() => parseIni("[sweep]\nprototype = 1\n")).toThrow(/key: sweep\.prototype/);
    expect(() => parseIni("[a.__proto__.b]\nisAdmin = true\n")).toThrow(ConfigError);
    prototypeIsClean();
  });

  it("YAML trainer: {__proto__: {isAdmin: true}} is refused, and a later clean config gains no parameter", () => {
    const e = configError(() => parseSweepConfig(`sweep:\n  metric: m\n  goal: maximize\n  parameters:\n    lr: {distribution: log_normal, min: 0.00001, max: 0.01}\n  trainer: {__proto__: {isAdmin: true}}\n`));
    expect(e.key).toBe("sweep.trainer.__proto__");
    prototypeIsClean();
    const clean = parseSweepConfig({ sweep: { metric: "m", goal: "maximize", parameters: { lr } } });
    expect(clean.parameters.map((p) => p.key)).toEqual(["lr"]);
  });

  it("a dotted key a.__proto__.isAdmin in a block of fixed settings is refused", () => {
    const e = configError(() => parseSweepConfig(`sweep:\n  metric: m\n  goal: maximize\n  parameters:\n    lr: {distribution: log_normal, min: 0.00001, max: 0.01}\n  env:\n    a.__proto__.isAdmin: true\n`));
    expect(e.key).toBe("sweep.env.a.__proto__.isAdmin");
    expect(e.fix).toContain('rename or remove "__proto__"');
    prototypeIsClean();
  });

  it("an object config with an own __proto__ / constructor / prototype key is refused (JSON.parse makes such keys)", () => {
    const viaJson = JSON.parse('{"sweep":{"metric":"m","goal":"maximize","parameters":{"lr":{"distribution":"log_normal","min":0.00001,"max":0.01}},"env":{"__proto__":{"isAdmin":true}}}}') as object;
    expect(() => parseSweepConfig(viaJson)).toThrow(/key: sweep\.env\.__proto__/);
    expect(() => parseSweepConfig({ sweep: { metric: "m", goal: "maximize", parameters: { constructor: lr } } })).toThrow(/key: sweep\.parameters\.constructor/);
    expect(() => parseSweepConfig({ metric: "m", goal: "maximize", train: { prototype: { x: lr } } })).toThrow(/key: train\.prototype/);
    prototypeIsClean();
  });

  it("the space refuses parameter keys with such segments, and check/toVector/nest treat such params keys as unknown data", () => {
    expect(() => new SearchSpace([{ key: "a.__proto__.isAdmin", spec: { distribution: "uniform", min: 0, max: 1, scale: 0.5 } }])).toThrow(ConfigError);
    const space = SearchSpace.fromConfig(parseSweepConfig({ sweep: { metric: "m", goal: "maximize", parameters: { train: { lr } } } }));
    const hostile = JSON.parse('{"train":{"lr":0.001},"__proto__":{"isAdmin":true},"constructor":{"prototype":{"isAdmin":true}}}') as Record<string, unknown>;
    const problems = space.check(hostile);
    expect(problems.map((p) => p.kind)).toEqual(["unknown", "unknown"]);
    expect(problems.map((p) => p.key)).toEqual(["__proto__.isAdmin", "constructor.prototype.isAdmin"]);
    expect(() => space.toVector(hostile)).toThrow(/params has a key the search space does not know: "__proto__\.isAdmin"/);
    const nested = space.nest(new Map<string, unknown>([["train.lr", 0.001], ["__proto__", { isAdmin: true }]]), "nested");
    expect(nested).toEqual({ train: { lr: 0.001 } });
    prototypeIsClean();
  });
});

describe("silent acceptance of mistakes", () => {
  it("a distrbution typo in Metta YAML is an error with a suggestion (it gave 0 parameters)", () => {
    const e = configError(() => parseSweepConfig(`sweep:\n  metric: m\n  goal: maximize\n  parameters:\n    lr:\n      distrbution: log_normal\n      min: 0.00001\n      max: 0.01\n`));
    expect(e.message).toContain('unknown key "distrbution" in a parameter block');
    expect(e.key).toBe("sweep.parameters.lr.distrbution");
    expect(e.fix).toContain('did you mean "distribution"?');
  });

  it("the same typo in PufferLib YAML is an error instead of a fixed setting", () => {
    const e = configError(() => parseSweepConfig(`metric: score\ngoal: maximize\ntrain:\n  learning_rate:\n    distrbution: log_normal\n    min: 0.00001\n    max: 0.1\n    scale: auto\n  seed: 3\n`));
    expect(e.key).toBe("train.learning_rate.distrbution");
    expect(e.fix).toContain('did you mean "distribution"?');
    // a block with two of min/max/mean/scale but no distribution is no fixed setting either
    expect(() => parseSweepConfig({ metric: "s", goal: "maximize", train: { lr, clip: { mean: 0.2, scale: "auto" } } })).toThrow(/parameter block has no distribution[\s\S]*key: train\.clip/);
  });

  it("{x: 5} and {x: {mean: 1}} as parameters are errors (they gave 0 parameters)", () => {
    const plain = configError(() => parseSweepConfig({ sweep: { metric: "m", goal: "maximize", parameters: { x: 5 } } }));
    expect(plain.key).toBe("sweep.parameters.x");
    expect(plain.message).toContain('parameter "x" is a plain value, not a parameter block');
    expect(plain.fix).toContain("x: { value: 5 }");
    const meanOnly = configError(() => parseSweepConfig({ sweep: { metric: "m", goal: "maximize", parameters: { x: { mean: 1 } } } }));
    expect(meanOnly.key).toBe("sweep.parameters.x");
    expect(meanOnly.message).toContain("parameter block has no distribution, no values and no min/max pair");
  });

  it("num_random_sample in the protein: block is an unknown setting with a suggestion", () => {
    const e = configError(() => parseSweepConfig({ sweep: { metric: "m", goal: "maximize", protein: { num_random_sample: 5 }, parameters: { lr } } }));
    expect(e.key).toBe("sweep.protein.num_random_sample");
    expect(e.fix).toContain('did you mean "num_random_samples"?');
  });

  it("scael in an INI parameter section is an unknown key with a suggestion", () => {
    const e = configError(() => parseSweepConfig("[sweep]\nmetric = score\ngoal = maximize\n\n[sweep.train.lr]\ndistribution = log_normal\nmin = 1e-5\nmax = 1e-2\nscael = auto\n"));
    expect(e.key).toBe("sweep.train.lr.scael");
    expect(e.fix).toContain('did you mean "scale"?');
    // a misspelt setting beside metric/goal, too
    expect(() => parseSweepConfig("[sweep]\nmetric = score\ngoal = maximize\nmax_sugestion_cost = 10\n\n[sweep.train.lr]\ndistribution = log_normal\nmin = 1e-5\nmax = 1e-2\n")).toThrow(/did you mean "max_suggestion_cost"/);
  });

  it('q: "abc" is an error instead of a step of 1, and q on a non-q distribution is refused', () => {
    const wandb = (x: object) => ({ method: "bayes", metric: { name: "loss", goal: "minimize" }, parameters: { x } });
    const e = configError(() => parseSweepConfig(wandb({ distribution: "q_uniform", min: 0, max: 1, q: "abc" })));
    expect(e.key).toBe("parameters.x.q");
    expect(e.message).toContain("q must be a positive number");
    expect(() => parseSweepConfig(wandb({ distribution: "uniform", min: 0, max: 1, q: 0.1 }))).toThrow(/q applies only to q_uniform/);
  });

  it("a cost_param that names no parameter is an error with a suggestion", () => {
    const e = configError(() => parseSweepConfig({ sweep: { metric: "m", goal: "maximize", protein: { cost_param: "trainer.total_timestep" }, parameters: { "trainer.total_timesteps": { distribution: "log_normal", min: 1e6, max: 1e8 }, lr } } }));
    expect(e.key).toBe("sweep.protein.cost_param");
    expect(e.fix).toContain('did you mean "trainer.total_timesteps"?');
    // PufferLib's slash spelling of an existing key is fine
    const ok = parseSweepConfig({ sweep: { metric: "m", goal: "maximize", protein: { cost_param: "trainer/total_timesteps" }, parameters: { "trainer.total_timesteps": { distribution: "log_normal", min: 1e6, max: 1e8 } } } });
    expect(ok.settings.costParam).toBe("trainer/total_timesteps");
  });

  it("a missing goal: an error for PufferLib, a documented default with a warning for Metta and W&B", () => {
    expect(() => parseSweepConfig({ metric: "score", train: { lr } })).toThrow(/goal is missing[\s\S]*key: goal/);
    expect(() => parseSweepConfig("[sweep]\nmetric = score\n\n[sweep.train.lr]\ndistribution = log_normal\nmin = 1e-5\nmax = 1e-2\n")).toThrow(/goal is missing[\s\S]*key: sweep\.goal/);
    const metta = parseSweepConfig({ sweep: { metric: "m", parameters: { lr } } });
    expect(metta.goal).toBe("maximize");
    expect(metta.warnings).toEqual(['sweep.goal is not set; using "maximize" (Metta\'s default). Write goal: maximize to make it explicit']);
    const wandb = parseSweepConfig({ method: "bayes", metric: { name: "loss" }, parameters: { lr } });
    expect(wandb.goal).toBe("minimize");
    expect(wandb.warnings[0]).toContain('metric.goal is not set; using "minimize" (W&B\'s default)');
  });

  it("every real config fixture states its goal, parses without warnings, and keeps parsing", () => {
    for (const file of readdirSync(fixtures).filter((f) => !f.startsWith("bad"))) {
      const config = loadSweepConfig(join(fixtures, file));
      expect(config.warnings, file).toEqual([]);
    }
  });

  it("W&B method grid/random is kept on the config, and new Protein refuses it with a pointer to protein-sweep run", () => {
    for (const method of ["grid", "random"]) {
      const config = parseSweepConfig({ method, metric: { name: "loss", goal: "minimize" }, parameters: { opt: { values: ["adam", "sgd"] }, lr } });
      expect(config.method).toBe(method);
      expect(() => assertBayesianMethod(config)).toThrow(ConfigError);
      const e = configError(() => new Protein(config, { seed: 1 }));
      expect(e.key).toBe("method");
      expect(e.message).toContain(`method "${method}" is not Bayesian search`);
      expect(e.fix).toContain("protein-sweep run");
    }
    expect(() => new Protein({ method: "bayes", metric: { name: "loss", goal: "minimize" }, parameters: { lr } }, { seed: 1 })).not.toThrow();
  });

  it("an unknown distribution name gets a suggestion", () => {
    expect(() => parseSweepConfig({ sweep: { metric: "m", goal: "maximize", parameters: { x: { distribution: "log_norml", min: 1, max: 2 } } } })).toThrow(/did you mean "log_normal"\?/);
  });

  it("didYouMean finds near misses only", () => {
    expect(didYouMean("scael", ["min", "max", "scale"])).toBe("scale");
    expect(didYouMean("numRandomSample", ["numRandomSamples", "seed"])).toBe("numRandomSamples");
    expect(didYouMean("use_gpu", ["max_suggestion_cost", "downsample"])).toBeUndefined();
    expect(didYouMean("x".repeat(40_000), ["scale"])).toBeUndefined();
  });
});

describe("raw crashes become typed errors", () => {
  it("parseSweepConfig(undefined), null, a number: ConfigError naming the root", () => {
    for (const input of [undefined, null, 42, true]) {
      const e = configError(() => parseSweepConfig(input as unknown as object));
      expect(e.key).toBe("(root)");
      expect(e.message).toContain("a sweep config must be YAML/INI text or an object");
    }
  });

  it("a cyclic object: ConfigError naming where the cycle closes", () => {
    const doc: Record<string, unknown> = { metric: "m", goal: "maximize", train: { lr } };
    (doc.train as Record<string, unknown>).self = doc;
    const e = configError(() => parseSweepConfig(doc));
    expect(e.message).toContain("the config refers to itself (a cycle)");
    expect(e.key).toBe("train.self");
  });

  it("5,000-deep nesting (object and YAML text): ConfigError on the depth limit", () => {
    let deep: Record<string, unknown> = { lr };
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    const e = configError(() => parseSweepConfig({ metric: "m", goal: "maximize", train: deep }));
    expect(e.message).toContain(`nested deeper than ${CONFIG_LIMITS.maxDepth} levels`);
    const text = `metric: m\ngoal: maximize\ntrain: ${"[".repeat(5000)}${"]".repeat(5000)}\n`;
    expect(() => parseSweepConfig(text)).toThrow(ConfigError);
    const flow = `metric: m\ngoal: maximize\ntrain: ${"{a: ".repeat(5000)}1${"}".repeat(5000)}\n`;
    expect(() => parseSweepConfig(flow)).toThrow(ConfigError);
  });

  it("functions, class instances and BigInt in an object config are ConfigErrors", () => {
    expect(() => parseSweepConfig({ metric: "m", goal: "maximize", train: { lr, f: () => 1 } })).toThrow(/key: train\.f/);
    expect(() => parseSweepConfig({ metric: "m", goal: "maximize", train: { lr, when: new Date(0) } })).toThrow(/not plain data/);
    expect(() => parseSweepConfig({ metric: "m", goal: "maximize", train: { lr, n: 10n } })).toThrow(ConfigError);
  });

  it("an object that only looks like a SweepConfig is validated from its source, not trusted", () => {
    const fake = { format: "metta", metric: "m", goal: "maximize", parameters: [{ key: "x", path: ["x"], location: "x", spec: { distribution: "uniform", min: 1e308, max: -1e308, scale: 1 } }], settings: {}, source: { sweep: { metric: "m", goal: "maximize", parameters: {} } } };
    expect(() => parseSweepConfig(fake)).toThrow(/the sweep has no parameters/);
  });
});

describe("linear-time parsing and size limits", () => {
  it("a duplicate YAML key is still an error (the library's quadratic check is off)", () => {
    expect(() => parseSweepConfig("metric: m\ngoal: maximize\ntrain:\n  lr: {distribution: uniform, min: 0, max: 1}\n  lr: {distribution: uniform, min: 0, max: 2}\n")).toThrow(/the key "lr" appears twice[\s\S]*key: train\.lr/);
  });

  it("a duplicate INI section or key is an error, as in Python's configparser", () => {
    expect(() => parseIni("[sweep]\nmetric = a\n[sweep]\nmetric = b\n")).toThrow(/section \[sweep\] appears twice/);
    expect(() => parseIni("[sweep]\nmetric = a\nmetric = b\n")).toThrow(/key "metric" appears twice/);
  });

  it("text over the size limit is refused before parsing, naming the limit", () => {
    const keys = Array.from({ length: 40_000 }, (_, i) => `k${i}: ${i}`).join("\n");
    const e = configError(() => parseSweepConfig(keys));
    expect(e.message).toContain("the config is too large");
    expect(e.allowed).toBe(`at most ${CONFIG_LIMITS.maxChars} characters`);
  });

  it("loadSweepConfig refuses a huge file before reading it", () => {
    const dir = mkdtempSync(join(tmpdir(), "protein-sweep-config-"));
    try {
      const path = join(dir, "huge.yaml");
      writeFileSync(path, "a".repeat(4 * CONFIG_LIMITS.maxChars + 1));
      expect(() => loadSweepConfig(path)).toThrow(/the sweep config file .*huge\.yaml is too large[\s\S]*key: \(file\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("more keys than the limit in an object config are refused", () => {
    const many: Record<string, number> = {};
    for (let i = 0; i <= CONFIG_LIMITS.maxKeys; i++) many[`k${i}`] = i;
    expect(() => parseSweepConfig({ metric: "m", goal: "maximize", train: { lr }, env: many })).toThrow(/too large: more than 10000 keys/);
  });

  it('a long "111…1x" value is refused as a number and "111…1" read as one (INI, YAML, settings)', () => {
    const junk = `${"1".repeat(40_000)}x`;
    expect(() => parseSweepConfig(`[sweep]\nmetric = s\ngoal = maximize\n[sweep.train.lr]\ndistribution = uniform\nmin = ${junk}\nmax = 1\n`)).toThrow(/min must be a finite number/);
    expect(() => parseSweepConfig({ sweep: { metric: "m", goal: "maximize", protein: { ucb_beta: junk }, parameters: { lr } } })).toThrow(/setting ucb_beta is invalid/);
    expect(parseIni("[a]\nx = 3e7\ny = .5\nz = -1.\nw = 1_000\nv = 0x10\n")).toEqual({ a: { x: 3e7, y: 0.5, z: -1, w: "1_000", v: "0x10" } });
  });
});

describe("parameter ranges that would suggest values outside the declared space", () => {
  const wandb = (x: object) => ({ method: "bayes", metric: { name: "loss", goal: "minimize" }, parameters: { x } });

  it("W&B log_uniform whose e^max overflows is refused (it suggested Infinity)", () => {
    const e = configError(() => parseSweepConfig(wandb({ distribution: "log_uniform", min: 0, max: 1000 })));
    expect(e.key).toBe("parameters.x.max");
    expect(e.fix).toContain("use log_uniform_values");
  });

  it("q_uniform 0.05..0.07 with q 0.1 is refused (it always suggested 0.1)", () => {
    const e = configError(() => parseSweepConfig(wandb({ distribution: "q_uniform", min: 0.05, max: 0.07, q: 0.1 })));
    expect(e.key).toBe("parameters.x.q");
    expect(e.message).toContain("holds no multiple of q = 0.1");
    expect(() => parseSweepConfig(wandb({ distribution: "q_log_uniform_values", min: 3, max: 7, q: 8 }))).toThrow(/holds no multiple of q = 8/);
  });

  it("a uniform range of -1e308..1e308 is refused (it suggested 1e308, then threw)", () => {
    const e = configError(() => parseSweepConfig(wandb({ distribution: "uniform", min: -1e308, max: 1e308 })));
    expect(e.message).toContain("the range is too wide to search");
  });
});

describe("integer parameters on a log scale", () => {
  it("is_integer: true on log_normal gives integer counts inside [min, max]", () => {
    const config = parseSweepConfig(`sweep:\n  metric: m\n  goal: maximize\n  parameters:\n    trainer.total_timesteps: {distribution: log_normal, min: 1000, max: 1000000000, mean: 50000000, scale: auto, is_integer: true}\n`);
    expect(config.parameters[0].spec).toMatchObject({ distribution: "log_normal", integer: true });
    const space = SearchSpace.fromConfig(config);
    expect(space.integerDims).toEqual([0]);
    for (let u = -1; u <= 1; u += 0.01) {
      const v = (space.fromVector([u], "dotted") as Record<string, number>)["trainer.total_timesteps"];
      expect(Number.isInteger(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(1000);
      expect(v).toBeLessThanOrEqual(1e9);
    }
  });

  it("PufferLib INI spells it is_integer = True; W&B q_log_uniform_values with an integer q is integer too", () => {
    const ini = parseSweepConfig("[sweep]\nmetric = s\ngoal = maximize\n[sweep.train.total_timesteps]\ndistribution = log_normal\nmin = 3e7\nmax = 1e10\nscale = time\nis_integer = True\n");
    expect(ini.parameters[0].spec.integer).toBe(true);
    const wandb = parseSweepConfig({ method: "bayes", metric: { name: "l", goal: "minimize" }, parameters: { width: { distribution: "q_log_uniform_values", min: 16, max: 512, q: 16 } } });
    expect(wandb.parameters[0].spec).toMatchObject({ q: 16, integer: true });
    expect(SearchSpace.fromConfig(wandb).integerDims).toEqual([0]);
  });

  it("is_integer is refused where it cannot hold", () => {
    const sweep = (x: object) => ({ sweep: { metric: "m", goal: "maximize", parameters: { x } } });
    expect(() => parseSweepConfig(sweep({ distribution: "logit_normal", min: 0.9, max: 0.999, is_integer: true }))).toThrow(/is_integer does not apply to logit_normal/);
    expect(() => parseSweepConfig(sweep({ distribution: "log_normal", min: 1.5, max: 100, is_integer: true }))).toThrow(/bounds must be integers[\s\S]*key: sweep\.parameters\.x\.min/);
    expect(() => parseSweepConfig(sweep({ distribution: "log_normal", min: 1, max: 100, is_integer: "yes" }))).toThrow(/is_integer must be true or false/);
  });

  it("uniform_pow2 keeps accepting a fractional bound (its values are powers of two, 0.5 included)", () => {
    const config = parseSweepConfig({ sweep: { metric: "m", goal: "maximize", parameters: { b: { distribution: "uniform_pow2", min: 0.5, max: 64 } } } });
    expect(SearchSpace.fromConfig(config).fromVector([-1])).toEqual({ b: 0.5 });
  });

  it("is_integer: true on uniform is int_uniform (PufferLib's Linear(is_integer=True))", () => {
    const config = parseSweepConfig({ sweep: { metric: "m", goal: "maximize", parameters: { epochs: { distribution: "uniform", min: 1, max: 10, is_integer: true } } } });
    expect(config.parameters[0].spec.distribution).toBe("int_uniform");
  });
});
