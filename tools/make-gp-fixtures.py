#!/usr/bin/python3
"""Reference values for src/gp from scikit-learn's GaussianProcessRegressor.

Command (from the repository root, Debian's python3-sklearn):
    /usr/bin/python3 tools/make-gp-fixtures.py

Writes test/fixtures/gp-sklearn.json. For each dataset (n from 1 to 300, d from 1 to 20, one with
duplicate rows, one with constant outputs) and each kernel, with hyperparameters fixed:
  - the log marginal likelihood and its gradient w.r.t. sklearn's theta, mapped to our order
    [log outputScale, log lengthscale_0..d-1, (log offset,) log noise]  (sklearn's own order for
    C*Matern + White is the same; for C*(DotProduct + Matern) + White it is [log C, log sigma_0,
    log lengthscales..., log noise] and sigma_0**2 is our offset, so d/dlog(offset) = d/dlog(sigma_0) / 2);
  - the posterior mean and standard deviation at test points (sklearn's std includes the
    WhiteKernel noise, i.e. it is the predictive std of a new observation);
and sklearn's fitted optimum (L-BFGS-B, n_restarts_optimizer = 4, bounds equal to ours).

Our model: K = outputScale * k(X, X; lengthscales) + noise * I, constant mean 0, no output
normalization -- the same as sklearn's ConstantKernel * Matern + WhiteKernel with alpha = 0 and
normalize_y = False. For the Protein kernel: outputScale * (x.x' + offset + Matern32(x, x')).
"""
import json
import math
import os
import sys

import numpy as np
import sklearn
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, DotProduct, Matern, WhiteKernel

GENERATOR = "/usr/bin/python3 tools/make-gp-fixtures.py"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "gp-sklearn.json")

# Same bounds as DEFAULT_GP_BOUNDS in src/gp/gp.ts.
B_SCALE = (1e-4, 1e4)
B_LS = (1e-3, 1e3)
B_NOISE = (1e-6, 1e1)
B_OFFSET = (1e-4, 1e4)


def base_kernel(name, ls, ls_bounds="fixed"):
    if name == "rbf":
        return RBF(length_scale=ls, length_scale_bounds=ls_bounds)
    nu = 2.5 if name == "matern52" else 1.5
    return Matern(length_scale=ls, nu=nu, length_scale_bounds=ls_bounds)


def make_kernel(name, linear, scale, ls, noise, offset, bounds=False):
    cb = B_SCALE if bounds else "fixed"
    lb = B_LS if bounds else "fixed"
    nb = B_NOISE if bounds else "fixed"
    inner = base_kernel(name, ls, lb)
    if linear:
        # sigma_0**2 = offset; bounds on sigma_0 are the square roots of ours on the offset.
        ob = (math.sqrt(B_OFFSET[0]), math.sqrt(B_OFFSET[1])) if bounds else "fixed"
        inner = DotProduct(sigma_0=math.sqrt(offset), sigma_0_bounds=ob) + inner
    return ConstantKernel(scale, constant_value_bounds=cb) * inner + WhiteKernel(noise, noise_level_bounds=nb)


def free_kernel(name, linear, scale, ls, noise, offset):
    """Same kernel with all hyperparameters free (for the gradient and for fitting)."""
    return make_kernel(name, linear, scale, ls, noise, offset, bounds=True)


def our_order_grad(grad, d, linear):
    g = list(grad)
    if not linear:
        return g  # [log C, log ls..., log noise]
    # sklearn: [log C, log sigma_0, log ls..., log noise] -> ours [log C, log ls..., log offset, log noise]
    return [g[0]] + g[2 : 2 + d] + [g[1] / 2.0] + [g[2 + d]]


def function_values(X, rng):
    d = X.shape[1]
    w = rng.normal(size=d)
    return np.sin(X @ w) + 0.3 * np.cos(3 * X[:, 0]) + 0.05 * rng.normal(size=X.shape[0])


