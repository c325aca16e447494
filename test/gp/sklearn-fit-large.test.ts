/**
 * As sklearn-fit.test.ts, for the fixture datasets with n ≥ 200 (a separate file to keep each under ~10 s):
 * a fit without priors reaches at least scikit-learn's fitted LML − 1e-4, and our LML at sklearn's optimum
 * equals sklearn's.
 */
import { describeSklearnFit } from "./sklearn-fit-cases";

describeSklearnFit("GP fit vs scikit-learn's fitted optimum (priors off), n ≥ 200", (ds) => ds.n >= 200);
