"""Reference p-values for test/quality-stats.test.ts: scipy's two-sided Mann-Whitney U test, normal
approximation with tie and continuity corrections (method="asymptotic"). Debian python3-scipy 1.10.1.

    /usr/bin/python3 tools/make-mannwhitney-values.py
"""
from scipy.stats import mannwhitneyu

CASES = {
    "ties": ([0.1, 0.5, 0.5, 2.0, 3.0, 0.7, 0.05, 1.2], [0.3, 0.5, 2.5, 4.0, 3.5, 0.9, 1.1]),
    "separated": (list(range(1, 11)), list(range(11, 23))),
}
for name, (a, b) in CASES.items():
    print(name, repr(mannwhitneyu(a, b, alternative="two-sided", method="asymptotic").pvalue))
