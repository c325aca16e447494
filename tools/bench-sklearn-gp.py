#!/usr/bin/python3
"""scikit-learn's side of bench/gp-vs-sklearn.ts (which runs this script; it is not meant to be run alone).

    /usr/bin/python3 tools/bench-sklearn-gp.py DATA.json RESTARTS

Fits GaussianProcessRegressor with ConstantKernel * Matern(nu=1.5, one length scale per dimension)
+ WhiteKernel, alpha = 0, normalize_y = False, from scale 1, length scales 1, noise 1e-2, bounds
equal to src/gp's (scale 1e-4..1e4, length scales 1e-3..1e3, noise 1e-6..1e1), L-BFGS-B with
RESTARTS extra random starts. Prints one JSON line: wall seconds of fit(), the log marginal
likelihood reached, the library versions and BLAS threads.
"""
import json
import os
import sys
import time

import numpy as np
import scipy
import sklearn
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

data = json.load(open(sys.argv[1]))
restarts = int(sys.argv[2])
d = data["d"]
X = np.array(data["X"], dtype=float).reshape(-1, d)
y = np.array(data["y"], dtype=float)
kernel = ConstantKernel(1.0, (1e-4, 1e4)) * Matern(np.ones(d), (1e-3, 1e3), nu=1.5) + WhiteKernel(1e-2, (1e-6, 1e1))
gpr = GaussianProcessRegressor(kernel=kernel, alpha=0.0, normalize_y=False, n_restarts_optimizer=restarts, random_state=0)
t0 = time.perf_counter()
gpr.fit(X, y)
seconds = time.perf_counter() - t0
print(json.dumps({
    "seconds": seconds,
    "lml": float(gpr.log_marginal_likelihood_value_),
    "sklearn": sklearn.__version__,
    "numpy": np.__version__,
    "scipy": scipy.__version__,
    "threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
}))
