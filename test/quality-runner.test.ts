/**
 * Smoke test of the optimization-quality runner's core (in-process, not the CLI):
 * result shape, regret traces, table and plot rendering, the cost protocol's budget,
 * the JSON-lines external protocol, and failure on a throwing optimizer.
 */

import { describe, expect, it } from "vitest";
import { planTasks, runSuite, runTask, type RunRecord } from "../bench/quality/core";
import { ExternalOptimizer, optimizerFactory, type Optimizer } from "../bench/quality/optimizers";
import { problemPlot, renderLinePlot } from "../bench/quality/plot";
import { getProblem } from "../bench/quality/problems/index";
import { quantileOf, renderTable, summarize } from "../bench/quality/summary";
import { ProteinError } from "../src/errors";

const BUDGET = 12;

function checkTrace(run: RunRecord): void {
  const problem = getProblem(run.problem);
  const n = run.bestRegret.length;
  expect(run.values).toHaveLength(n);
  expect(run.scores).toHaveLength(n);
  expect(run.costs).toHaveLength(n);
  expect(run.suggestMs).toHaveLength(n);
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    best = Math.min(best, problem.regret(run.values[i]));
    expect(run.bestRegret[i]).toBeGreaterThanOrEqual(0);
    if (i > 0) expect(run.bestRegret[i]).toBeLessThanOrEqual(run.bestRegret[i - 1]);
    expect(run.bestRegret[i]).toBe(best); // the trace is the running minimum of the noise-free regret
    expect(run.suggestMs[i]).toBeGreaterThanOrEqual(0);
  }
}

