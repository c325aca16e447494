#!/usr/bin/python3
"""Real tuning problems for the baselines harness: scikit-learn models tuned by k-fold
cross-validation on datasets scikit-learn ships (nothing is downloaded). Issue 14.

The harness (../shared/baselines, or a copy such as /tmp/baselines) is imported, not
copied: give its folder with --baselines DIR or BASELINES_DIR. This script adds its
problems to the harness's problem table and then runs the harness's own CLI, so every
harness option works (--optimizers, --external, --seeds, --evals, --jobs, --out, ...).

    # all optimizers, 5 seeds x 40 evaluations (the issue's protocol); ours via the JSON-lines protocol
    BASELINES_DIR=/tmp/baselines PROJECT_DIR=$PWD /usr/bin/python3 tools/sklearn_harness.py run \
        --optimizers random,optuna-tpe,protein-metta \
        --external "protein-ts=node $BASELINES_DIR/examples/protein_sweep_external.mjs" \
        --seeds 5 --evals 40 --jobs 1 --out /tmp/sk.json
    # tables (merged; a later file wins per (problem, optimizer, seed)): regret against the best
    # value known, and the share of suggestions with a parameter exactly on a bound
    BASELINES_DIR=/tmp/baselines /usr/bin/python3 tools/sklearn_harness.py report [--ref PROBLEM=VALUE ...] [--compact] /tmp/sk.json [more.json=LABEL ...]
    # the long search that determined BEST_KNOWN (see there)
    BASELINES_DIR=/tmp/baselines /usr/bin/python3 tools/sklearn_harness.py best --problem sk-gbr-diabetes

Every evaluation is deterministic: fixed fold split (shuffled with random_state=0), fixed
model seed (random_state=0), one BLAS/OpenMP thread. The observed score is the true score.
The cost reported to the optimizers is a deterministic proxy of the fit's work, not its wall
time (which is not reproducible); see each problem. Scikit-learn 1.2 (Debian python3-sklearn).
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import json
import math
import sys
import warnings

import numpy as np


def _baselines_dir() -> str:
    argv = sys.argv
    for i, a in enumerate(argv):
        if a == "--baselines" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--baselines="):
            return a.split("=", 1)[1]
    d = os.environ.get("BASELINES_DIR")
    if not d:
        sys.exit("give the harness folder: --baselines DIR or BASELINES_DIR=DIR (e.g. /tmp/baselines)")
    return d


BASELINES = os.path.abspath(_baselines_dir())
os.environ["BASELINES_DIR"] = BASELINES  # spawned harness workers re-import this module
if BASELINES not in sys.path:
    sys.path.insert(0, BASELINES)

import problems as HP  # noqa: E402  (the harness's modules)
import run_baselines as RB  # noqa: E402
from spaces import spec  # noqa: E402

# ---------------------------------------------------------------------------
# Best values known (the regret is measured against these). Each was found once by a long
# search (`best` subcommand: a dense grid for the 2-d problem; for the others the best of
# random search, Optuna TPE and protein-sweep runs, then a coordinate-wise polish of the
# best points), see BEST_HOW. `report` warns if a run found a better one and then uses it.

# None: not determined yet (the long search was not run for lack of time on 2026-11-30); the
# regret is then measured against the best value any run in the report reached, which `report`
# states. Run `best --problem P` and record the value here.
BEST_KNOWN = {
    "sk-svc-digits": 1.556298773690079,  # C 4.8849, gamma 2.7508e-4
    "sk-gbr-diabetes": None,
    "sk-mlp-wine": None,
}
BEST_HOW = {
    "sk-svc-digits": "`best`: 20 x 20 log grid, 100 TPE steps, coordinate polish; 516 evaluations, 2026-11-30",
    "sk-gbr-diabetes": "",
    "sk-mlp-wine": "",
}

# ---------------------------------------------------------------------------
# Data and models (loaded lazily, once per process).

_DATA: dict = {}


def _data(name: str):
    if name not in _DATA:
        from sklearn import datasets

        if name == "digits":
            X, y = datasets.load_digits(return_X_y=True)
            X, y = X[::2], y[::2]  # every second image: 899 of 1797, to keep a fit ~0.1 s
        elif name == "diabetes":
            X, y = datasets.load_diabetes(return_X_y=True)
        elif name == "wine":
            X, y = datasets.load_wine(return_X_y=True)
        else:
            raise KeyError(name)
        _DATA[name] = (X, y)
    return _DATA[name]


def _cv(kind: str, k: int):
    from sklearn.model_selection import KFold, StratifiedKFold

    return (StratifiedKFold if kind == "stratified" else KFold)(n_splits=k, shuffle=True, random_state=0)


def svc_digits(p: dict):
    """Error rate (%) of an RBF SVC, 3-fold stratified CV on half of `digits`. Cost: support
    vectors summed over the folds / 100 (an SVC's fit and predict work grows with them).

    The cost is not constant on purpose: with a constant cost, two evaluations with the same
    error (common: the error takes few values) dominate each other in Metta's Pareto front
    (`pareto_points_oriented` counts a tie as better), the front comes out empty and its
    resample step fails ("need at least one array to stack")."""
    from sklearn.model_selection import cross_validate
    from sklearn.svm import SVC

    X, y = _data("digits")
    res = cross_validate(SVC(C=p["C"], gamma=p["gamma"]), X, y, cv=_cv("stratified", 3), scoring="accuracy", return_estimator=True)
    err = 100.0 * (1.0 - float(np.mean(res["test_score"])))
    return err, sum(int(est.n_support_.sum()) for est in res["estimator"]) / 100.0


def gbr_diabetes(p: dict):
    """Mean squared error of gradient boosting, 3-fold CV on `diabetes` (442 rows).
    Cost: n_estimators x subsample (trees fitted, weighted by the rows each sees)."""
    from sklearn.ensemble import GradientBoostingRegressor
    from sklearn.model_selection import cross_val_score

    X, y = _data("diabetes")
    model = GradientBoostingRegressor(
        learning_rate=p["learning_rate"],
        n_estimators=int(p["n_estimators"]),
        max_depth=int(p["max_depth"]),
        subsample=p["subsample"],
        min_samples_leaf=int(p["min_samples_leaf"]),
        random_state=0,
    )
    mse = -float(np.mean(cross_val_score(model, X, y, cv=_cv("plain", 3), scoring="neg_mean_squared_error")))
    return mse, float(p["n_estimators"]) * float(p["subsample"])


def mlp_wine(p: dict):
    """Log-loss of a one-hidden-layer MLP (standardized inputs, Adam, at most 200 epochs),
    5-fold stratified CV on `wine` (178 rows). Cost: hidden units x epochs run, summed over
    the folds, / 1000 (deterministic: the epochs run depend only on the fixed seed)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import cross_validate
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = _data("wine")
    h = int(p["hidden_units"])
    model = make_pipeline(
        StandardScaler(),
        MLPClassifier(
            hidden_layer_sizes=(h,),
            alpha=p["alpha"],
            learning_rate_init=p["learning_rate_init"],
            max_iter=200,
            random_state=0,
        ),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=ConvergenceWarning)
        res = cross_validate(model, X, y, cv=_cv("stratified", 5), scoring="neg_log_loss", return_estimator=True)
    loss = -float(np.mean(res["test_score"]))
    epochs = sum(int(est[-1].n_iter_) for est in res["estimator"])
    return loss, h * epochs / 1000.0


SK_SPECS = {
    "sk-svc-digits": dict(
        fn=svc_digits,
        params={"C": spec("log_normal", 1e-2, 1e4), "gamma": spec("log_normal", 1e-6, 1e0)},
        description="SVC (RBF): C, gamma; CV error % on half of digits (3-fold), cost support vectors / 100",
    ),
    "sk-gbr-diabetes": dict(
        fn=gbr_diabetes,
        params={
            "learning_rate": spec("log_normal", 1e-3, 1.0),
            "n_estimators": spec("int_uniform", 10, 150),
            "max_depth": spec("int_uniform", 1, 6),
            "subsample": spec("uniform", 0.2, 1.0),
            "min_samples_leaf": spec("int_uniform", 1, 50),
        },
        description="GradientBoostingRegressor: 5 params; CV MSE on diabetes (3-fold), cost n_estimators x subsample",
    ),
    "sk-mlp-wine": dict(
        fn=mlp_wine,
        params={
            "alpha": spec("log_normal", 1e-6, 10.0),
            "learning_rate_init": spec("log_normal", 1e-4, 1e-1),
            "hidden_units": spec("int_uniform", 2, 128),
        },
        description="MLPClassifier: alpha, learning_rate_init, hidden units; CV log-loss on wine (5-fold), cost units x epochs / 1000",
    ),
}


def _make_problem(name: str, sp: dict):
    fn = sp["fn"]

    def evaluate(params, rng):
        y, cost = fn(params)
        return y, y, cost

    optimum = BEST_KNOWN.get(name)
    return HP.Problem(
        name,
        "minimize",
        {k: dict(v) for k, v in sp["params"].items()},
        0.0 if optimum is None else float(optimum),  # provisional until BEST_KNOWN is set; `report` recomputes
        evaluate,
        n_evals=40,
        description=sp["description"],
        default=True,
        noise_free=True,
    )


def sk_problems() -> dict:
    return {n: _make_problem(n, sp) for n, sp in SK_SPECS.items()}


_harness_all_problems = HP.all_problems


def all_problems_with_sklearn() -> dict:
    out = dict(_harness_all_problems())
    for n, p in out.items():
        p.default = False  # `run` defaults to the scikit-learn problems only
    out.update(sk_problems())
    return out


# Register with the harness: run_baselines looks problems up through this name.
HP.all_problems = all_problems_with_sklearn
RB.all_problems = all_problems_with_sklearn


# ---------------------------------------------------------------------------
# Report: regret against the best value known, and parameters on a bound.

CONTINUOUS = ("uniform", "log_normal", "logit_normal")


def _unit(v: float, sp: dict) -> float:
    """A value's position in [0, 1] in its parameter's natural scale (log for log_normal,
    log(1 - v) for logit_normal), so that "on a bound" means the same for every kind."""
    d, lo, hi = sp["distribution"], float(sp["min"]), float(sp["max"])
    if d in ("log_normal", "uniform_pow2"):
        return (math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo))
    if d == "logit_normal":
        return (math.log(1 - v) - math.log(1 - lo)) / (math.log(1 - hi) - math.log(1 - lo))
    return (v - lo) / (hi - lo)


