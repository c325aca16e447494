/**
 * A fit without priors reaches at least scikit-learn's fitted LML − 1e-4 on every fixture dataset
 * (fixtures from tools/make-gp-fixtures.py), and our LML at sklearn's optimum equals sklearn's.
 */
import { describeSklearnFit } from "./sklearn-fit-cases";

describeSklearnFit("GP fit vs scikit-learn's fitted optimum (priors off), n < 200", (ds) => ds.n < 200);