describe("quality runner", () => {
  it("runs random, sobol and protein on branin and mixed-training end to end", async () => {
    const progress: number[] = [];
    const result = await runSuite({
      problems: ["branin", "mixed-training"],
      optimizers: ["random", "sobol", "protein"],
      seeds: [0, 1],
      budget: BUDGET,
      onProgress: (done) => progress.push(done),
    });
    expect(result.runs).toHaveLength(2 * 3 * 2);
    expect(progress).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    for (const run of result.runs) {
      expect(run.protocol).toBe("evaluations");
      expect(run.bestRegret).toHaveLength(BUDGET);
      checkTrace(run);
    }
    // The noisy problem's observed scores differ from its noise-free values; branin's do not.
    const mixed = result.runs.find((r) => r.problem === "mixed-training")!;
    expect(mixed.scores.some((s, i) => s !== mixed.values[i])).toBe(true);
    const branin = result.runs.find((r) => r.problem === "branin")!;
    expect(branin.scores).toEqual(branin.values);

    const summaries = summarize(result.runs);
    expect(summaries.map((s) => s.problem)).toEqual(["branin", "mixed-training"]);
    for (const s of summaries) {
      expect(s.optimizers.map((o) => o.optimizer)).toEqual(["random", "sobol", "protein"]);
      for (const o of s.optimizers) {
        expect(o.runs).toBe(2);
        expect(o.curve.x).toHaveLength(BUDGET);
        expect(o.q1Log10Regret).toBeLessThanOrEqual(o.medianLog10Regret);
        expect(o.medianLog10Regret).toBeLessThanOrEqual(o.q3Log10Regret);
        expect(Number.isFinite(o.medianLog10Regret)).toBe(true);
      }
    }
    const table = renderTable(summaries);
    expect(table).toContain("### branin (d = 2, 12 evaluations, 2 seeds");
    expect(table).toContain("### mixed-training (d = 6");
    expect(table.match(/^\| (random|sobol|protein) \|/gm)).toHaveLength(6);
    const svg = problemPlot(summaries[0]);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/<polyline/g)!.length).toBeGreaterThanOrEqual(3);
    expect(svg).toContain(">protein</text>");
  });

  it("is deterministic per seed for the baselines", async () => {
    const task = { optimizer: "sobol", problem: "hartmann3", seed: 5, protocol: "evaluations" as const, budget: 8 };
    const a = await runTask(task);
    const b = await runTask(task);
    expect(a.values).toEqual(b.values);
    const c = await runTask({ ...task, seed: 6 });
    expect(c.values).not.toEqual(a.values);
  });

  it("stops the cost protocol before the budget is overspent", async () => {
    const result = await runSuite({
      problems: [],
      optimizers: ["random"],
      seeds: [0, 1, 2],
      costProtocol: true,
      costBudget: 3000,
      maxRuns: 40,
    });
    expect(result.runs).toHaveLength(3);
    for (const run of result.runs) {
      expect(run.protocol).toBe("cost");
      expect(run.problem).toBe("mixed-training");
      const spent = run.costs.reduce((a, b) => a + b, 0);
      expect(spent).toBeLessThanOrEqual(3000);
      expect(run.costs.length).toBeGreaterThan(0);
      expect(run.costs.length).toBeLessThanOrEqual(40);
      checkTrace(run);
    }
    const [summary] = summarize(result.runs);
    expect(summary.protocol).toBe("cost");
    expect(summary.optimizers[0].cost!.medianLog10RegretAt).toHaveLength(3);
    expect(renderTable([summary])).toContain("### Cost protocol: mixed-training (total cost budget 3000 s, 3 seeds)");
  });

  it("fails, naming the run, when an optimizer throws", async () => {
    const boom = (): Optimizer => ({
      name: "boom",
      init() {},
      suggest() {
        throw new Error("kaput");
      },
      observe() {},
    });
    await expect(
      runSuite({ problems: ["branin"], optimizers: ["random", "boom"], seeds: [0], budget: 4, factories: { boom } }),
    ).rejects.toThrow(/boom on branin \(seed 0\) failed at suggestion 1: kaput/);
    expect(() => optimizerFactory("no-such-optimizer")).toThrow(ProteinError);
    expect(() => planTasks({ problems: ["no-such-problem"], optimizers: ["random"], seeds: [0] })).toThrow(ProteinError);
  });

  it("drives an external optimizer through the JSON-lines protocol", async () => {
    // A stand-in external optimizer: always suggests the centre of branin's box, counts observations.
    const script = `
      const rl = require("node:readline").createInterface({ input: process.stdin });
      let observed = 0;
      rl.on("line", (line) => {
        const m = JSON.parse(line);
        let reply;
        if (m.op === "init") reply = m.seed === 3 && m.config.sweep ? { ok: true } : { error: "bad init" };
        else if (m.op === "suggest") reply = observed >= 2 ? { error: "enough" } : { params: { x0: 2.5, x1: 7.5 } };
        else { observed++; reply = { ok: true }; }
        process.stdout.write(JSON.stringify(reply) + "\\n");
      });`;
    const external = (): Optimizer => new ExternalOptimizer("fake", [process.execPath, "-e", script]);
    const task = { optimizer: "fake", problem: "branin", seed: 3, protocol: "evaluations" as const, budget: 2 };
    const run = await runTask(task, external);
    expect(run.optimizer).toBe("fake");
    expect(run.values).toHaveLength(2);
    expect(run.values[0]).toBeCloseTo(getProblem("branin").objective({ x0: 2.5, x1: 7.5 }), 12);
    // Its third suggestion is refused with {"error": …}, which fails the run.
    await expect(runTask({ ...task, budget: 3 }, external)).rejects.toThrow(/fake on branin \(seed 3\) failed at suggestion 3: .*enough/);
  });

  it("renders plots and quantiles sensibly", () => {
    expect(quantileOf([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantileOf([1, 2, Infinity], 0.5)).toBe(2);
    expect(quantileOf([1, Infinity, Infinity], 0.5)).toBe(Infinity);
    const svg = renderLinePlot({
      title: "a < b",
      xLabel: "x",
      yLabel: "y",
      series: [{ name: "s", x: [1, 2, 3], y: [0, Number.NaN, 1] }],
    });
    expect(svg).toContain("a &lt; b");
    expect(svg).not.toContain("NaN");
  });
});
