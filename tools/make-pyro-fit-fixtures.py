#!/usr/bin/python3
"""Reference values for the "pyro" GP fit (test/gp/pyro-fit.test.ts): pyro's GPRegression with the Python
Protein's kernel Sum(Polynomial(degree=1), Matern32), trained by pyro.contrib.gp.util.train with torch's Adam,
in float64, the way Metta's metta/sweep/protein.py (create_gp) and PufferLib 2.0's pufferlib/sweep.py do it.

Command (needs the harness's fetched pyro and opt_einsum, see the baselines README §2; never committed):
    BASELINES_VENDOR=/tmp/baselines/vendor /usr/bin/python3 tools/make-pyro-fit-fixtures.py > test/fixtures/pyro-fit.json

Each case: a seeded data set, then two fits with the same model and optimizer (the second after more rows were
added, warm from the first, as the Protein does from one suggestion to the next). Recorded after each fit:
pyro's parameters (polynomial variance and bias, Matern variance and lengthscales, noise) and the loss
(negative log marginal likelihood, plus the negative log noise prior for PufferLib) at the final parameters.
"""
import json
import math
import os
import sys

VENDOR = os.environ.get("BASELINES_VENDOR", "/tmp/baselines/vendor")
sys.path[:0] = [os.path.join(VENDOR, "pyro-1.8.6"), os.path.join(VENDOR, "opt_einsum-3.3.0")]

import numpy as np  # noqa: E402
import pyro  # noqa: E402
import torch  # noqa: E402
from pyro.contrib import gp  # noqa: E402
from pyro.infer import TraceMeanField_ELBO  # noqa: E402

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)


def make_model(d, jitter, lr, noise, noise_prior):
    X = torch.zeros((1, d))
    y = torch.zeros((1,))
    matern = gp.kernels.Matern32(input_dim=d, lengthscale=torch.ones(d))
    poly = gp.kernels.Polynomial(input_dim=d, degree=1)
    model = gp.models.GPRegression(X, y, kernel=gp.kernels.Sum(poly, matern), jitter=jitter)
    if noise_prior:
        model.noise = pyro.nn.PyroSample(pyro.distributions.LogNormal(math.log(1e-2), 0.5))
        model.noise_map = torch.tensor(noise)  # the Delta guide's start (PufferLib: a prior draw)
    else:
        model.noise = torch.tensor(noise)
    return model, torch.optim.Adam(model.parameters(), lr=lr)


def params(model, noise_prior):
    k = model.kernel
    model.set_mode("guide")
    noise = model.noise_map if noise_prior else model.noise
    return {
        "linearVariance": float(k.kern0.variance),
        "bias": float(k.kern0.bias),
        "maternVariance": float(k.kern1.variance),
        "lengthscales": [float(v) for v in k.kern1.lengthscale.detach().reshape(-1)],
        "noise": float(noise),
    }


def case(name, seed, n0, n1, d, jitter, lr, steps, noise, noise_prior):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n1, d))
    f = np.sin(3 * X[:, 0]) + 0.5 * X[:, 1] ** 2 - 0.3 * X[:, -1] + 0.05 * rng.standard_normal(n1)
    pyro.clear_param_store()
    model, opt = make_model(d, jitter, lr, noise, noise_prior)
    loss_fn = TraceMeanField_ELBO().differentiable_loss
    fits = []
    for n in (n0, n1):
        y = f[:n]
        y = (y - y.mean()) / (y.std() + 1e-12)
        model.set_data(torch.from_numpy(X[:n]), torch.from_numpy(y))
        model.train()
        gp.util.train(model, opt, num_steps=steps)
        model.eval()
        with torch.no_grad():
            loss = float(loss_fn(model.model, model.guide))
        fits.append({"n": n, "params": params(model, noise_prior), "loss": loss})
    return {"name": name, "seed": seed, "d": d, "X": X.tolist(), "f": f.tolist(), "jitter": jitter, "learningRate": lr, "steps": steps, "initialNoise": noise, "noisePrior": noise_prior, "fits": fits}


def main():
    cases = [
        case("metta-d3", 1, 12, 20, 3, 1e-3, 1e-2, 1000, 1e-2, False),
        case("metta-d5-short", 2, 15, 25, 5, 1e-3, 1e-2, 50, 1e-2, False),
        case("pufferlib-d3", 3, 12, 20, 3, 1e-4, 1e-4, 1000, 0.013, True),
    ]
    out = {
        "generatedBy": "BASELINES_VENDOR=/tmp/baselines/vendor /usr/bin/python3 tools/make-pyro-fit-fixtures.py > test/fixtures/pyro-fit.json",
        "versions": {"torch": torch.__version__, "pyro": pyro.__version__, "numpy": np.__version__},
        "cases": cases,
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
