// Checks the built package's suggestAsync(), ESM and CJS: the worker entry is found next to the
// module that starts it, and its suggestions equal suggest()'s. Run after `npm run build`:
//   node tools/check-built-suggest-async.cjs
const assert = require("node:assert/strict");
const path = require("node:path");

const config = {
  sweep: {
    metric: "score",
    goal: "maximize",
    parameters: {
      lr: { distribution: "log_normal", min: 1e-5, max: 1e-1, scale: "auto" },
      clip: { distribution: "uniform", min: 0, max: 1 },
      train: { total_timesteps: { distribution: "log_normal", min: 1e5, max: 1e8, scale: "auto" } },
    },
  },
};

async function check(format, Protein) {
  const sync = new Protein(config, { seed: 8, numRandomSamples: 4 });
  const async = new Protein(config, { seed: 8, numRandomSamples: 4 });
  for (let step = 0; step < 12; step++) {
    const a = sync.suggest();
    const b = await async.suggestAsync();
    assert.deepStrictEqual(b, a, `${format}: step ${step} differs`);
    const score = -((Math.log10(a.params.lr) + 3) ** 2) - (a.params.clip - 0.4) ** 2 + Math.log10(a.params.train.total_timesteps) * 0.1;
    sync.observe(a.params, score, a.params.train.total_timesteps / 1e4);
    async.observe(b.params, score, b.params.train.total_timesteps / 1e4);
  }
  assert.equal(async.suggestionCount, 12);
  console.log(`${format}: suggestAsync equals suggest over 12 steps (worker entry resolved from the built package)`);
}

(async () => {
  const dist = path.join(__dirname, "..", "dist");
  await check("cjs", require(path.join(dist, "index.cjs")).Protein);
  await check("esm", (await import(path.join(dist, "index.js"))).Protein);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
