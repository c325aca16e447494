/**
 * suggestAsync(): the same suggestions as suggest() (a worker thread restores the sweep, suggests
 * and hands back the new state), and the calling thread's event loop keeps serving timers meanwhile.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { afterAll, describe, expect, it } from "vitest";
import { Protein } from "../../src/protein";
import { stopSuggestWorker } from "../../src/protein/async";
import { createRng } from "../../src/random";
import { PINNED_CONFIG } from "./pinned-driver";

type Params = { train: Record<string, number | string> };

function objective(p: Params, step: number): { score: number; cost: number } {
  const t = p.train as Record<string, number> & { optimizer: string };
  const score = 2 * (1 - Math.exp(-t.total_timesteps / 1e7)) - (Math.log10(t.learning_rate) + 2.5) ** 2 - (t.clip - 0.3) ** 2 - (t.optimizer === "sgd" ? 0.3 : 0) + 0.01 * Math.sin(step);
  return { score, cost: t.total_timesteps / 1e4 };
}

afterAll(stopSuggestWorker);

describe("suggestAsync", () => {
  it("gives suggest()'s suggestions bit for bit over 50 steps, with observations, a failure, a pending pair and a fixed cost between", async () => {
    const options = { seed: 5, numRandomSamples: 6, resampleFrequency: 11 };
    const sync = new Protein(PINNED_CONFIG, options);
    const async = new Protein(PINNED_CONFIG, options);
    const modelSteps = { count: 0 };
    for (let step = 0; step < 50; step++) {
      const opts = step % 13 === 12 ? { fixedCost: 2e6 } : {};
      const a = sync.suggest(opts);
      const b = await async.suggestAsync(opts);
      expect(b).toEqual(a);
      if (a.info.phase === "model") modelSteps.count++;
      // Every 8th suggestion stays pending over the next step (two in flight), every 10th fails.
      if (step % 8 === 3) continue;
      for (const [p, s] of [
        [sync, a],
        [async, b],
      ] as const) {
        const { score, cost } = objective(s.params as Params, step);
        p.observe(s.params, step % 10 === 9 ? Number.NaN : score, cost);
      }
    }
    expect(modelSteps.count).toBeGreaterThan(30);
    // Both sweeps are in the same place afterwards: same state, same pending suggestions, same next suggestion.
    expect(async.exportState()).toEqual(sync.exportState());
    expect(async.pendingSuggestions).toEqual(sync.pendingSuggestions);
    expect(async.snapshot()).toEqual({ ...sync.snapshot(), observations: expect.any(Array) });
    expect(async.suggest()).toEqual(sync.suggest());
  }, 240_000);

  it("writes into fill, runs calls made together one after the other, and refuses a bad option on the calling thread", async () => {
    const a = new Protein(PINNED_CONFIG, { seed: 3 });
    const b = new Protein(PINNED_CONFIG, { seed: 3 });
    const fill = { keep: 1 };
    const [first, second] = await Promise.all([a.suggestAsync({ fill }), a.suggestAsync()]);
    expect(first.params).toBe(fill);
    expect(fill).toEqual({ keep: 1, ...b.suggest().params });
    expect(second).toEqual(b.suggest());
    expect(a.pendingSuggestions.map((p) => p.id)).toEqual([first.id, second.id]);
    await expect(a.suggestAsync({ fixedCost: 1e12 })).rejects.toThrow(/fixedCost must be a value of the cost parameter "train.total_timesteps" within its range/);
    await expect(a.suggestAsync({ fixed: 1 } as never)).rejects.toThrow(/suggest: unknown option "fixed"/);
    expect(a.suggestionCount).toBe(2);
  }, 120_000);

  it("rejects, changing nothing, when suggest() ran on the same sweep while the worker computed", async () => {
    await new Protein(PINNED_CONFIG, { seed: 4 }).suggestAsync(); // the worker thread is running
    // 300 observations make the worker's suggestion (a cold GP fit to convergence) take far longer than the
    // 20 ms below, in which the request is posted; the direct suggest() then runs while the worker computes.
    // (A trivial first suggestion could come back before the direct call, and nothing would conflict.)
    const p = new Protein(PINNED_CONFIG, { seed: 4 });
    const rng = createRng(5);
    for (let i = 0; i < 300; i++) {
      const params = p.space.fromVector(Float64Array.from({ length: p.space.dim }, () => rng.uniform(-1, 1)));
      p.observe(params, rng.normal(), 1 + rng.uniform(0, 1));
    }
    const pending = p.suggestAsync();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const direct = p.suggest();
    await expect(pending).rejects.toThrow(/suggestAsync: the sweep made or imported suggestions while this one was computed/);
    expect(p.pendingSuggestions.map((s) => s.id)).toEqual([direct.id]);
    expect(p.suggestionCount).toBe(1);
  }, 120_000);

  it("keeps the event loop serving timers (max lag ≤ 20 ms) during a suggest at n = 3,000", async () => {
    const d = 10;
    const parameters: Record<string, unknown> = {};
    for (let j = 0; j < d; j++) parameters[`x${j}`] = { distribution: "uniform", min: 0, max: 1 };
    parameters.train = { total_timesteps: { distribution: "log_normal", min: 1e6, max: 1e8, scale: "auto" } };
    // Few fit iterations and candidates keep the test short; the model still sees a 750-row training set
    // drawn from all 3,000 observations, and the calling thread does all of its share (snapshot, post, import).
    const protein = new Protein({ sweep: { metric: "score", goal: "maximize", parameters } }, { seed: 1, fitIterations: 2, globalCandidates: 500 });
    const rng = createRng(2);
    for (let i = 0; i < 3000; i++) {
      const x = Float64Array.from({ length: protein.space.dim }, () => rng.uniform(-1, 1));
      const params = protein.space.fromVector(x);
      let s = 0;
      for (let j = 0; j < d; j++) s -= ((params[`x${j}`] as number) - 0.3) ** 2;
      protein.observe(params, s, (params.train as { total_timesteps: number }).total_timesteps / 1e4);
    }
    await protein.suggestAsync(); // starts the worker thread and sends it the 3,000 observations once

    /** Longest gap between the runs of a 5 ms interval timer, and the event-loop delay histogram, while `work` runs. */
    async function lagDuring(work: () => Promise<unknown>): Promise<{ maxGap: number; maxDelay: number; ticks: number; elapsed: number }> {
      const histogram = monitorEventLoopDelay({ resolution: 1 });
      let last = performance.now();
      let maxGap = 0;
      let ticks = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
        ticks++;
      }, 5);
      histogram.enable();
      const started = performance.now();
      await work();
      const elapsed = performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 20)); // the timer runs once more after work that blocked it
      histogram.disable();
      clearInterval(timer);
      return { maxGap: maxGap - 5, maxDelay: histogram.max / 1e6, ticks, elapsed };
    }

    // On a machine shared with other processes (2 cores, other test files running) the OS delays this
    // thread now and then while the worker thread and V8's garbage-collection helpers take the cores:
    // measured on a quiet machine, the timer's largest gap during a suggest here is 8–16 ms with V8's
    // default helper pool and 2–4 ms with one helper (--v8-pool-size=1); this thread's own share of
    // the call is about a millisecond. So each attempt is judged against 20 ms, or twice the noise
    // floor measured right after it (the same measurement while a plain busy loop on another thread
    // runs as long as the suggest did) where the machine itself is worse, and up to 4 attempts are
    // made. A blocked event loop (suggest() below) lags by the whole computation in every attempt.
    const attempts: string[] = [];
    let allowed = 20;
    let passed = false;
    for (let attempt = 0; attempt < 4 && !passed; attempt++) {
      let suggestion: Awaited<ReturnType<typeof protein.suggestAsync>> | undefined;
      const busy = await lagDuring(async () => (suggestion = await protein.suggestAsync()));
      expect(suggestion?.info.phase).toBe("model");
      // Beyond gpMaxObs (750) the model sees the capped set plus the rows since its base last moved (≤ 47).
      expect(suggestion?.info.scoreModel?.observations).toBeGreaterThanOrEqual(750);
      expect(suggestion?.info.scoreModel?.observations).toBeLessThanOrEqual(750 + 47);
      expect(busy.elapsed).toBeGreaterThan(100);
      expect(busy.ticks).toBeGreaterThan(busy.elapsed / 5 / 4);
      const burner = new Worker(`const end = Date.now() + ${Math.round(busy.elapsed)}; while (Date.now() < end) {}`, { eval: true });
      const noise = await lagDuring(() => new Promise((resolve) => burner.once("exit", resolve)));
      allowed = Math.max(20, 2 * noise.maxGap, 2 * noise.maxDelay);
      passed = busy.maxGap <= allowed && busy.maxDelay <= allowed;
      attempts.push(`attempt ${attempt + 1}: gap ${busy.maxGap.toFixed(1)} ms, delay ${busy.maxDelay.toFixed(1)} ms, allowed ${allowed.toFixed(1)} ms (suggest ${busy.elapsed.toFixed(0)} ms)`);
    }
    expect(passed, attempts.join("; ")).toBe(true);
    // suggest() on this thread blocks it for the whole computation: the same measurement fails there.
    const blocked = await lagDuring(async () => protein.suggest());
    expect(blocked.maxGap).toBeGreaterThan(allowed);
  }, 300_000);
});
