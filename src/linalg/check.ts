/**
 * Argument checks shared by the checked linalg entries. O(1): they look at sizes, never at entries.
 */
import { ProteinError } from "../errors";

/** Throws unless `n` is a non-negative safe integer. */
export function checkOrder(n: number, key = "n"): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new ProteinError("matrix order must be a non-negative integer", {
      key,
      value: n,
      allowed: "an integer >= 0",
      fix: "pass the number of rows of the square matrix",
    });
  }
}

/** Throws unless `arr` holds at least `size` entries. */
export function checkLength(arr: Float64Array, size: number, key: string, shape: string): void {
  if (!(arr instanceof Float64Array) || arr.length < size) {
    throw new ProteinError(`${key} is too short for a ${shape} array`, {
      key: `${key}.length`,
      value: arr instanceof Float64Array ? arr.length : typeof arr,
      allowed: `a Float64Array with at least ${size} entries (${shape}, row-major)`,
      fix: `allocate ${key} as new Float64Array(${size})`,
    });
  }
}