def _at(v: float, sp: dict) -> int:
    """-1 at the minimum, +1 at the maximum (within 1e-9 of the normalized range), else 0."""
    u = _unit(float(v), sp)
    return -1 if u <= 1e-9 else (1 if u >= 1 - 1e-9 else 0)


def _q(xs, q):
    return float(np.percentile(np.asarray(xs, dtype=float), q)) if len(xs) else float("nan")


def _fmt(x):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if x == 0:
        return "0"
    if abs(x) < 1e-3 or abs(x) >= 1e5:
        return f"{x:.2e}"
    return f"{x:.3g}"


def load_runs(paths):
    """Runs of result files (a later file wins per (problem, optimizer, seed)). `FILE=LABEL` relabels the
    file's runs (two runs of the same external carry the same label); a `.jsonl` file is the harness's
    `.partial.jsonl` of an unfinished or stopped run (its finished runs, one per line)."""
    runs, meta = {}, {}
    for path in paths:
        path, _, label = path.partition("=")
        if path.endswith(".jsonl"):
            data = {"meta": {"problems": {}}, "runs": [json.loads(line) for line in open(path) if line.strip()]}
            data["runs"] = [r for r in data["runs"] if "problem" in r]
        else:
            data = json.load(open(path))
        meta.update(data["meta"]["problems"])
        for r in data["runs"]:
            if label:
                r = dict(r, optimizer=label)
            runs[(r["problem"], r["optimizer"], r["seed"])] = r
    return list(runs.values()), meta


