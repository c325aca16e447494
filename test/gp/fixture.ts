/** Loader of test/fixtures/gp-sklearn.json (written by tools/make-gp-fixtures.py). */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface Case {
  kernel: "matern52" | "matern32" | "rbf";
  linear: boolean;
  hyperparameters: { outputScale: number; lengthscales: number[]; noise: number; offset?: number; linearScale?: number };
  lml: number;
  gradient: number[];
  mean: number[];
  std: number[];
  fitted?: { lml: number; outputScale: number; lengthscales: number[]; noise: number };
}
export interface Dataset {
  name: string;
  n: number;
  d: number;
  X: number[];
  y: number[];
  Xtest: number[];
  cases: Case[];
}

const here = dirname(fileURLToPath(import.meta.url));
export const fixture = JSON.parse(readFileSync(join(here, "../fixtures/gp-sklearn.json"), "utf8")) as {
  generator: string;
  datasets: Dataset[];
};