def dataset(name, n, d, rng, duplicates=False, constant=False, spread=1.0):
    X = rng.uniform(-spread, spread, size=(n, d))
    if duplicates and n >= 4:
        X[n // 2 :] = X[: n - n // 2]  # second half repeats the first
    y = np.full(n, 0.7) if constant else function_values(X, rng)
    Xt = rng.uniform(-1.5 * spread, 1.5 * spread, size=(8, d))
    return dict(name=name, n=n, d=d, X=X, y=y, Xtest=Xt)


def main():
    rng = np.random.default_rng(20240601)
    datasets = [
        dataset("n1-d1", 1, 1, rng),
        dataset("n2-d1", 2, 1, rng),
        dataset("n6-d2", 6, 2, rng),
        dataset("n20-d3-duplicates", 20, 3, rng, duplicates=True),
        dataset("n25-d4-constant", 25, 4, rng, constant=True),
        dataset("n40-d1", 40, 1, rng),
        dataset("n60-d20", 60, 20, rng),
        dataset("n100-d10", 100, 10, rng),
        dataset("n150-d5-wide", 150, 5, rng, spread=3.0),
        dataset("n300-d6", 300, 6, rng),
    ]
    out = []
    for ds in datasets:
        X, y, Xt, d = ds["X"], ds["y"], ds["Xtest"], ds["d"]
        cases = []
        kinds = [("matern52", False), ("matern32", False), ("rbf", False), ("matern32", True)]
        for name, linear in kinds:
            scale = float(rng.uniform(0.5, 2.0))
            ls = rng.uniform(0.4, 2.0, size=d) * math.sqrt(d)
            noise = float(10 ** rng.uniform(-3, -1))
            offset = float(rng.uniform(0.5, 2.0)) if linear else 1.0
            k = free_kernel(name, linear, scale, ls, noise, offset)
            gpr = GaussianProcessRegressor(kernel=k, alpha=0.0, optimizer=None, normalize_y=False)
            gpr.fit(X, y)
            lml, grad = gpr.log_marginal_likelihood(gpr.kernel_.theta, eval_gradient=True)
            mean, std = gpr.predict(Xt, return_std=True)
            case = dict(
                kernel=name,
                linear=linear,
                hyperparameters=dict(
                    outputScale=scale, lengthscales=ls.tolist(), noise=noise,
                    **({"offset": offset, "linearScale": 1.0} if linear else {}),
                ),
                lml=float(lml),
                gradient=our_order_grad(grad, d, linear),
                mean=mean.tolist(),
                std=std.tolist(),
            )
            if not linear:
                # sklearn's fitted optimum from the defaults (scale 1, ls 1, noise 1e-2), 4 restarts.
                k0 = free_kernel(name, False, 1.0, np.ones(d), 1e-2, 1.0)
                fit = GaussianProcessRegressor(
                    kernel=k0, alpha=0.0, normalize_y=False, n_restarts_optimizer=4, random_state=0
                ).fit(X, y)
                th = np.exp(fit.kernel_.theta)
                case["fitted"] = dict(
                    lml=float(fit.log_marginal_likelihood_value_),
                    outputScale=float(th[0]),
                    lengthscales=th[1 : 1 + d].tolist(),
                    noise=float(th[1 + d]),
                )
            cases.append(case)
        out.append(dict(
            name=ds["name"], n=ds["n"], d=d,
            X=X.ravel().tolist(), y=y.tolist(), Xtest=Xt.ravel().tolist(), cases=cases,
        ))
        print(ds["name"], "done", file=sys.stderr)
    doc = dict(
        generator=GENERATOR,
        sklearn=sklearn.__version__,
        numpy=np.__version__,
        model="K = outputScale*k(X,X) + noise*I, mean 0, normalize_y=False, alpha=0",
        gradientOrder="[log outputScale, log lengthscale_0..d-1, (log offset,) log noise]",
        bounds=dict(outputScale=B_SCALE, lengthscale=B_LS, noise=B_NOISE, offset=B_OFFSET),
        datasets=out,
    )
    with open(OUT, "w") as f:
        json.dump(doc, f)
        f.write("\n")
    print("wrote", os.path.normpath(OUT), os.path.getsize(OUT), "bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