# `report --ref PROBLEM=VALUE`: measure the regret against VALUE (e.g. the reference of a recorded table, so
# that new runs line up with it) instead of the best value known or seen.
REF_OVERRIDE: dict = {}


def best_seen(runs, problem):
    vals = [min(r["true_scores"]) for r in runs if r["problem"] == problem and r["ok"] and r["true_scores"]]
    return min(vals) if vals else None


def compact(paths) -> str:
    """One table for every problem: median regret (IQR), runs, bound shares, median total cost."""
    runs, meta = load_runs(paths)
    lines = [
        "| problem | optimizer | runs | median regret (IQR) | on a bound (continuous) | ≤ 1 % of a bound (continuous; per parameter: % ≤ 1 % from its min / max) | any parameter on a bound | median total cost |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    opts = []
    for r in runs:
        if r["optimizer"] not in opts:
            opts.append(r["optimizer"])
    for p in SK_SPECS:
        space = SK_SPECS[p]["params"]
        cont = [k for k, s in space.items() if s["distribution"] in CONTINUOUS]
        known, seen = BEST_KNOWN.get(p), best_seen(runs, p)
        if seen is None:
            continue
        ref = REF_OVERRIDE.get(p, seen if known is None else min(known, seen))
        for o in opts:
            ro = [r for r in runs if r["problem"] == p and r["optimizer"] == o and r["ok"]]
            if not ro:
                continue
            finals = [min(r["true_scores"]) - ref for r in ro]
            params = [q for r in ro for q in (r.get("params") or [])]
            n = max(len(params), 1)
            on = sum(any(_at(q[k], space[k]) for k in cont) for q in params)
            near = sum(any(min(_unit(q[k], space[k]), 1 - _unit(q[k], space[k])) <= 0.01 for k in cont) for q in params)
            anyb = sum(any(_at(q[k], space[k]) for k in space) for q in params)
            per = ", ".join(
                f"{k} {100 * sum(_unit(q[k], space[k]) <= 0.01 for q in params) / n:.0f} / {100 * sum(_unit(q[k], space[k]) >= 0.99 for q in params) / n:.0f}"
                for k in cont
            )
            lines.append(
                f"| {p} | {o} | {len(ro)} | {_fmt(_q(finals, 50))} ({_fmt(_q(finals, 25))} – {_fmt(_q(finals, 75))}) | "
                f"{100 * on / n:.1f} % | {100 * near / n:.1f} % ({per}) | {100 * anyb / n:.1f} % | {_fmt(_q([sum(r['costs']) for r in ro], 50))} |"
            )
    return "\n".join(lines)


def report(paths, per_param=True) -> str:
    runs, meta = load_runs(paths)
    probs = [p for p in SK_SPECS if any(r["problem"] == p for r in runs)]
    opts = []
    for r in runs:
        if r["optimizer"] not in opts:
            opts.append(r["optimizer"])
    lines = []
    for p in probs:
        space = SK_SPECS[p]["params"]
        known = BEST_KNOWN.get(p)
        seen = best_seen(runs, p)
        ref = known if known is not None else seen
        note = ""
        if p in REF_OVERRIDE:
            ref = REF_OVERRIDE[p]
            note = f"regret against {ref:.6g} (--ref); best of these runs {seen:.6g}"
        elif known is None:
            note = f"no recorded best value: regret against the best of these runs, {seen:.6g}"
        elif seen is not None and seen < known - 1e-12:
            note = f"WARNING: a run found {seen:.6g}, better than the recorded best {known:.6g}; regret uses {seen:.6g}"
            ref = seen
        else:
            note = f"best known {known:.6g} ({BEST_HOW.get(p, '')}); best of these runs {seen:.6g}"
        rs = [r for r in runs if r["problem"] == p]
        n_evals = sorted({r["n_evals"] for r in rs})
        seeds = sorted({r["seed"] for r in rs})
        lines.append(f"### {p}: {SK_SPECS[p]['description']}")
        lines.append("")
        lines.append(f"{'/'.join(map(str, n_evals))} evaluations, seeds {seeds[0]}..{seeds[-1]}; {note}")
        lines.append("")
        cont = [k for k, s in space.items() if s["distribution"] in CONTINUOUS]
        ints = [k for k in space if k not in cont]
        head = "| optimizer | median regret | IQR (q25 – q75) | median best score | median total cost | on a bound: continuous | any parameter | continuous within 1 % of a bound |"
        if per_param:
            head += " " + " | ".join(f"{k}{'' if k in cont else ' (int)'}" for k in space) + " |"
        lines.append(head)
        lines.append("|" + "---|" * (head.count("|") - 1))
        for o in opts:
            ro = [r for r in rs if r["optimizer"] == o and r["ok"]]
            if not ro:
                continue
            finals = [min(r["true_scores"]) - ref for r in ro]
            bests = [min(r["true_scores"]) for r in ro]
            costs = [sum(r["costs"]) for r in ro]
            params = [q for r in ro for q in (r.get("params") or [])]
            n = len(params)
            any_cont = sum(any(_at(q[k], space[k]) for k in cont) for q in params)
            any_all = sum(any(_at(q[k], space[k]) for k in space) for q in params)
            near = sum(any(min(_unit(q[k], space[k]), 1 - _unit(q[k], space[k])) <= 0.01 for k in cont) for q in params)
            row = (
                f"| {o} | {_fmt(_q(finals, 50))} | {_fmt(_q(finals, 25))} – {_fmt(_q(finals, 75))} | {_fmt(_q(bests, 50))} | "
                f"{_fmt(_q(costs, 50))} | {100 * any_cont / n:.1f} % | {100 * any_all / n:.1f} % | {100 * near / n:.1f} % |" if n else
                f"| {o} | {_fmt(_q(finals, 50))} | {_fmt(_q(finals, 25))} – {_fmt(_q(finals, 75))} | {_fmt(_q(bests, 50))} | "
                f"{_fmt(_q(costs, 50))} | – | – | – |"
            )
            if per_param:
                cells = []
                for k in space:
                    if not n:
                        cells.append("–")
                        continue
                    lo_n = sum(_at(q[k], space[k]) == -1 for q in params)
                    hi_n = sum(_at(q[k], space[k]) == 1 for q in params)
                    cells.append(f"{100 * lo_n / n:.0f} / {100 * hi_n / n:.0f} %")
                row += " " + " | ".join(cells) + " |"
            lines.append(row)
        lines.append("")
        if per_param:
            lines.append(
                "On a bound: share of suggestions with a parameter exactly at its minimum or maximum (within 1e-9 of "
                "its range in its natural scale: log for log_normal); per parameter: at its minimum / at its maximum."
            )
            lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# The long search for the best value known.


def _random_point(space, rng):
    from spaces import sample_uniform

    return sample_uniform(space, rng)


def best_search(name: str, n_random: int, n_tpe: int, polish_rounds: int, seed: int = 12345, log=print):
    """Best value of a problem by: a dense grid (2-d problems) or random search, then Optuna
    TPE from those points, then a coordinate-wise polish of the best point (each parameter
    stepped by shrinking amounts in its natural scale). Returns (best value, params, evaluations)."""
    sp = SK_SPECS[name]
    space, fn = sp["params"], sp["fn"]
    rng = np.random.default_rng(seed)
    seen = {}

    def ev(q):
        key = tuple(sorted(q.items()))
        if key not in seen:
            seen[key] = fn(q)[0]
        return seen[key]

    pts = []
    if len(space) == 2 and all(s["distribution"] == "log_normal" for s in space.values()):
        (k1, s1), (k2, s2) = space.items()
        g = int(math.sqrt(n_random))
        for a in np.linspace(math.log10(s1["min"]), math.log10(s1["max"]), g):
            for b in np.linspace(math.log10(s2["min"]), math.log10(s2["max"]), g):
                pts.append({k1: float(10**a), k2: float(10**b)})
    else:
        pts = [_random_point(space, rng) for _ in range(n_random)]
    for i, q in enumerate(pts):
        ev(q)
        if (i + 1) % 200 == 0:
            log(f"{name}: {i + 1}/{len(pts)} grid/random, best {min(seen.values()):.6g}")
    if n_tpe:
        import optuna

        from spaces import from_optuna, to_optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed), direction="minimize")
        dists = to_optuna(space)
        for _ in range(n_tpe):
            t = study.ask(fixed_distributions=dists)
            study.tell(t, ev(from_optuna(t.params, space)))
        log(f"{name}: after TPE best {min(seen.values()):.6g}")
    best_key = min(seen, key=seen.get)
    best = dict(best_key)
    for rnd in range(polish_rounds):
        improved = False
        for k, s in space.items():
            d = s["distribution"]
            for step in (0.5, 0.2, 0.05, 0.01):
                for sign in (-1, 1):
                    q = dict(best)
                    if d == "log_normal":
                        v = 10 ** (math.log10(q[k]) + sign * step * (math.log10(s["max"]) - math.log10(s["min"])))
                    elif d == "int_uniform":
                        v = q[k] + sign * max(1, round(step * (s["max"] - s["min"])))
                    else:
                        v = q[k] + sign * step * (s["max"] - s["min"])
                    v = min(max(v, s["min"]), s["max"])
                    q[k] = int(round(v)) if d == "int_uniform" else float(v)
                    if ev(q) < ev(best):
                        best, improved = q, True
        log(f"{name}: polish round {rnd + 1}: best {ev(best):.6g} at {best}")
        if not improved:
            break
    return ev(best), best, len(seen)


