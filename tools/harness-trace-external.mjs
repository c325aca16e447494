// An external optimizer for the baselines harness (/tmp/baselines/run_baselines.py) that speaks the same JSON-lines
// protocol as its examples/protein_sweep_external.mjs and also writes, per run, one line per suggest and observe to
// TRACE_DIR/<problem>-s<seed>.jsonl: the suggestion's params and info (the output warping chosen, the cost-cooling α,
// the predicted score and cost, the fit summaries) and the observed score and cost. Used to see what a setting does
// along the harness's sweeps (docs/benchmarks.md, issue 14 round 4):
//   npm run build
//   cd /tmp/baselines && PROJECT_DIR=/work/wt-NAME TRACE_DIR=/tmp/trace-auto PROTEIN_SETTINGS='{"outputWarping":"auto"}' \
//     /usr/bin/python3 run_baselines.py --optimizers none --problems trainrun --seeds 8 --jobs 1 \
//     --external "protein-ts=node /work/wt-NAME/tools/harness-trace-external.mjs" --out /tmp/trace-auto.json
// PROJECT_DIR is the built checkout to load (default: the one this file is in); PROTEIN_SETTINGS (JSON) adds settings.
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";

const dir = process.env.PROJECT_DIR || join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
const P = await import(pathToFileURL(join(dir, pkg.exports["."].import.default)).href);
const extra = JSON.parse(process.env.PROTEIN_SETTINGS || "{}");
const traceDir = process.env.TRACE_DIR || "";
if (traceDir) mkdirSync(traceDir, { recursive: true });

let protein = null;
let traceFile = "";
const trace = (o) => {
  if (traceFile) appendFileSync(traceFile, JSON.stringify(o) + "\n");
};
const reply = (o) => process.stdout.write(JSON.stringify(o) + "\n");
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  let msg;
  try {
    msg = JSON.parse(line);
  } catch {
    reply({ error: "bad json" });
    continue;
  }
  try {
    if (msg.op === "init") {
      protein = new P.Protein(msg.config ?? msg.space, { seed: msg.seed ?? 0, ...(msg.settings ?? {}), ...extra });
      traceFile = traceDir ? join(traceDir, `${msg.problem ?? "problem"}-s${msg.seed ?? 0}.jsonl`) : "";
      if (traceFile) appendFileSync(traceFile, "", { flag: "w" });
      trace({ op: "init", problem: msg.problem, seed: msg.seed, settings: extra, goal: msg.config?.goal });
      reply({ ok: true });
    } else if (msg.op === "suggest") {
      const s = protein.suggest();
      trace({ op: "suggest", params: s.params, info: s.info });
      reply({ params: s.params, info: s.info });
    } else if (msg.op === "observe") {
      protein.observe(msg.params, msg.score, msg.cost ?? 1, { isFailure: !!msg.is_failure });
      trace({ op: "observe", score: msg.score, cost: msg.cost });
      reply({ ok: true });
    } else if (msg.op === "close") {
      break;
    } else reply({ error: `unknown op ${msg.op}` });
  } catch (e) {
    reply({ error: String(e?.stack ?? e).slice(0, 500) });
  }
}
