"""Where the baselines harness's `trainrun` budget goes, per optimizer (issue 14, stop 24).

Reads result files of `run_baselines.py` (JSON, or a run's `.partial.jsonl`; later files win per
(optimizer, seed)) and prints, over the seeds of each optimizer:

  - the median regret after 25 % of the cost budget, and for the better and the worse half of the
    seeds by that regret: the evaluation of the first long run (more than 2e8 timesteps) within the
    quarter, and the cost spent within the quarter on long runs whose quality was below 0.7;
  - the median best quality after 10, 20, ..., 60 evaluations and the median cost spent after them.

Quality is trainrun's true score without its timesteps factor: the harness's own `trainrun_true`
at an unbounded number of timesteps (so the factor is 1), read from the harness's problems.py.

    BASELINES_DIR=/tmp/baselines /usr/bin/python3 tools/trainrun-spend.py /tmp/r/newdef-0.json /tmp/r/def-0.json ...
"""
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.environ.get("BASELINES_DIR", "/tmp/baselines"))
from problems import all_problems, trainrun_true  # noqa: E402

LONG_RUN_STEPS = 2e8
LOW_QUALITY = 0.7


def quality(p):
    return trainrun_true(p["learning_rate"], p["batch_size"], p["gamma"], p["num_layers"], math.inf)


def load(paths):
    runs = {}
    for path in paths:
        with open(path) as f:
            rows = [json.loads(line) for line in f if line.strip()] if path.endswith(".jsonl") else json.load(f)["runs"]
        for r in rows:
            if r.get("problem") == "trainrun" and r.get("ok", True):
                runs.setdefault(r["optimizer"], {})[r["seed"]] = r
    return runs


def main(paths):
    problem = all_problems()["trainrun"]
    quarter = 0.25 * problem.cost_budget
    for name, by_seed in load(paths).items():
        rows = []
        for seed in sorted(by_seed):
            r = by_seed[seed]
            spent = np.cumsum(r["costs"])
            k = int(np.sum(spent <= quarter))
            best = max(r["true_scores"][:k]) if k > 0 else 0.0
            q = [quality(p) for p in r["params"]]
            long_runs = [i for i in range(k) if r["params"][i]["total_timesteps"] > LONG_RUN_STEPS]
            first_long = long_runs[0] + 1 if long_runs else math.inf
            wasted = sum(r["costs"][i] for i in long_runs if q[i] < LOW_QUALITY)
            rows.append((problem.optimum - best, first_long, wasted, np.maximum.accumulate(q), spent))
        rows.sort(key=lambda row: row[0])
        half = len(rows) // 2
        print(f"{name} ({len(rows)} seeds): regret @25 % {np.median([row[0] for row in rows]):.3f}")
        for label, part in (("better half", rows[:half]), ("worse half", rows[half:])):
            print(f"  {label}: first long run at evaluation {np.median([row[1] for row in part]):g}, "
                  f"spent on long runs at quality < {LOW_QUALITY}: {np.median([row[2] for row in part]):.0f} s")
        evals = [e for e in range(10, 61, 10) if all(len(row[3]) >= e for row in rows)]
        print("  evaluations      " + " ".join(f"{e:>7d}" for e in evals))
        print("  best quality     " + " ".join(f"{np.median([row[3][e - 1] for row in rows]):7.2f}" for e in evals))
        print("  cost spent (s)   " + " ".join(f"{np.median([row[4][e - 1] for row in rows]):7.0f}" for e in evals))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