# ---------------------------------------------------------------------------


def main(argv):
    args = [a for i, a in enumerate(argv) if not (a == "--baselines" or (i > 0 and argv[i - 1] == "--baselines") or a.startswith("--baselines="))]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    cmd, rest = args[0], args[1:]
    if cmd == "run":
        return RB.main(rest)
    if cmd == "report":
        while "--ref" in rest:
            i = rest.index("--ref")
            prob, _, val = rest[i + 1].partition("=")
            REF_OVERRIDE[prob] = float(val)
            del rest[i : i + 2]
        if rest and rest[0] == "--compact":
            print(compact(rest[1:]))
        else:
            print(report(rest))
        return 0
    if cmd == "best":
        import argparse

        ap = argparse.ArgumentParser(prog="sklearn_harness.py best")
        ap.add_argument("--problem", required=True, choices=list(SK_SPECS))
        ap.add_argument("--random", type=int, default=900, help="grid points (2-d) or random points")
        ap.add_argument("--tpe", type=int, default=300)
        ap.add_argument("--polish", type=int, default=5)
        a = ap.parse_args(rest)
        val, params, n = best_search(a.problem, a.random, a.tpe, a.polish, log=lambda s: print(s, file=sys.stderr, flush=True))
        print(json.dumps({"problem": a.problem, "best": val, "params": params, "evaluations": n}))
        return 0
    sys.exit(f"unknown command {cmd!r}: run | report | best")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
