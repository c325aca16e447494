import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { ConfigError, ProteinError } from "../../src/errors";
import { loadSweepConfig, parseSweepConfig, safeParseSweepConfig } from "../../src/config";
import { SearchSpace } from "../../src/space";

const dir = join(__dirname, "..", "fixtures", "configs");
const load = (name: string) => loadSweepConfig(join(dir, name));

function summary(name: string) {
  const config = load(name);
  const space = SearchSpace.fromConfig(config);
  return { config, space, dists: config.parameters.map((p) => p.spec.distribution) };
}

describe("every config fixture parses", () => {
  const files = readdirSync(dir).filter((f) => !f.startsWith("bad"));
  it.each(files)("%s", (file) => {
    const config = load(file);
    expect(config.parameters.length).toBeGreaterThan(0);
    const space = SearchSpace.fromConfig(config);
    expect(space.dim).toBe(config.parameters.length);
    for (const c of space.centers) expect(Math.abs(c)).toBeLessThanOrEqual(1);
  });
});

describe("Metta/Protein YAML", () => {
  it("reads dotted keys in order with distributions, bounds, centers, scales and the protein block", () => {
    const { config, space, dists } = summary("phase1-explore-cheap.yaml");
    expect(config.format).toBe("metta");
    expect(config.metric).toBe("heart.get");
    expect(config.goal).toBe("maximize");
    expect(space.keys).toEqual([
      "trainer.total_timesteps",
      "trainer.optimizer.learning_rate",
      "trainer.gamma",
      "trainer.gae_lambda",
      "trainer.clip_coef",
      "trainer.ent_coef",
      "trainer.vf_coef",
      "trainer.batch_size",
      "trainer.bptt_horizon",
    ]);
    expect(dists).toEqual(["log_normal", "log_normal", "logit_normal", "logit_normal", "uniform", "log_normal", "uniform", "uniform_pow2", "uniform_pow2"]);
    expect(config.parameters[0].spec).toMatchObject({ min: 1e8, max: 5e9, mean: 5e8, scale: 0.5 });
    expect(config.settings).toEqual({ maxSuggestionCost: 1800, numRandomSamples: 30, resampleFrequency: 0, expansionRate: 0.25 });
    // centers: normalize(mean); e.g. total_timesteps 2·(log10 5e8 − 8)/(log10 5e9 − 8) − 1
    const expected = (2 * (Math.log10(5e8) - 8)) / (Math.log10(5e9) - 8) - 1;
    expect(space.centers[0]).toBeCloseTo(expected, 14);
    // clip_coef uniform 0.05..0.5 mean 0.2
    expect(space.centers[4]).toBeCloseTo((2 * (0.2 - 0.05)) / 0.45 - 1, 14);
    // gamma logit 0.9..0.9999 mean 0.99: log10(1−v) from −1 to −4, −2 → −1/3
    expect(space.centers[2]).toBeCloseTo(-1 / 3, 12);
    // batch_size pow2 2^17..2^20 mean 2^19 → 1/3
    expect(space.centers[7]).toBeCloseTo(1 / 3, 14);
    expect(Array.from(space.scales)).toEqual(new Array(9).fill(0.5));
  });

  it("keeps fixed overrides under sweep and top-level data apart from parameters", () => {
    const { config, space } = summary("metta-quick-test.yaml");
    expect(space.keys).toEqual(["trainer.learning_rate", "trainer.batch_size", "trainer.gamma"]);
    expect(Array.from(space.scales)).toEqual([1, 1, 1]);
    expect(config.overrides).toEqual({
      trainer: { total_timesteps: 2048, evaluate_interval: 10, checkpoint_interval: 20, minibatch_size: 16, num_steps: 32, update_epochs: 1 },
      env: { game: { max_steps: 32, objects: { altar: { hp: 5, cooldown: 5 } } } },
    });
    expect(config.extra).toEqual({ rollout_count: 3, num_samples: 1 });
  });

  it("reads categorical booleans next to numeric parameters", () => {
    const { space, dists } = summary("metta-conditional.yaml");
    expect(dists).toEqual(["categorical", "uniform_pow2", "log_normal", "int_uniform"]);
    expect(space.categoricalDims).toEqual([0]);
    expect(space.fromVector(space.centers)).toEqual({
      "trainer.use_lstm": true,
      "trainer.lstm_hidden_size": 128,
      "trainer.learning_rate": 0.001,
      "trainer.update_epochs": 4,
    });
  });

  it("accepts parameters/metric/goal at the top level and nested (Hydra) parameter blocks", () => {
    const config = parseSweepConfig({
      metric: "reward",
      goal: "minimize",
      parameters: { trainer: { ppo: { gamma: { distribution: "logit_normal", min: 0.9, max: 0.999, mean: 0.99, scale: "auto" } } } },
    });
    expect(config.goal).toBe("minimize");
    expect(config.parameters.map((p) => p.key)).toEqual(["trainer.ppo.gamma"]);
    const space = SearchSpace.fromConfig(config);
    expect(space.fromVector(space.centers)).toEqual({ trainer: { ppo: { gamma: 0.99 } } });
  });
});

