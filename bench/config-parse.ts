/**
 * Time to parse (or refuse) adversarial and typical sweep configs: the denial-of-service
 * cases of issue 9 and the real fixtures. Median of BENCH_RUNS (5) runs after 2 warm-up runs.
 *
 *   npx tsx bench/config-parse.ts                      # all cases
 *   BENCH_SKIP_SLOW=1 npx tsx bench/config-parse.ts    # skip the cases that took seconds before the fix
 *   BENCH_RUNS=1 BENCH_SKIP_HUGE=1 npx tsx bench/config-parse.ts   # one cold run each, without the 300k-key case
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseSweepConfig } from "../src/config";

const junk = `${"1".repeat(40_000)}x`;
const keys = (n: number) => Array.from({ length: n }, (_, i) => `k${i}: ${i}`).join("\n");
const nearLimit = (() => {
  let s = "sweep:\n  metric: m\n  goal: maximize\n  parameters:\n    lr: {distribution: log_normal, min: 0.00001, max: 0.01}\n  env:\n";
  for (let i = 0; s.length < 65_000; i++) s += `    k${i}: ${i}\n`;
  return s;
})();
const slow = process.env.BENCH_SKIP_SLOW !== "1";
const huge = process.env.BENCH_SKIP_HUGE !== "1";
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const fixtures = join(import.meta.dirname, "..", "test", "fixtures", "configs");

const cases: Array<[string, string, boolean]> = [
  ['YAML, 40k-char "111…1x" as min', `sweep:\n  metric: m\n  goal: maximize\n  parameters:\n    lr: {distribution: uniform, min: "${junk}", max: 1}\n`, true],
  ['INI, 40k-char "111…1x" as min', `[sweep]\nmetric = s\ngoal = maximize\n[sweep.train.lr]\ndistribution = uniform\nmin = ${junk}\nmax = 1\n`, true],
  ["YAML, 40k keys (refused: size)", keys(40_000), true],
  ...(huge ? [["YAML, 300k keys (refused: size)", keys(300_000), true] as [string, string, boolean]] : []),
  ["YAML, 64 KiB with 7k keys under env:", nearLimit, false],
  ["YAML, 5,000 nested [ ]", `train: ${"[".repeat(5000)}${"]".repeat(5000)}\n`, false],
  ...readdirSync(fixtures).filter((f) => !f.startsWith("bad")).map((f): [string, string, boolean] => [`fixture ${f}`, readFileSync(join(fixtures, f), "utf8"), false]),
];

function time(text: string): number {
  const start = performance.now();
  try {
    parseSweepConfig(text, {});
  } catch {
    // refused: the time to refuse is what is measured
  }
  return performance.now() - start;
}

console.log(`| case | chars | median ms (${RUNS} runs) |\n|---|---:|---:|`);
for (const [name, text, isSlow] of cases) {
  if (isSlow && !slow) continue;
  if (RUNS > 1) {
    time(text);
    time(text);
  }
  const runs = Array.from({ length: RUNS }, () => time(text)).sort((a, b) => a - b);
  console.log(`| ${name} | ${text.length} | ${runs[Math.floor(RUNS / 2)].toFixed(2)} |`);
}
