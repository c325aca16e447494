import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ObservationError } from "../../src/errors";
import {
  FORBIDDEN_KEYS,
  MAX_DEPTH,
  createObservationsHeader,
  decodeObservations,
  encodeObservationLine,
  encodeObservations,
  isTruncatedJson,
  parseObservation,
  type NestedParams,
  type Observation,
  type ObservationsHeader,
} from "../../src/observations";

const TS = "2025-01-31T12:00:00.000Z";
const header: ObservationsHeader = createObservationsHeader({
  config: { method: "protein", parameters: { trainer: { lr: { distribution: "log_normal", min: 1e-5, max: 0.1 } } } },
  spaceFingerprint: "fp-1",
  createdAt: TS,
});

function obs(params: NestedParams, score: number | null = 0.5, extra: Partial<Observation> = {}): Observation {
  return { params, score, cost: 10, isFailure: score === null, timestamp: TS, ...extra };
}

/** What JSON gives back: -0 → 0, undefined keys dropped. */
function canonical(value: unknown): unknown {
  if (typeof value === "number") return Object.is(value, -0) ? 0 : value;
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : canonical(v)));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined) continue;
      Object.defineProperty(out, key, { value: canonical(v), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

function catchError(fn: () => unknown): ObservationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ObservationError);
    return error as ObservationError;
  }
  throw new Error("expected an ObservationError, nothing was thrown");
}

const EXTREMES = [1e-12, 5e9, 0.1 + 0.2, 5e-324, -5e-324, 2.2250738585072014e-308, Number.MAX_VALUE, -Number.MAX_VALUE, Number.EPSILON, 1 / 3, -1e-300, 9007199254740993];

// Keys include the awkward ones: a dot (ambiguous with flattened keys), empty, and names of
// Object.prototype members. __proto__, constructor and prototype are refused (tested below).
const allowedKey = (key: string) => !FORBIDDEN_KEYS.has(key);
const keyArb = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 6 }).filter(allowedKey) },
  { weight: 1, arbitrary: fc.constantFrom("a.b", "", "toString", "hasOwnProperty", "__defineGetter__", "valueOf") },
);
/** fc.jsonValue with every object key allowed by the format. */
function withoutForbiddenKeys(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(withoutForbiddenKeys);
  if (typeof value === "object" && value !== null) return Object.keys(value).every((k) => allowedKey(k) && withoutForbiddenKeys((value as Record<string, unknown>)[k]));
  return true;
}
const leafArb = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(...EXTREMES, -0, 0),
  fc.boolean(),
  fc.string({ unit: "grapheme", maxLength: 8 }),
  fc.string({ unit: "binary", maxLength: 4 }), // lone surrogates, control characters, \n, U+2028
);
const paramsArb: fc.Arbitrary<NestedParams> = fc.letrec<{ node: NestedParams }>((tie) => ({
  node: fc.dictionary(keyArb, fc.oneof({ depthSize: "small", withCrossShrink: true }, leafArb, tie("node")), { maxKeys: 4 }),
})).node;
const observationArb: fc.Arbitrary<Observation> = fc.record(
  {
    params: paramsArb,
    score: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(...EXTREMES, null)),
    cost: fc.oneof(fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }), fc.constant(5e9)),
    isFailure: fc.boolean(),
    timestamp: fc.date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("2999-12-31T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString()),
    suggestionId: fc.string({ maxLength: 10 }),
    metadata: fc.dictionary(fc.string({ maxLength: 5 }).filter(allowedKey), fc.jsonValue({ maxDepth: 2 }).filter(withoutForbiddenKeys), { maxKeys: 3 }),
  },
  { requiredKeys: ["params", "score", "cost", "isFailure", "timestamp"] },
).map((o) => (o.score === null ? { ...o, isFailure: true } : o));

