#!/usr/bin/env python3
"""Generate the Sobol direction-number table and the Sobol test fixtures.

Run from the repository root with Debian's system interpreter (python3-numpy,
python3-scipy; tested with numpy 1.24.2, scipy 1.10.1):

    /usr/bin/python3 tools/make-sobol-fixtures.py

Writes two files:

* src/random/sobol-directions.ts -- the primitive polynomials and initial
  direction numbers m_1..m_s of the first MAX_DIM dimensions, taken from the
  table scipy ships (scipy/stats/_sobol_direction_numbers.npz, which holds
  Joe & Kuo's new-joe-kuo-6.21201 set: arrays `poly` and `vinit`).
* test/fixtures/sobol.json -- scipy's unscrambled Sobol points (which start at
  the origin) for a few dimensions, the last dimensions of the table, and
  scipy's centred L2 discrepancy of a few point sets, so the TypeScript tests
  can check the sequence and the discrepancy formula without Python.
"""

import json
import os
import sys

import numpy as np
import scipy
from scipy.stats import qmc

MAX_DIM = 1111
COMMAND = "/usr/bin/python3 tools/make-sobol-fixtures.py"
NPZ = os.path.join(os.path.dirname(scipy.__file__), "stats", "_sobol_direction_numbers.npz")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def degree(poly: int) -> int:
    return int(poly).bit_length() - 1


def write_directions() -> None:
    table = np.load(NPZ)
    poly = table["poly"][:MAX_DIM]
    vinit = table["vinit"][:MAX_DIM]
    # One flat list: for each dimension, its polynomial followed by its s
    # initial direction numbers (s = degree of the polynomial; s = 0 for the
    # first dimension, whose direction numbers are all 1).
    flat = []
    for d in range(MAX_DIM):
        s = degree(poly[d])
        flat.append(int(poly[d]))
        flat.extend(int(v) for v in vinit[d, :s])
        if d > 0:
            assert all(int(v) == 0 for v in vinit[d, s:]), d
        # m_k must be odd and below 2^k.
        for k in range(s):
            m = int(vinit[d, k])
            assert m % 2 == 1 and m < 2 ** (k + 1), (d, k, m)

    lines = []
    row = []
    width = 0
    for value in flat:
        text = str(value)
        if width + len(text) + 1 > 110:
            lines.append(",".join(row) + ",")
            row, width = [], 0
        row.append(text)
        width += len(text) + 1
    lines.append(",".join(row))

    header = f"""// GENERATED FILE -- do not edit by hand.
// Regenerate with: {COMMAND}
//
// Sobol direction numbers of Joe & Kuo, set new-joe-kuo-6.21201 (S. Joe and
// F. Y. Kuo, "Constructing Sobol sequences with better two-dimensional
// projections", SIAM J. Sci. Comput. 30, 2635-2654, 2008), first {MAX_DIM}
// dimensions, read from the copy scipy {scipy.__version__} ships in
// scipy/stats/_sobol_direction_numbers.npz (arrays `poly`, `vinit`).
//
// Layout of SOBOL_TABLE: for each dimension in order, the primitive polynomial
// as an integer (bit i = coefficient of x^i, leading and constant terms
// included; degree s = bit length - 1), followed by its s initial direction
// numbers m_1..m_s (m_k odd, m_k < 2^k). The first dimension has polynomial 1
// (s = 0): all its direction numbers are 1 (van der Corput sequence).
"""
    body = (
        header
        + "\n/** Number of dimensions in {@link SOBOL_TABLE}. */\n"
        + f"export const SOBOL_MAX_DIM = {MAX_DIM};\n\n"
        + "/** Polynomials and initial direction numbers, flattened (see the header). */\n"
        + "export const SOBOL_TABLE: readonly number[] = [\n  "
        + "\n  ".join(lines)
        + ",\n];\n"
    )
    path = os.path.join(ROOT, "src", "random", "sobol-directions.ts")
    with open(path, "w") as f:
        f.write(body)
    print(f"wrote {path} ({len(flat)} numbers, {len(body)} bytes)")


def write_fixture() -> None:
    n = 256
    unscrambled = {}
    for d in (1, 2, 5, 64):
        pts = qmc.Sobol(d, scramble=False).random(n)
        unscrambled[str(d)] = pts.tolist()
    # The last dimensions of the table, to check the whole table was carried over.
    last = qmc.Sobol(MAX_DIM, scramble=False).random(64)[:, MAX_DIM - 8 :]

    rng = np.random.default_rng(20240611)
    plain = rng.random((64, 5))
    discrepancy = {
        "sobol_d5_n256": float(qmc.discrepancy(np.array(unscrambled["5"]), method="CD")),
        "random_n64_d5": {
            "points": plain.tolist(),
            "cd": float(qmc.discrepancy(plain, method="CD")),
        },
    }

    out = {
        "generator": COMMAND,
        "source": f"scipy {scipy.__version__} scipy.stats.qmc.Sobol(d, scramble=False).random(n); "
        "scipy.stats.qmc.discrepancy(x, method='CD')",
        "n": n,
        "unscrambled": unscrambled,
        "lastDims": {"dim": MAX_DIM, "firstColumn": MAX_DIM - 8, "n": 64, "points": last.tolist()},
        "centeredL2": discrepancy,
    }
    path = os.path.join(ROOT, "test", "fixtures", "sobol.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    if sys.version_info < (3, 8):
        raise SystemExit("needs Python 3.8+")
    write_directions()
    write_fixture()