describe("PufferLib nested YAML", () => {
  it("finds parameter blocks at any depth and keeps settings beside them", () => {
    const { config, space, dists } = summary("pufferlib-nested.yaml");
    expect(config.format).toBe("pufferlib");
    expect(config.method).toBe("Protein");
    expect(config.metric).toBe("environment/score");
    expect(config.settings).toEqual({ downsample: 5 });
    expect(space.keys).toEqual(["train.total_timesteps", "train.learning_rate", "train.gamma", "train.minibatch_size", "train.update_epochs"]);
    expect(dists).toEqual(["log_normal", "log_normal", "logit_normal", "uniform_pow2", "int_uniform"]);
    // scale "time" = 1/(log2 max − log2 min)
    expect(space.scales[0]).toBeCloseTo(1 / Math.log2(300_000_000 / 30_000_000), 14);
    expect(space.scales[4]).toBe(2);
    // suggestions come back nested the way the config is written
    expect(space.fromVector(space.centers)).toEqual({
      train: { total_timesteps: 100_000_000, learning_rate: 0.005, gamma: 0.98, minibatch_size: 32768, update_epochs: 1 },
    });
  });

  it("reads deeper nesting", () => {
    const config = parseSweepConfig({
      metric: "score",
      goal: "maximize",
      policy: { encoder: { hidden: { distribution: "uniform_pow2", min: 64, max: 1024, scale: "auto" } } },
      train: { lr: { distribution: "log_normal", min: 1e-5, max: 1e-1, scale: "auto" }, seed: 3 },
    });
    expect(config.parameters.map((p) => p.key)).toEqual(["policy.encoder.hidden", "train.lr"]);
    expect(config.overrides).toEqual({ train: { seed: 3 } });
  });
});

describe("W&B sweeps", () => {
  it("maps W&B distributions and values, and keeps early_terminate as data", () => {
    const { config, space, dists } = summary("wandb-bayes.yaml");
    expect(config.format).toBe("wandb");
    expect(config.method).toBe("bayes");
    expect(config.metric).toBe("val/hand_mpjpe");
    expect(config.goal).toBe("minimize");
    expect(space.keys).toEqual([
      "hidden_dim",
      "dropout",
      "num_refinement_steps",
      "learning_rate",
      "batch_size",
      "weight_decay",
      "grad_clip",
      "loss_weight_kl",
      "aug_rotation_range",
    ]);
    expect(dists).toEqual(["categorical", "categorical", "categorical", "log_normal", "categorical", "log_normal", "uniform", "log_normal", "int_uniform"]);
    expect(config.parameters[0].spec.values).toEqual([512, 768, 1024]);
    expect(config.parameters[3].spec).toMatchObject({ min: 1e-5, max: 1e-2 });
    expect(config.extra.early_terminate).toEqual({ type: "hyperband", s: 2, eta: 3, max_iter: 27 });
    expect(config.extra.program).toBe("run_sweep.py");
    expect(space.categoricalDims).toEqual([0, 1, 2, 4]);
    expect(space.integerDims).toEqual([8]);
  });

  it("maps log_uniform (natural-log bounds), q_ distributions and constant values", () => {
    const config = parseSweepConfig({
      method: "bayes",
      metric: { name: "loss", goal: "minimize" },
      parameters: {
        lr: { distribution: "log_uniform", min: Math.log(1e-4), max: Math.log(1e-1) },
        width: { distribution: "q_log_uniform_values", min: 16, max: 512, q: 16 },
        drop: { distribution: "q_uniform", min: 0, max: 0.5, q: 0.1 },
        epochs: { value: 10 },
      },
    });
    expect(config.parameters[0].spec.min).toBeCloseTo(1e-4, 15);
    expect(config.parameters[0].spec.max).toBeCloseTo(1e-1, 14);
    expect(config.overrides).toEqual({ epochs: 10 });
    const space = SearchSpace.fromConfig(config);
    for (let u = -1; u <= 1; u += 0.05) {
      const p = space.fromVector([u, u, u]) as Record<string, number>;
      expect(p.width % 16).toBe(0);
      expect(p.width).toBeGreaterThanOrEqual(16);
      expect(p.width).toBeLessThanOrEqual(512);
      expect([0, 0.1, 0.2, 0.3, 0.4, 0.5]).toContain(p.drop);
    }
  });

  it("refuses unbounded W&B distributions with a pointer to a bounded one", () => {
    expect(() => parseSweepConfig({ method: "bayes", metric: { name: "l", goal: "minimize" }, parameters: { x: { distribution: "normal", mu: 0, sigma: 1 } } })).toThrow(/parameters\.x\.distribution[\s\S]*fix: use a bounded distribution/);
  });
});

