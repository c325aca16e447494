#!/usr/bin/python3
"""Reference values for one model step of `preset: "pufferlib"` (test/protein/puffer2-step.test.ts): PufferLib 2.0's
own `pufferlib/sweep.py::Protein`, as the baselines harness loads it, given a fixed list of observations and asked
for one suggestion.

Command (needs the harness copy with the Python Protein, pyro and opt_einsum fetched: see the baselines README §2 and
docs/benchmarks.md, issue 14; the fetched code is never committed):
    BASELINES_DIR=/tmp/baselines /usr/bin/python3 tools/make-puffer2-step-fixtures.py > test/fixtures/puffer2-step.json

The Python Protein runs unchanged, in its own float32 parameters. Three things are pinned or read so that the TS side
can take the same step:
- the noise's starting value (the score GP's Delta guide, a prior draw in PufferLib) is set to a given number;
- every random draw of the step (numpy's centre indices, the uniform offsets, the cost target) is recorded;
- the index `np.argmax` picks is recorded, with the margin to the best candidate at another point, so that a case
  whose winner rests on a difference below float32's resolution is not used.
Also recorded: the GP hyperparameters after the step's fit, and the winner's rating and predictions.
"""
import contextlib
import io
import json
import math
import os
import sys

sys.path.insert(0, os.environ.get("BASELINES_DIR", "/tmp/baselines"))
import optimizers  # noqa: E402
from problems import branin  # noqa: E402

SWEEP = optimizers._load(optimizers.PUFFER2_SWEEP_PY, "pufferlib2_sweep")

import numpy as np  # noqa: E402  (after the loader, which puts the fetched pyro on the path)
import pyro  # noqa: E402
import torch  # noqa: E402


def constant_cost_case(seed):
    """Branin, maximized as −f, on its usual box; every cost 1 (the harness's cost-free rows)."""
    config = {
        "method": "Protein", "metric": "score", "goal": "maximize",
        "x1": {"distribution": "uniform", "min": -5.0, "max": 10.0, "mean": 2.5, "scale": "auto"},
        "x2": {"distribution": "uniform", "min": 0.0, "max": 15.0, "mean": 7.5, "scale": "auto"},
    }
    rng = np.random.default_rng(seed)
    params = [{"x1": 2.5, "x2": 7.5}] + [{"x1": float(rng.uniform(-5, 10)), "x2": float(rng.uniform(0, 15))} for _ in range(11)]
    params.append({"x1": 10.0, "x2": 3.0})  # one run on a face, as the sweeps that stick have
    scores = [-branin(p["x1"], p["x2"]) for p in params]
    return config, params, scores, [1.0] * len(params)


def varying_cost_case(seed):
    """A learning rate, a width and the timesteps (the cost); cost ∝ timesteps, the score rises with them."""
    config = {
        "method": "Protein", "metric": "score", "goal": "maximize",
        "learning_rate": {"distribution": "log_normal", "min": 1e-4, "max": 1e-1, "mean": 3e-3, "scale": "auto"},
        "width": {"distribution": "uniform", "min": 0.0, "max": 1.0, "mean": 0.5, "scale": "auto"},
        "total_timesteps": {"distribution": "log_normal", "min": 1e5, "max": 1e8, "mean": 1e6, "scale": "auto"},
    }
    rng = np.random.default_rng(seed)
    params = [{"learning_rate": 3e-3, "width": 0.5, "total_timesteps": 1e6}]
    for _ in range(15):
        params.append({
            "learning_rate": float(10 ** rng.uniform(-4, -1)),
            "width": float(rng.uniform(0, 1)),
            "total_timesteps": float(10 ** rng.uniform(5, 8)),
        })
    scores = [
        -((math.log10(p["learning_rate"]) + 2.5) ** 2) - 0.5 * (p["width"] - 0.3) ** 2 + 0.4 * math.log10(p["total_timesteps"])
        for p in params
    ]
    costs = [p["total_timesteps"] / 1e4 * (1 + 0.1 * math.sin(7 * i)) for i, p in enumerate(params)]
    return config, params, scores, costs


