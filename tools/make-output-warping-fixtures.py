#!/usr/bin/python3
"""Reference values for src/protein/output-warping.ts (Box-Cox and Yeo-Johnson).

Command (run from the repository root, Debian's python3 with python3-scipy and python3-numpy):

    /usr/bin/python3 tools/make-output-warping-fixtures.py > test/fixtures/output-warping.json

Contents: a few fixed samples (log-normal, Gaussian, heavy-tailed, mixed-sign), each with
  boxcox:     scipy.stats.boxcox(x) -> maximum-likelihood lambda and the transformed values (positive samples only)
  boxcoxLlf:  scipy.stats.boxcox_llf(lambda, x) at a few lambdas
  yeojohnson: scipy.stats.yeojohnson(x) -> maximum-likelihood lambda and the transformed values
  yeojohnsonLlf: scipy.stats.yeojohnson_llf(lambda, x) at a few lambdas
The samples are written out in full, so the tests never need Python or numpy's generator.
"""
import json

import numpy as np
import scipy
from scipy import stats

COMMAND = "/usr/bin/python3 tools/make-output-warping-fixtures.py > test/fixtures/output-warping.json"
LAMBDAS = [-2.0, -0.5, 0.0, 0.5, 1.0, 2.5]


def samples():
    rng = np.random.RandomState(14)
    out = {
        "lognormal": np.exp(rng.normal(0.0, 2.0, 40)),
        "gaussian": 5.0 + rng.normal(0.0, 1.0, 40),
        "heavy": np.concatenate([rng.uniform(0.05, 1.0, 30), 10.0 ** rng.uniform(2.0, 6.0, 10)]),
        "leftskew": 10.0 - np.exp(rng.normal(0.0, 0.7, 30)),
        "mixedsign": rng.normal(0.0, 1.0, 25) ** 3,
    }
    return {k: [float(v) for v in x] for k, x in out.items()}


def main():
    rows = []
    for name, x in samples().items():
        a = np.array(x)
        row = {"name": name, "x": x}
        if np.all(a > 0):
            t, lam = stats.boxcox(a)
            row["boxcox"] = {"lambda": float(lam), "values": [float(v) for v in t]}
            row["boxcoxLlf"] = [{"lambda": l, "llf": float(stats.boxcox_llf(l, a))} for l in LAMBDAS]
        t, lam = stats.yeojohnson(a)
        row["yeojohnson"] = {"lambda": float(lam), "values": [float(v) for v in t]}
        row["yeojohnsonLlf"] = [{"lambda": l, "llf": float(stats.yeojohnson_llf(l, a))} for l in LAMBDAS]
        rows.append(row)
    json.dump({"command": COMMAND, "scipy": scipy.__version__, "numpy": np.__version__, "samples": rows}, fp=__import__("sys").stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