describe("PufferLib INI", () => {
  it("reads [sweep] settings and one section per parameter", () => {
    const { config, space, dists } = summary("pufferlib-default.ini");
    expect(config.format).toBe("ini");
    expect(config.method).toBe("Protein");
    expect(config.metric).toBe("score");
    expect(config.settings).toEqual({ downsample: 5, prunePareto: true, maxSuggestionCost: 3600, earlyStopQuantile: 0.3, metricDistribution: "linear" });
    // use_gpu is not a protein-sweep setting: kept as data, never a crash
    expect(config.extra.use_gpu).toBe(true);
    expect(config.extra.base).toEqual({ env_name: "puffer_breakout" });
    expect(space.keys).toEqual(["train.total_timesteps", "train.learning_rate", "train.minibatch_size", "train.gamma", "train.gae_lambda", "train.vtrace_rho_clip", "train.adam_eps"]);
    expect(dists).toEqual(["log_normal", "log_normal", "uniform_pow2", "logit_normal", "logit_normal", "uniform", "log_normal"]);
    expect(config.parameters[0].spec).toMatchObject({ min: 3e7, max: 1e10, mean: 2e8 });
    expect(config.parameters[6].spec).toMatchObject({ min: 1e-10, max: 1e-4, mean: 1e-8 });
    expect(space.scales[0]).toBeCloseTo(1 / Math.log2(1e10 / 3e7), 14);
    expect(space.centers[5]).toBeCloseTo((2 * 1) / 5 - 1, 14);
  });

  it("keeps unknown settings as data instead of crashing (PufferLib #589)", () => {
    const config = parseSweepConfig("[sweep]\nmetric = score\ngoal = maximize\nmatch_enemy_model_path = foo.pt\ngpus = 4\n\n[sweep.train.lr]\ndistribution = log_normal\nmin = 1e-5\nmax = 1e-2\nscale = auto\n");
    expect(config.extra).toMatchObject({ match_enemy_model_path: "foo.pt", gpus: 4 });
    expect(config.parameters.map((p) => p.key)).toEqual(["train.lr"]);
  });

  it("unknown keys inside a protein block are kept too", () => {
    const config = parseSweepConfig({ sweep: { metric: "m", goal: "maximize", protein: { num_random_samples: 3, brand_new_knob: 7 }, parameters: { x: { distribution: "uniform", min: 0, max: 1 } } } });
    expect(config.settings).toEqual({ numRandomSamples: 3 });
    expect(config.extraSettings).toEqual({ brand_new_knob: 7 });
  });
});

describe("bad configs are refused with the key and a fix", () => {
  const bad = parseYaml(readFileSync(join(dir, "bad-configs.yaml"), "utf8")) as Record<string, object>;
  const expectedKey: Record<string, string> = {
    log_min_zero: "sweep.parameters.lr.min",
    min_above_max: "sweep.parameters.x.min",
    unknown_distribution: "sweep.parameters.x.distribution",
    mean_outside_range: "sweep.parameters.x.mean",
    logit_out_of_unit: "sweep.parameters.g.max",
    pow2_nonpositive: "sweep.parameters.b.min",
    bad_goal: "sweep.goal",
    negative_scale: "sweep.parameters.x.scale",
    no_parameters: "sweep.parameters",
    empty_values: "sweep.parameters.opt.values",
  };
  it("covers every entry of bad-configs.yaml", () => {
    expect(Object.keys(bad).sort()).toEqual(Object.keys(expectedKey).sort());
  });
  it.each(Object.keys(expectedKey))("%s", (name) => {
    let error: unknown;
    try {
      parseSweepConfig(bad[name]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(ProteinError);
    const e = error as ConfigError;
    expect(e.key).toBe(expectedKey[name]);
    expect(e.message).toContain(`key: ${expectedKey[name]}`);
    expect(e.message).toMatch(/got: /);
    expect(e.message).toMatch(/allowed: /);
    expect(e.message).toMatch(/fix: \w+/);
    expect(e.fix!.length).toBeGreaterThan(10);
  });

  it("reports several problems at once", () => {
    const result = safeParseSweepConfig({ sweep: { goal: "up", parameters: { a: { distribution: "uniform", min: 1, max: 0 }, b: { distribution: "log_normal", min: -1, max: 1 } } } });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.issues.map((i) => i.key)).toEqual(["sweep.goal", "sweep.parameters.a.min", "sweep.parameters.b.min"]);
      expect(result.error.message).toContain("3 problems");
    }
  });

  it("names invalid protein settings", () => {
    expect(() => parseSweepConfig({ sweep: { metric: "m", goal: "maximize", protein: { acquisition: "magic" }, parameters: { x: { distribution: "uniform", min: 0, max: 1 } } } })).toThrow(/key: sweep\.protein\.acquisition[\s\S]*allowed: "protein", "ei", "logei", "ucb"/);
  });

  it("a missing file is a ConfigError naming the path", () => {
    expect(() => loadSweepConfig(join(dir, "nope.yaml"))).toThrow(ConfigError);
  });
});