def draw_target(seed, front, m, d):
    """The cost target's uniform when numpy is seeded with `seed` and m candidates in d dimensions, around `front`
    centres, are drawn first (as sweep.py draws them)."""
    state = np.random.RandomState(seed)
    state.randint(0, front, m)
    state.rand(m, d)
    return state.rand()


def step(name, seed, make, noise, per_pareto, target_above=None):
    config, params, scores, costs = make(seed)
    optimizers._seed_globals(seed)
    with contextlib.redirect_stdout(io.StringIO()):
        protein = SWEEP.Protein(config, suggestions_per_pareto=per_pareto)
    for p, s, c in zip(params, scores, costs):
        protein.observe(p, s, c)
    if target_above is not None:
        # Reseed numpy (which only the candidates and the target draw from) so that the cost target is high: the
        # weight 1 − |t − ĉ| is then negative near the cheap runs, and the expensive end of the front wins.
        front = len(SWEEP.pareto_points(protein.success_observations)[0])
        d = len(config) - 3
        draw_seed = next(s for s in range(10_000) if 1.25 * draw_target(s, front, front * per_pareto, d) > target_above)
        np.random.seed(draw_seed)
    with torch.no_grad():
        protein.gp_score.noise_map_unconstrained.fill_(math.log(noise))

    draws = {"centers": [], "uniforms": [], "target": None}
    real_randint, real_rand, real_argmax = np.random.randint, np.random.rand, np.argmax
    picked = {}

    def randint(*args):
        out = real_randint(*args)
        draws["centers"] = out.tolist()
        return out

    def rand(*args):
        out = real_rand(*args)
        if args:
            draws["uniforms"] = out.tolist()
        else:
            draws["target"] = float(out)
        return out

    def argmax(values):
        values = np.asarray(values, dtype=float)
        best = int(real_argmax(values))
        # The runner-up among the candidates at other points (clipping makes copies of a point on the faces).
        other = np.any(candidates["C"] != candidates["C"][best], axis=1)
        picked.update(index=best, rating=float(values[best]), margin=float(values[best] - values[other].max()))
        return best

    sample = protein.hyperparameters.sample
    candidates = {}

    def recording_sample(n, mu=None, scale=1):
        out = sample(n, mu=mu, scale=scale)
        candidates["C"] = out
        return out

    protein.hyperparameters.sample = recording_sample
    np.random.randint, np.random.rand, np.argmax = randint, rand, argmax
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            _suggestion, info = protein.suggest(None)
    finally:
        np.random.randint, np.random.rand, np.argmax = real_randint, real_rand, real_argmax

    k = protein.gp_score.kernel
    return {
        "name": name,
        "config": config,
        "X": [protein.hyperparameters.from_dict(p).tolist() for p in params],
        "scores": scores,
        "costs": costs,
        "initialNoise": noise,
        "suggestionsPerPareto": per_pareto,
        "draws": draws,
        "fitted": {
            "linearVariance": float(k.kern0.variance),
            "bias": float(k.kern0.bias),
            "maternVariance": float(k.kern1.variance),
            "lengthscales": [float(v) for v in k.kern1.lengthscale.detach().reshape(-1)],
            "noise": float(protein.gp_score.noise_map),
        },
        "winner": {**picked, "row": candidates["C"][picked["index"]].tolist()},
        "predicted": {key: float(v) for key, v in info.items()},
    }


def main():
    cases = [
        step("constant-cost-branin", 4, constant_cost_case, 0.0149, 64),
        step("varying-cost-d3", 7, varying_cost_case, 0.0072, 32),
        step("varying-cost-d3-high-target", 11, varying_cost_case, 0.0102, 32, target_above=1.15),
    ]
    for c in cases:
        # The test asks the same of the fixture: a lead of more than 1e-3 of the winner's rating.
        if c["winner"]["margin"] <= 1e-3 * abs(c["winner"]["rating"]):
            sys.exit(f"{c['name']}: the winner leads the runner-up by only {c['winner']['margin']:.3g}; pick another seed")
    out = {
        "generatedBy": "BASELINES_DIR=/tmp/baselines /usr/bin/python3 tools/make-puffer2-step-fixtures.py > test/fixtures/puffer2-step.json",
        "versions": {"torch": torch.__version__, "pyro": pyro.__version__, "numpy": np.__version__},
        "cases": cases,
    }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
