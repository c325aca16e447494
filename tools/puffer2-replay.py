#!/usr/bin/python3
"""Replays a `preset: "pufferlib"` sweep into the Python PufferLib 2.0 Protein and prints, after each suggest,
the GP hyperparameters on both sides (docs/benchmarks.md, "Issue 14, stop 20").

The TS side is a trace written by tools/harness-trace-external.mjs. The Python side is the baselines harness's
`protein-puffer2` adapter (seeded as the harness seeds it). It is given the TS sweep's params, scores and costs
in order, and suggests before each observation as in a real sweep, so its Adam steps happen at the same points.
Its own suggestions are discarded.

    npm run build
    cd /tmp/baselines && PROTEIN_SETTINGS='{"preset":"pufferlib"}' PROJECT_DIR=/work/main TRACE_DIR=/tmp/trace-p6 \
      /usr/bin/python3 run_baselines.py --optimizers none --problems branin --seeds 1 --seed-offset 6 --jobs 1 \
      --external "ts-puffer=node /work/main/tools/harness-trace-external.mjs" --out /tmp/trace-p6.json
    BASELINES_DIR=/tmp/baselines /usr/bin/python3 tools/puffer2-replay.py branin 6 /tmp/trace-p6/branin-s6.jsonl 14

With --bounds (after the other arguments) it prints, instead of the GP states, where each side's suggestion lands
at each state: the parameters exactly on a bound of their range, for the TS suggestion made at that state and for
the suggestion the Python Protein would make there, and at the end the share of suggestions with a parameter on a
bound on each side. The states are the TS sweep's, so a difference in that share is a difference in the rule that
picks the winner, not in the path a sweep takes.
"""
import json
import os
import sys

sys.path.insert(0, os.environ.get("BASELINES_DIR", "/tmp/baselines"))
import optimizers  # noqa: E402
import problems  # noqa: E402


def main() -> None:
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    name, seed, trace_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    bounds = "--bounds" in sys.argv
    args = [a for a in sys.argv if a != "--bounds"]
    steps = int(args[4]) if len(args) > 4 else 20
    rows = [json.loads(line) for line in open(trace_path)]
    suggestions = [r for r in rows if r["op"] == "suggest"]
    observations = [r for r in rows if r["op"] == "observe"]
    problem = problems.all_problems()[name]
    python = optimizers.ProteinPuffer2(problem, seed)
    gp = python.protein.gp_score
    on_bound = {"ts": 0, "python": 0}
    rows_compared = 0
    for i in range(min(steps, len(observations))):
        proposal = python.suggest()
        if bounds:
            ts_keys = keys_on_bound(problem.params, suggestions[i]["params"])
            py_keys = keys_on_bound(problem.params, proposal)
            if suggestions[i]["info"].get("phase") == "model":
                rows_compared += 1
                on_bound["ts"] += bool(ts_keys)
                on_bound["python"] += bool(py_keys)
            print(f"{i:3d}  {suggestions[i]['info'].get('phase', '?'):6s}  ts on a bound: {','.join(ts_keys) or '-':24s} python: {','.join(py_keys) or '-'}")
        else:
            k = gp.kernel
            model = suggestions[i]["info"].get("scoreModel") or {}
            noise = float(gp.noise.detach()) if i > 0 else float("nan")
            lengthscales = [round(float(v), 4) for v in k.kern1.lengthscale.detach().reshape(-1)]
            print(
                f"{i:3d}  python: lengthscales {lengthscales} noise {noise:.4g} matern var {float(k.kern1.variance):.4g}"
                f" linear var {float(k.kern0.variance):.4g} bias {float(k.kern0.bias):.4g}"
                f"  |  ts: lengthscale range {[round(v, 4) for v in model.get('lengthscaleRange', [])]} noise {model.get('noise')}"
            )
        python.observe(suggestions[i]["params"], observations[i]["score"], observations[i]["cost"])

    if bounds and rows_compared:
        print(
            f"model steps {rows_compared}: a parameter on a bound in {on_bound['ts'] / rows_compared:.1%} of the TS suggestions,"
            f" {on_bound['python'] / rows_compared:.1%} of the Python Protein's at the same states"
        )


def keys_on_bound(space: dict, params: dict) -> list:
    """The parameters whose value is exactly the minimum or the maximum of their range."""
    return [k for k, spec in space.items() if "min" in spec and float(params[k]) in (float(spec["min"]), float(spec["max"]))]


if __name__ == "__main__":
    main()
