#!/usr/bin/python3
"""Times LAPACK's Cholesky (numpy.linalg.cholesky -> dpotrf) single-threaded, at the sizes of bench/linalg.bench.ts.

Command (Debian python3-numpy, OpenBLAS pinned to one thread):
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 /usr/bin/python3 tools/bench-numpy-cholesky.py

Input: X X^T / n + I with X uniform on [-1, 1) (seeded numpy Generator), as in the TypeScript bench. Each timed
call includes the copy numpy makes of its input, like the copy before every factorization in the TS bench.
Prints one line per size: mean and min over the repetitions, in milliseconds.
"""
import os
import sys
import time

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")  # must be set before numpy loads its BLAS

import numpy as np  # noqa: E402


def spd(n: int) -> np.ndarray:
    rng = np.random.default_rng(0xC0FFEE + n)
    x = rng.uniform(-1.0, 1.0, size=(n, n))
    return x @ x.T / n + np.eye(n)


def main() -> None:
    sizes = [int(s) for s in sys.argv[1].split(",")] if len(sys.argv) > 1 else [100, 300, 750, 1500]
    threads = {v: os.environ.get(v) for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    print(f"numpy {np.__version__}, threads {threads}")
    sink = 0.0
    for n in sizes:
        a = spd(n)
        reps = max(10, min(2000, int(2e9 / n**3)))
        for _ in range(3):
            sink += np.linalg.cholesky(a)[-1, -1]
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            sink += np.linalg.cholesky(a)[-1, -1]
            times.append(time.perf_counter() - t0)
        mean = 1e3 * sum(times) / len(times)
        print(f"linalg:cholesky:n={n} numpy/LAPACK mean {mean:.4f} ms  min {1e3 * min(times):.4f} ms  ({reps} reps)")
    assert np.isfinite(sink)


if __name__ == "__main__":
    main()
