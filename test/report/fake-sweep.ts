/**
 * A realistic sweep record for the report's tests and benchmark: trials as the study would
 * hold them, made with the project's seeded generator. Six parameters of every kind that
 * changes an axis (log, pow2, categorical, logit, integer, uniform); the score (an episode
 * return, maximized) depends strongly on the learning rate and the optimizer, mildly on the
 * width, not on the rest. Runs with a very large learning rate diverge (failed), some are
 * early-stopped, the last few are still running or pending, and two metrics carry gates.
 */
import { createRng } from "../../src/random/rng";
import { SearchSpace } from "../../src/space/search-space";
import type { NestedParams } from "../../src/space/search-space";
import type { Trial } from "../../src/study/types";

export const FAKE_SPACE = new SearchSpace([
  { key: "trainer.learning_rate", path: ["trainer", "learning_rate"], spec: { distribution: "log_normal", min: 1e-5, max: 1e-1, scale: 0.5 } },
  { key: "trainer.batch_size", path: ["trainer", "batch_size"], spec: { distribution: "uniform_pow2", min: 16, max: 1024, scale: 0.5 } },
  { key: "trainer.optimizer", path: ["trainer", "optimizer"], spec: { distribution: "categorical", values: ["adam", "sgd", "lion"], scale: 0.5 } },
  { key: "trainer.gamma", path: ["trainer", "gamma"], spec: { distribution: "logit_normal", min: 0.8, max: 0.999, scale: 0.5 } },
  { key: "model.width", path: ["model", "width"], spec: { distribution: "int_uniform", min: 32, max: 512, scale: 0.5 } },
  { key: "model.dropout", path: ["model", "dropout"], spec: { distribution: "uniform", min: 0, max: 0.5, scale: 0.5 } },
]);

export const FAKE_GATES = ["mass_err < 0.05", "energy_err <= 0.2"];

/** What the fake sweep's counts come out as (for assertions that read the page). */
export interface FakeSweep {
  trials: Trial[];
  space: SearchSpace;
}

/**
 * `n` trials in creation order. The first ~60 % are random, later ones concentrate near the
 * good region (as a GP sweep would). The final 3 are running/pending when `n` ≥ 20.
 */
export function fakeSweep(n: number, seed = 1): FakeSweep {
  const rng = createRng(`fake-sweep:${seed}`);
  const trials: Trial[] = [];
  const start = Date.parse("2026-11-28T08:00:00Z");
  const d = FAKE_SPACE.dim;
  for (let i = 0; i < n; i++) {
    const late = i > 0.6 * n;
    const u = new Float64Array(d);
    for (let j = 0; j < d; j++) u[j] = late ? Math.max(-1, Math.min(1, -0.35 + 0.45 * rng.normal())) : rng.uniform(-1, 1);
    if (late && rng.random() < 0.7) u[2] = FAKE_SPACE.entries[2].space.normalize("adam");
    const params = FAKE_SPACE.fromVector(FAKE_SPACE.snap(u), "nested") as NestedParams;
    const tr = params.trainer as NestedParams;
    const md = params.model as NestedParams;
    const lr = tr.learning_rate as number;
    const opt = tr.optimizer as string;
    const width = md.width as number;
    const batch = tr.batch_size as number;
    const logLr = Math.log10(lr);
    const base = 100 * Math.exp(-((logLr + 3.5) ** 2) / 0.8) + (opt === "adam" ? 25 : opt === "lion" ? 15 : 0) + 0.02 * width;
    const score = base + rng.normal(0, 3);
    const cost = Math.round((60 + 0.9 * width + 0.15 * batch) * (1 + 0.1 * rng.random()) * 10) / 10;
    const created = new Date(start + i * 90_000).toISOString();
    const finished = new Date(start + i * 90_000 + cost * 1000).toISOString();
    const metrics = {
      episode_return: score,
      mass_err: Math.abs(0.03 + 0.02 * rng.normal()),
      energy_err: Math.abs(0.1 + 0.08 * rng.normal()),
    };
    const trial: Trial = {
      id: `s${i + 1}`,
      number: i + 1,
      state: "finished",
      params,
      score,
      cost,
      metrics,
      attempts: 1,
      worker: `gpu${i % 4}`,
      createdAt: created,
      startedAt: created,
      finishedAt: finished,
    };
    if (logLr > -1.6 && rng.random() < 0.8) {
      Object.assign(trial, { state: "failed", score: null, cost: Math.round(cost * 0.2), metrics: {}, reason: "loss became NaN at step 1200 (exit code 1)", attempts: 2 });
    } else if (base < 45 && rng.random() < 0.35) {
      Object.assign(trial, { state: "stopped", score: score * 0.6, cost: Math.round(cost * 0.4), reason: "early stopping: below the front's projection at 40% of the budget" });
    }
    if (n >= 20 && i >= n - 3) {
      const pending = i === n - 1;
      Object.assign(trial, { state: pending ? "pending" : "running", score: null, cost: null, metrics: {}, finishedAt: undefined, startedAt: pending ? undefined : created });
      if (pending) delete trial.startedAt;
      delete trial.finishedAt;
    }
    trials.push(trial);
  }
  return { trials, space: FAKE_SPACE };
}