describe("observations codec: round trip", () => {
  it("decode(encode(x)) deep-equals x (with -0 stored as 0) for nested params, booleans, strings and extreme floats", () => {
    fc.assert(
      fc.property(fc.array(observationArb, { maxLength: 6 }), (observations) => {
        const decoded = decodeObservations(encodeObservations(header, observations));
        expect(decoded.warnings).toEqual([]);
        expect(decoded.header).toEqual(header);
        // vitest's toEqual compares numbers with Object.is: -0 ≠ 0 and every bit of a double counts.
        expect(decoded.observations).toEqual(canonical(observations));
        // parseObservation gives the same canonical form without a file.
        expect(observations.map((o) => parseObservation(o))).toEqual(decoded.observations);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps every named extreme double bit for bit and stores -0 as 0", () => {
    const params: NestedParams = { trainer: { lr: 1e-12, total: 5e9, sum: 0.1 + 0.2, negZero: -0 } };
    EXTREMES.forEach((x, i) => ((params.trainer as NestedParams)[`x${i}`] = x));
    const [back] = decodeObservations(encodeObservations(header, [obs(params, 0.1 + 0.2)])).observations;
    const trainer = back.params.trainer as NestedParams;
    expect(trainer.lr).toBe(1e-12);
    expect(trainer.total).toBe(5e9);
    expect(trainer.sum).toBe(0.30000000000000004);
    EXTREMES.forEach((x, i) => expect(Object.is(trainer[`x${i}`], x)).toBe(true));
    expect(Object.is(trainer.negZero, 0)).toBe(true);
    expect(back.score).toBe(0.1 + 0.2);
  });

  it("reads a hand-written -0 as 0, like the writer stores it", () => {
    const text = `${JSON.stringify(header)}\n{"params":{"a":-0},"score":-0,"cost":-0,"isFailure":false,"timestamp":"${TS}"}\n`;
    const [o] = decodeObservations(text).observations;
    expect(Object.is(o.params.a, 0)).toBe(true);
    expect(Object.is(o.score, 0)).toBe(true);
    expect(Object.is(o.cost, 0)).toBe(true);
    // A negative number that underflows to -0 when read is stored as 0 too.
    const tiny = `${JSON.stringify(header)}\n{"params":{"a":-1e-400,"b":{"c":-0e5}},"score":1,"cost":0,"isFailure":false,"timestamp":"${TS}","metadata":{"m":[-0.0,{"n":-2e-999}]}}\n`;
    const [t] = decodeObservations(tiny).observations;
    expect(Object.is(t.params.a, 0)).toBe(true);
    expect(t.params).toEqual({ a: 0, b: { c: 0 } });
    expect(t.metadata).toEqual({ m: [0, { n: 0 }] });
    expect(Object.is((t.metadata!.m as number[])[0], 0)).toBe(true);
  });

  it("a string holding U+FFFD or escaped control characters is data, not damage", () => {
    const params = { name: "bad\uFFFDbyte", ctl: "a\u0000b\u001fc" };
    const { observations, warnings } = decodeObservations(encodeObservations(header, [obs(params)]));
    expect(warnings).toEqual([]);
    expect(observations[0].params).toEqual(params);
  });

  it("keeps booleans and categorical strings as they were (no coercion of \"true\" or \"1e-3\")", () => {
    const params = { opt: { name: "adam", flag: true, off: false, numeric: "1e-3", boolish: "true", empty: "" } };
    const [back] = decodeObservations(encodeObservations(header, [obs(params)])).observations;
    expect(back.params).toEqual(params);
    expect(typeof (back.params.opt as NestedParams).numeric).toBe("string");
  });

  it("stores a non-finite score as null with isFailure: true, never dropping the run", () => {
    for (const score of [NaN, Infinity, -Infinity]) {
      const line = encodeObservationLine(obs({ a: 1 }, score, { isFailure: false }));
      expect(JSON.parse(line)).toMatchObject({ score: null, isFailure: true });
      expect(parseObservation(obs({ a: 1 }, score))).toMatchObject({ score: null, isFailure: true });
    }
  });

  it("writes fields in a fixed order and one line per observation, each \\n-terminated", () => {
    const text = encodeObservations(header, [
      { timestamp: TS, cost: 2, isFailure: false, score: 1, params: { b: 1, a: "x" }, metadata: { run: "r" }, suggestionId: "s1" },
      obs({ a: 2 }),
    ]);
    const lines = text.split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe("");
    expect(lines[1]).toBe(`{"params":{"b":1,"a":"x"},"score":1,"cost":2,"isFailure":false,"timestamp":"${TS}","suggestionId":"s1","metadata":{"run":"r"}}`);
    expect(JSON.parse(lines[0])).toEqual(header);
  });

  it("accepts CRLF line endings and a byte-order mark", () => {
    const text = "\uFEFF" + encodeObservations(header, [obs({ a: 1 }), obs({ a: 2 })]).replace(/\n/g, "\r\n");
    const { observations, warnings } = decodeObservations(text);
    expect(observations.map((o) => o.params.a)).toEqual([1, 2]);
    expect(warnings).toEqual([]);
  });
});

describe("observations codec: crash safety", () => {
  const five = [1, 2, 3, 4, 5].map((i) => obs({ trainer: { lr: i * 1e-4, name: `run-${i}` } }, i / 10));
  const full = encodeObservations(header, five);
  const lastLineStart = full.lastIndexOf("\n", full.length - 2) + 1;

  it("a truncated last line (every cut point) loads every complete line and warns about line 6", () => {
    // Cut the file anywhere inside the last record, as a crash mid-write would.
    for (let cut = lastLineStart + 1; cut < full.length - 1; cut++) {
      const { observations, warnings } = decodeObservations(full.slice(0, cut));
      expect(observations).toEqual(five.slice(0, 4));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^line 6: skipped an incomplete record/);
    }
  });

  it("a complete last record missing only its newline is kept without a warning", () => {
    const { observations, warnings } = decodeObservations(full.slice(0, -1));
    expect(observations).toEqual(five);
    expect(warnings).toEqual([]);
  });

  it("a torn line that a later append terminated is skipped with a warning; lines after it load", () => {
    const lines = full.split("\n");
    // What appendObservation leaves after a crash: the torn bytes, then "\n", then the next record.
    const text = [lines[0], lines[1], lines[2].slice(0, 37), lines[3], lines[4], ""].join("\n");
    const { observations, warnings } = decodeObservations(text);
    expect(observations).toEqual([five[0], five[2], five[3]]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^line 3: /);
  });

  it("a corrupted middle line (not JSON) fails with its line number", () => {
    const lines = full.split("\n");
    lines[3] = "garbage";
    const error = catchError(() => decodeObservations(lines.join("\n"), { source: "runs/a.jsonl" }));
    expect(error.line).toBe(4);
    expect(error.message).toMatch(/^line 4: not valid JSON/);
    expect(error.message).toContain("runs/a.jsonl");
    expect(error.message).toContain("repair or delete line 4");
  });

  it("complete but invalid JSON in the middle is corruption, not a torn write", () => {
    const lines = full.split("\n");
    lines[2] = `{"params":{"lr":0.1},"score":oops,"cost":1,"isFailure":false,"timestamp":"${TS}"}`;
    expect(catchError(() => decodeObservations(lines.join("\n"))).line).toBe(3);
    lines[2] = '{"params":{"lr":0.1}}}';
    expect(catchError(() => decodeObservations(lines.join("\n"))).line).toBe(3);
  });

  it("a schema violation in the middle names the line, the dotted field, the value and what was expected", () => {
    const lines = full.split("\n");
    const bad = JSON.parse(lines[4]);
    bad.params.trainer = { lr: { deep: [1] } };
    lines[4] = JSON.stringify(bad);
    const error = catchError(() => decodeObservations(lines.join("\n")));
    expect(error.line).toBe(5);
    expect(error.key).toBe("params.trainer.lr.deep");
    expect(error.value).toEqual([1]);
    expect(error.message).toContain("line 5: invalid params.trainer.lr.deep");
    expect(error.message).toContain("allowed: a finite number, a string, a boolean, or a nested object of those");
  });

  it.each([
    ['"score":"high"', "score", "a finite number, or null for a failure"],
    ['"score":null', "score", "null only together with isFailure: true"],
    ['"cost":-1', "cost", "a finite number ≥ 0"],
    ['"isFailure":"no"', "isFailure", "true or false"],
    ['"timestamp":"yesterday"', "timestamp", "ISO 8601"],
    ['"suggestionId":7', "suggestionId", "a string"],
    ['"metadata":[1]', "metadata", "a plain object of JSON values"],
    ['"scroe":1', "scroe", "only the fields params, score"],
  ])("field error %s names key %s", (field, key, allowed) => {
    const record: Record<string, unknown> = { params: { a: 1 }, score: 1, cost: 1, isFailure: false, timestamp: TS };
    Object.assign(record, JSON.parse(`{${field}}`));
    const text = `${JSON.stringify(header)}\n${JSON.stringify(record)}\n`;
    const error = catchError(() => decodeObservations(text));
    expect(error.line).toBe(2);
    expect(error.key).toBe(key);
    expect(error.allowed).toContain(allowed);
  });

  it("a missing field is reported as missing", () => {
    const text = `${JSON.stringify(header)}\n{"params":{"a":1},"cost":1,"isFailure":false,"timestamp":"${TS}"}\n`;
    const error = catchError(() => decodeObservations(text));
    expect(error.message).toMatch(/^line 2: missing field score/);
  });

  it("isTruncatedJson recognises prefixes of a JSON object and nothing else", () => {
    for (const torn of ["{", '{"a', '{"a":', '{"a":1', '{"a":[1,2', '{"a":"x\\"', '{"a":{"b":tr', '{"a":"}"']) expect(isTruncatedJson(torn)).toBe(true);
    for (const bad of ["garbage", '{"a":oops}', '{"a":1}}', '{"a":1} {', "{]", '{"a":1}x', "1e"]) expect(isTruncatedJson(bad)).toBe(false);
  });
});

describe("observations codec: header", () => {
  it("an empty text or one with only blank lines fails: there is no header", () => {
    for (const text of ["", "\n\n", "  \n"]) {
      const error = catchError(() => decodeObservations(text));
      expect(error.message).toContain("the file is empty: it has no header line");
      expect(error.fix).toContain("saveObservations");
    }
  });

  it("header only (with or without the final newline) gives no observations and no warnings", () => {
    for (const text of [`${JSON.stringify(header)}\n`, JSON.stringify(header), encodeObservations(header, [])]) {
      expect(decodeObservations(text)).toEqual({ header, observations: [], warnings: [] });
    }
  });

  it("a header from a newer format version asks to upgrade protein-sweep", () => {
    const text = `${JSON.stringify({ ...header, version: 2, newField: { x: 1 } })}\n`;
    const error = catchError(() => decodeObservations(text));
    expect(error.line).toBe(1);
    expect(error.key).toBe("version");
    expect(error.value).toBe(2);
    expect(error.message).toContain("newer protein-sweep (format version 2)");
    expect(error.fix).toBe("upgrade protein-sweep to read this file");
  });

  it("an invalid version, format or field in the header is named", () => {
    expect(catchError(() => decodeObservations(`${JSON.stringify({ ...header, version: 0 })}\n`)).key).toBe("version");
    expect(catchError(() => decodeObservations(`${JSON.stringify({ ...header, version: "1" })}\n`)).key).toBe("version");
    expect(catchError(() => decodeObservations(`${JSON.stringify({ ...header, spaceFingerprint: "" })}\n`)).key).toBe("spaceFingerprint");
    const wrongFormat = catchError(() => decodeObservations(`{"params":{"a":1}}\n`));
    expect(wrongFormat.message).toMatch(/^line 1: not a protein-sweep observations file/);
    const torn = catchError(() => decodeObservations(JSON.stringify(header).slice(0, 30)));
    expect(torn.message).toMatch(/^line 1: the header line is incomplete/);
  });

  it("createObservationsHeader rejects a config that is not JSON, naming the key", () => {
    const error = catchError(() => createObservationsHeader({ config: { parameters: { lr: { min: NaN } } }, spaceFingerprint: "fp" }));
    expect(error.key).toBe("config.parameters.lr.min");
    expect(error.message).toContain("got: NaN");
    expect(createObservationsHeader({ config: null, spaceFingerprint: "fp" }).createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

describe("observations codec: encoding validates", () => {
  it("names the observation index and the dotted field", () => {
    const observations = [obs({ a: 1 }), obs({ trainer: { lr: Infinity } })];
    const error = catchError(() => encodeObservations(header, observations));
    expect(error.line).toBeUndefined();
    expect(error.key).toBe("params.trainer.lr");
    expect(error.message).toMatch(/^observation \[1\]: invalid params\.trainer\.lr/);
    expect(error.message).toContain("got: Infinity");
  });

  it("rejects values JSON would silently change (undefined, Date, arrays, functions in params; undefined in metadata)", () => {
    const cases: [unknown, string][] = [
      [{ params: { a: undefined } }, "params.a"],
      [{ params: { a: new Date(0) } }, "params.a"],
      [{ params: { a: [1, 2] } }, "params.a"],
      [{ params: { a: () => 1 } }, "params.a"],
      [{ params: null }, "params"],
      [{ metadata: { tags: [undefined] } }, "metadata.tags[0]"],
      [{ metadata: { big: 10n } }, "metadata.big"],
    ];
    for (const [patch, key] of cases) {
      const error = catchError(() => parseObservation({ ...obs({ x: 1 }), ...(patch as object) }));
      expect(error.key).toBe(key);
    }
  });
});

describe("the record schema is the single source of what a file can store", () => {
  it.each(["__proto__", "constructor", "prototype"])("refuses the key %s in params and in metadata, at any depth, naming the key and the fix", (key) => {
    const before = Object.getOwnPropertyNames(Object.prototype).length;
    const nested = JSON.parse(`{"trainer":{"${key}":{"isAdmin":true}}}`);
    for (const [patch, dotted] of [
      [{ params: nested }, `params.trainer.${key}`],
      [{ metadata: JSON.parse(`{"${key}":1}`) }, `metadata.${key}`],
      [{ metadata: { tags: [JSON.parse(`{"${key}":1}`)] } }, `metadata.tags[0].${key}`],
    ] as const) {
      const error = catchError(() => parseObservation({ ...obs({ x: 1 }), ...patch }));
      expect(error.key).toBe(dotted);
      expect(error.message).toContain(`invalid ${dotted}`);
      expect(error.allowed).toBe("any key except __proto__, constructor and prototype");
      expect(error.fix).toContain("rename the key");
    }
    // A hand-written line with such a key fails to load with its line number.
    const text = `${JSON.stringify(header)}\n{"params":{"${key}":{"x":1}},"score":1,"cost":1,"isFailure":false,"timestamp":"${TS}"}\n`;
    expect(catchError(() => decodeObservations(text)).line).toBe(2);
    expect(Object.getOwnPropertyNames(Object.prototype).length).toBe(before);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it("refuses what observe() used to accept and the file then could not store, naming key, value, allowed and fix", () => {
    const cases: Array<[Partial<Record<keyof Observation, unknown>>, string, string, string]> = [
      [{ timestamp: "yesterday" }, "timestamp", 'got: "yesterday"', "an ISO 8601 date-time"],
      [{ suggestionId: 7 }, "suggestionId", "got: 7", "a string"],
      [{ metadata: { big: 10n } }, "metadata.big", "got: 10n", "a JSON value"],
      [{ metadata: { when: new Date(0) } }, "metadata.when", "got:", "a JSON value"],
      [{ metadata: { loss: Number.NaN } }, "metadata.loss", "got: NaN", "a finite number"],
      [{ metadata: { fn: () => 1 } }, "metadata.fn", "got: a function", "a JSON value"],
    ];
    for (const [patch, key, got, allowed] of cases) {
      const error = catchError(() => parseObservation({ ...obs({ x: 1 }), ...patch }));
      expect(error.key).toBe(key);
      expect(error.message).toContain(`key: ${key}`);
      expect(error.message).toContain(got);
      expect(error.allowed).toContain(allowed);
      expect(error.message).toContain("fix: ");
    }
  });

  it("a cyclic or 5,000-deep value is a typed error, not a stack overflow", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const cycleError = catchError(() => parseObservation({ ...obs({ x: 1 }), metadata: cyclic }));
    expect(cycleError.key).toBe("metadata.self");
    expect(cycleError.fix).toContain("remove the circular reference");

    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 5000; i++) deep = deep.x = {};
    const deepError = catchError(() => parseObservation({ ...obs({ x: 1 }), params: root as NestedParams }));
    expect(deepError.allowed).toContain(`nested at most ${MAX_DEPTH} levels deep`);
    expect(deepError.key).toMatch(/^params(\.x)+$/);
  });

  it("returns a normalized copy that shares nothing with the input", () => {
    const input = obs({ trainer: { lr: -0 } }, Number.NaN, { metadata: { tags: ["a"] } });
    const out = parseObservation(input);
    expect(out).toEqual({ ...input, params: { trainer: { lr: 0 } }, score: null, isFailure: true });
    (out.params.trainer as NestedParams).lr = 5;
    (out.metadata!.tags as string[]).push("b");
    expect((input.params.trainer as NestedParams).lr).toBe(-0);
    expect(input.metadata!.tags).toEqual(["a"]);
  });
});
