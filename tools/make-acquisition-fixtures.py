#!/usr/bin/python3
"""Reference values for src/acquisition/ (safe-math, EI, log-EI).

Command (run from the repository root, Debian's python3 with python3-scipy and python3-mpmath):

    /usr/bin/python3 tools/make-acquisition-fixtures.py > test/fixtures/acquisition-special.json

Contents
  normal:  z on [-40, 10]; scipy.special.ndtr(z) and scipy.special.log_ndtr(z).
  logH:    u on [-40, 10]; log h(u), h(u) = phi(u) + u*Phi(u) = E[max(Z + u, 0)],
           evaluated with mpmath at 60 significant digits (the subtraction phi + u*Phi
           cancels badly for very negative u, so float64 formulas cannot be the reference);
           cross-checked against scipy (log of phi + u*ndtr) where that is accurate (u > -5).
  ei:      (mean, variance, best) rows with EI = sigma*h((mean-best)/sigma) and log EI,
           mpmath at 60 digits; EI is 0 in float64 when it underflows, log EI stays finite.
"""
import json
import sys

import mpmath
import numpy as np
import scipy
import scipy.special as sp

mpmath.mp.dps = 60

COMMAND = "/usr/bin/python3 tools/make-acquisition-fixtures.py > test/fixtures/acquisition-special.json"


def grid():
    zs = set(np.round(np.arange(-40.0, 10.0 + 1e-9, 0.125), 6).tolist())
    zs.update([-38.5, -37.5, -10.0000001, -9.9999999, -1.0000001, -0.9999999, -1e-3, 1e-3, 0.0,
               -25.3, -13.7, -7.77, -3.3, 2.5, 5.5, 8.25, 9.9])
    return sorted(float(z) for z in zs)


def mp_h(u):
    u = mpmath.mpf(u)
    return mpmath.npdf(u) + u * mpmath.ncdf(u)


def main():
    zs = grid()
    normal = [
        {"z": z, "ndtr": float(sp.ndtr(z)), "log_ndtr": float(sp.log_ndtr(z))} for z in zs
    ]

    log_h = []
    for u in zs:
        ref = float(mpmath.log(mp_h(u)))
        if u > -5:
            approx = float(np.log(sp.ndtr(u) * u + np.exp(-0.5 * u * u) / np.sqrt(2 * np.pi)))
            assert abs(approx - ref) <= 1e-12 * max(1.0, abs(ref)), (u, approx, ref)
        log_h.append({"u": u, "logH": ref})

    rng = np.random.default_rng(20240611)
    ei = []
    rows = [
        (0.0, 1.0, 0.0), (1.0, 1.0, 0.0), (-1.0, 1.0, 0.0), (0.5, 0.04, 0.7), (0.2, 1e-6, 0.9),
        (0.0, 1e-4, 1.0), (0.0, 0.01, 3.0), (2.0, 4.0, -1.0), (-5.0, 0.25, 5.0), (1e3, 1e2, 1e3),
    ]
    for _ in range(40):
        rows.append((float(rng.normal(0, 2)), float(10 ** rng.uniform(-6, 1)), float(rng.normal(0, 2))))
    for mean, var, best in rows:
        s = mpmath.sqrt(mpmath.mpf(var))
        u = (mpmath.mpf(mean) - mpmath.mpf(best)) / s
        v = s * mp_h(u)
        ei.append({"mean": mean, "variance": var, "best": best, "ei": float(v), "logEi": float(mpmath.log(v))})

    out = {
        "generator": COMMAND,
        "versions": {"scipy": scipy.__version__, "numpy": np.__version__, "mpmath": mpmath.__version__},
        "normal": normal,
        "logH": log_h,
        "ei": ei,
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
