/**
 * The report layer's error: a bad argument to a summary function (an unknown goal, a k that is
 * not a positive integer, a gate that cannot be read). Nothing is recorded by the report, so a
 * bad input never loses data; the message names the key, the value, what is allowed and the fix.
 */
import { ProteinError } from "../errors";

export class ReportError extends ProteinError {}
