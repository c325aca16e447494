/**
 * Generates the WebAssembly SIMD kernels of the GP (issue 13) and compiles them:
 *
 *   npx tsx tools/build-wasm.ts          writes src/linalg/wasm/kernels.wat (readable) and src/linalg/wasm/kernels-binary.ts
 *   npx tsx tools/build-wasm.ts --check  exits 1 if either file differs from what it would write
 *
 * The WAT is generated rather than written by hand because each kernel needs the same pair loop three times
 * (8 columns at a time in four f64x2 accumulators, then 2, then 1). Compiled with the `wabt` npm package
 * (wat2wasm in JavaScript, a dev dependency), so no external toolchain is needed; the library only ever sees the
 * base64 bytes. test/linalg/wasm.test.ts runs the check, so the committed binary cannot go stale.
 *
 * Every lane computes its own pair with the scalar code's operations in the scalar code's order (f64 add, sub,
 * mul are IEEE-exact in WebAssembly and never fused), so the results are bit-identical to the JavaScript loops
 * in src/gp/kernels.ts.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import wabtInit from "wabt";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const watPath = join(root, "src/linalg/wasm/kernels.wat");
const binPath = join(root, "src/linalg/wasm/kernels-binary.ts");

type Kind = "sqdist" | "dot";

const get = (name: string): string => `(local.get $${name})`;
const set = (name: string, value: string): string => `(local.set $${name} ${value})`;
const i32 = (v: number): string => `(i32.const ${v})`;
const add = (a: string, b: string): string => `(i32.add ${a} ${b})`;

/**
 * The q-loops of one block of `vecs` f64x2 accumulators (vecs = 0: one scalar column) starting at column b:
 * accumulators s0.. (or sf) end holding the block's sums.
 */
function block(kind: Kind, vecs: number): string {
  const out: string[] = [];
  const scalar = vecs === 0;
  const accs = scalar ? ["sf"] : Array.from({ length: vecs }, (_, v) => `s${v}`);
  for (const s of accs) out.push(set(s, scalar ? "(f64.const 0)" : "(v128.const f64x2 0 0)"));
  // Continuous dimensions J[0..nJ): (a − b)² or a·b.
  const termLoop = (list: string, count: string, label: string, term: (acc: string, operand: (v: number) => string) => string): string => `
        ${set("q", i32(0))}
        (block $${label}_done (loop $${label}
          (br_if $${label}_done (i32.ge_u ${get("q")} ${get(count)}))
          ${set("j", `(i32.load ${add(get(list), `(i32.shl ${get("q")} ${i32(2)})`)})`)}
          ${set("af", `(f64.load ${add(get("arow"), `(i32.shl ${get("j")} ${i32(3)})`)})`)}
          ${scalar ? "" : set("av", `(f64x2.splat ${get("af")})`)}
          ${set("p", add(get("col"), `(i32.mul ${get("j")} ${get("nb")})`))}
          ${accs.map((acc, v) => term(acc, () => (scalar ? `(f64.load ${get("p")})` : `(v128.load offset=${16 * v} ${get("p")})`))).join("\n          ")}
          ${set("q", add(get("q"), i32(1)))}
          (br $${label})))`;
  const tag = `${kind}${scalar ? "1" : vecs * 2}`;
  if (kind === "sqdist") {
    out.push(
      termLoop("J", "nJ", `${tag}_cont`, (acc, b) =>
        scalar
          ? `${set("tf", `(f64.sub ${get("af")} ${b(0)})`)} ${set(acc, `(f64.add ${get(acc)} (f64.mul ${get("tf")} ${get("tf")}))`)}`
          : `${set("t", `(f64x2.sub ${get("av")} ${b(0)})`)} ${set(acc, `(f64x2.add ${get(acc)} (f64x2.mul ${get("t")} ${get("t")}))`)}`,
      ),
    );
    // Categorical dimensions K[0..nK): + W[q] where the codes differ by more than tol, else + 0.
    out.push(`
        ${set("r", i32(0))}
        (block $${tag}_cat_done (loop $${tag}_cat
          (br_if $${tag}_cat_done (i32.ge_u ${get("r")} ${get("nK")}))
          ${set("j", `(i32.load ${add(get("K"), `(i32.shl ${get("r")} ${i32(2)})`)})`)}
          ${set("af", `(f64.load ${add(get("arow"), `(i32.shl ${get("j")} ${i32(3)})`)})`)}
          ${set("wf", `(f64.load ${add(get("W"), `(i32.shl ${get("r")} ${i32(3)})`)})`)}
          ${scalar ? "" : `${set("av", `(f64x2.splat ${get("af")})`)} ${set("wv", `(f64x2.splat ${get("wf")})`)}`}
          ${set("p", add(get("col"), `(i32.mul ${get("j")} ${get("nb")})`))}
          ${accs
            .map((acc, v) =>
              scalar
                ? `${set(acc, `(f64.add ${get(acc)} (select ${get("wf")} (f64.const 0) (f64.gt (f64.abs (f64.sub ${get("af")} (f64.load ${get("p")}))) ${get("tol")})))`)}`
                : `${set(acc, `(f64x2.add ${get(acc)} (v128.and ${get("wv")} (f64x2.gt (f64x2.abs (f64x2.sub ${get("av")} (v128.load offset=${16 * v} ${get("p")}))) ${get("tolv")})))`)}`,
            )
            .join("\n          ")}
          ${set("r", add(get("r"), i32(1)))}
          (br $${tag}_cat)))`);
  } else {
    out.push(
      termLoop("J", "nJ", `${tag}_cont`, (acc, b) =>
        scalar ? set(acc, `(f64.add ${get(acc)} (f64.mul ${get("af")} ${b(0)}))`) : set(acc, `(f64x2.add ${get(acc)} (f64x2.mul ${get("av")} ${b(0)}))`),
      ),
    );
  }
  // Store the block's sums at out row o, column b.
  const dst = add(get("o"), `(i32.shl ${get("b")} ${i32(3)})`);
  if (scalar) out.push(`(f64.store ${dst} ${get("sf")})`);
  else out.push(...accs.map((acc, v) => `(v128.store offset=${16 * v} ${dst} ${get(acc)})`));
  return out.join("\n        ");
}

/** One exported kernel: out[i·n + b] for i < m, b < n. */
function kernel(kind: Kind): string {
  const params =
    kind === "sqdist"
      ? "(param $a i32) (param $m i32) (param $bT i32) (param $n i32) (param $d i32) (param $J i32) (param $nJ i32) (param $K i32) (param $nK i32) (param $W i32) (param $tol f64) (param $out i32)"
      : "(param $a i32) (param $m i32) (param $bT i32) (param $n i32) (param $d i32) (param $J i32) (param $nJ i32) (param $out i32)";
  const catLocals = kind === "sqdist" ? "(local $r i32) (local $wf f64) (local $wv v128) (local $tolv v128)" : "";
  const loopOver = (label: string, limit: string, step: number, vecs: number): string => `
      (block $${label}_done (loop $${label}
        (br_if $${label}_done (i32.ge_u ${get("b")} ${limit}))
        ${set("col", add(get("bT"), `(i32.shl ${get("b")} ${i32(3)})`))}
        ${block(kind, vecs)}
        ${set("b", add(get("b"), i32(step)))}
        (br $${label})))`;
  return `
  (func (export "${kind}") ${params}
    (local $i i32) (local $b i32) (local $q i32) (local $j i32) (local $arow i32) (local $o i32) (local $p i32) (local $col i32)
    (local $nb i32) (local $n8 i32) (local $n2 i32) (local $af f64) (local $tf f64) (local $sf f64)
    (local $av v128) (local $t v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) ${catLocals}
    ${set("nb", `(i32.shl ${get("n")} ${i32(3)})`)}
    ${set("n8", `(i32.and ${get("n")} ${i32(-8)})`)}
    ${set("n2", `(i32.and ${get("n")} ${i32(-2)})`)}
    ${kind === "sqdist" ? set("tolv", `(f64x2.splat ${get("tol")})`) : ""}
    ${set("i", i32(0))}
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u ${get("i")} ${get("m")}))
      ${set("arow", add(get("a"), `(i32.shl (i32.mul ${get("i")} ${get("d")}) ${i32(3)})`))}
      ${set("o", add(get("out"), `(i32.mul ${get("i")} ${get("nb")})`))}
      ${set("b", i32(0))}
      ${loopOver("by8", get("n8"), 8, 4)}
      ${loopOver("by2", get("n2"), 2, 1)}
      ${loopOver("by1", get("n"), 1, 0)}
      ${set("i", add(get("i"), i32(1)))}
      (br $rows)))
  )`;
}

/**
 * exp(x) with the algorithm of FreeBSD msun's e_exp.c (Sun's fdlibm, 1993; the one V8's Math.exp runs): reduce
 * x = k·ln2 + r with ln2 split in a high and a low part, approximate exp(r) by a degree-5 minimax rational
 * remainder, scale by 2^k; and, as V8 does, e itself for x = 1. Same constants, same operations, same order as
 * V8's, so the same bits as Math.exp (test/linalg/wasm.test.ts compares them over a million arguments).
 */
const EXP = `
  (func $exp (param $x f64) (result f64)
    (local $bits i64) (local $hx i32) (local $xsb i32) (local $hi f64) (local $lo f64) (local $k i32)
    (local $t f64) (local $c f64) (local $y f64)
    (local.set $bits (i64.reinterpret_f64 (local.get $x)))
    (local.set $hx (i32.wrap_i64 (i64.shr_u (local.get $bits) (i64.const 32))))
    (local.set $xsb (i32.shr_u (local.get $hx) (i32.const 31)))
    (local.set $hx (i32.and (local.get $hx) (i32.const 0x7fffffff)))
    ;; |x| ≥ 709.78: overflow, underflow, inf, NaN
    (if (i32.ge_u (local.get $hx) (i32.const 0x40862e42)) (then
      (if (i32.ge_u (local.get $hx) (i32.const 0x7ff00000)) (then
        (if (i64.ne (i64.and (local.get $bits) (i64.const 0x000fffffffffffff)) (i64.const 0))
          (then (return (f64.add (local.get $x) (local.get $x)))))
        (return (select (local.get $x) (f64.const 0) (i32.eqz (local.get $xsb))))))
      (if (f64.gt (local.get $x) (f64.const 7.09782712893383973096e+02)) (then (return (f64.const inf))))
      (if (f64.lt (local.get $x) (f64.const -7.45133219101941108420e+02)) (then (return (f64.const 0))))))
    (if (i32.gt_u (local.get $hx) (i32.const 0x3fd62e42))
      (then
        (if (i32.lt_u (local.get $hx) (i32.const 0x3ff0a2b2))
          (then
            ;; V8 returns e itself for x = 1 (the formula would give e's neighbour): so does this
            (if (f64.eq (local.get $x) (f64.const 1)) (then (return (f64.const 2.718281828459045))))
            (if (i32.eqz (local.get $xsb))
              (then
                (local.set $hi (f64.sub (local.get $x) (f64.const 6.93147180369123816490e-01)))
                (local.set $lo (f64.const 1.90821492927058770002e-10))
                (local.set $k (i32.const 1)))
              (else
                (local.set $hi (f64.sub (local.get $x) (f64.const -6.93147180369123816490e-01)))
                (local.set $lo (f64.const -1.90821492927058770002e-10))
                (local.set $k (i32.const -1)))))
          (else
            (local.set $k (i32.trunc_f64_s (f64.add (f64.mul (f64.const 1.44269504088896338700e+00) (local.get $x))
              (select (f64.const 0.5) (f64.const -0.5) (i32.eqz (local.get $xsb))))))
            (local.set $hi (f64.sub (local.get $x) (f64.mul (f64.convert_i32_s (local.get $k)) (f64.const 6.93147180369123816490e-01))))
            (local.set $lo (f64.mul (f64.convert_i32_s (local.get $k)) (f64.const 1.90821492927058770002e-10)))))
        (local.set $x (f64.sub (local.get $hi) (local.get $lo))))
      (else
        ;; |x| < 2^-28: 1 + x
        (if (i32.lt_u (local.get $hx) (i32.const 0x3e300000)) (then (return (f64.add (f64.const 1) (local.get $x)))))
        (local.set $k (i32.const 0))))
    (local.set $t (f64.mul (local.get $x) (local.get $x)))
    (local.set $c (f64.sub (local.get $x) (f64.mul (local.get $t)
      (f64.add (f64.const 1.66666666666666019037e-01) (f64.mul (local.get $t)
      (f64.add (f64.const -2.77777777770155933842e-03) (f64.mul (local.get $t)
      (f64.add (f64.const 6.61375632143793436117e-05) (f64.mul (local.get $t)
      (f64.add (f64.const -1.65339022054652515390e-06) (f64.mul (local.get $t) (f64.const 4.13813679705723846039e-08))))))))))))
    (if (i32.eqz (local.get $k)) (then
      (return (f64.sub (f64.const 1) (f64.sub (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (local.get $c) (f64.const 2))) (local.get $x))))))
    (local.set $y (f64.sub (f64.const 1) (f64.sub (f64.sub (local.get $lo) (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (f64.const 2) (local.get $c)))) (local.get $hi))))
    (if (i32.ge_s (local.get $k) (i32.const -1021)) (then
      (if (i32.eq (local.get $k) (i32.const 1024)) (then
        (return (f64.mul (f64.mul (local.get $y) (f64.const 2)) (f64.const 0x1p1023)))))
      (return (f64.mul (local.get $y) (f64.reinterpret_i64 (i64.shl (i64.extend_i32_s (i32.add (local.get $k) (i32.const 0x3ff))) (i64.const 52)))))))
    ;; k < -1021: 2^(k + 1000), then 2^-1000
    (f64.mul (f64.mul (local.get $y) (f64.reinterpret_i64 (i64.shl (i64.extend_i32_s (i32.add (local.get $k) (i32.const 2023))) (i64.const 52))))
      (f64.const 9.33263618503218878990e-302)))

  ;; Two lanes of $exp at once, without branches: every lane takes the general path (k = 0 for |x| <= ln2/2, which
  ;; gives the same bits as the scalar k = 0 formula; k = +-1 below 1.5 ln2), then the special cases are selected in.
  (func $exp2 (param $x v128) (result v128)
    (local $hx v128) (local $sgn v128) (local $k v128) (local $hi v128) (local $lo v128) (local $r v128) (local $t v128)
    (local $c v128) (local $y v128) (local $ki v128) (local $res v128)
    (local.set $hx (v128.and (i64x2.shr_u (local.get $x) (i32.const 32)) (v128.const i64x2 0x7fffffff 0x7fffffff)))
    ;; +-0.5 and +-1 with the sign of x
    (local.set $sgn (v128.and (local.get $x) (v128.const i64x2 0x8000000000000000 0x8000000000000000)))
    (local.set $k (f64x2.convert_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero
      (f64x2.add (f64x2.mul (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00) (local.get $x))
        (v128.or (local.get $sgn) (v128.const f64x2 0.5 0.5))))))
    (local.set $k (v128.bitselect (v128.or (local.get $sgn) (v128.const f64x2 1 1)) (local.get $k)
      (i64x2.lt_s (local.get $hx) (v128.const i64x2 0x3ff0a2b2 0x3ff0a2b2))))
    (local.set $k (v128.bitselect (v128.const f64x2 0 0) (local.get $k)
      (i64x2.le_s (local.get $hx) (v128.const i64x2 0x3fd62e42 0x3fd62e42))))
    (local.set $hi (f64x2.sub (local.get $x) (f64x2.mul (local.get $k) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))))
    (local.set $lo (f64x2.mul (local.get $k) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)))
    (local.set $r (f64x2.sub (local.get $hi) (local.get $lo)))
    (local.set $t (f64x2.mul (local.get $r) (local.get $r)))
    (local.set $c (f64x2.sub (local.get $r) (f64x2.mul (local.get $t)
      (f64x2.add (v128.const f64x2 1.66666666666666019037e-01 1.66666666666666019037e-01) (f64x2.mul (local.get $t)
      (f64x2.add (v128.const f64x2 -2.77777777770155933842e-03 -2.77777777770155933842e-03) (f64x2.mul (local.get $t)
      (f64x2.add (v128.const f64x2 6.61375632143793436117e-05 6.61375632143793436117e-05) (f64x2.mul (local.get $t)
      (f64x2.add (v128.const f64x2 -1.65339022054652515390e-06 -1.65339022054652515390e-06)
        (f64x2.mul (local.get $t) (v128.const f64x2 4.13813679705723846039e-08 4.13813679705723846039e-08))))))))))))
    (local.set $y (f64x2.sub (v128.const f64x2 1 1) (f64x2.sub (f64x2.sub (local.get $lo)
      (f64x2.div (f64x2.mul (local.get $r) (local.get $c)) (f64x2.sub (v128.const f64x2 2 2) (local.get $c)))) (local.get $hi))))
    ;; y * 2^k, or y * 2^(k + 1000) * 2^-1000 below k = -1021
    (local.set $ki (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $k))))
    (local.set $res (v128.bitselect
      (f64x2.mul (f64x2.mul (local.get $y) (i64x2.shl (i64x2.add (local.get $ki) (v128.const i64x2 2023 2023)) (i32.const 52)))
        (v128.const f64x2 9.33263618503218878990e-302 9.33263618503218878990e-302))
      (f64x2.mul (local.get $y) (i64x2.shl (i64x2.add (local.get $ki) (v128.const i64x2 1023 1023)) (i32.const 52)))
      (i64x2.lt_s (local.get $ki) (v128.const i64x2 -1021 -1021))))
    ;; k = 1024 (x just below the overflow threshold): (y * 2) * 2^1023
    (local.set $res (v128.bitselect (f64x2.mul (f64x2.mul (local.get $y) (v128.const f64x2 2 2)) (v128.const f64x2 0x1p1023 0x1p1023)) (local.get $res)
      (i64x2.eq (local.get $ki) (v128.const i64x2 1024 1024))))
    ;; x = 1: e (as V8 and $exp); |x| < 2^-28: 1 + x; overflow and underflow; NaN stays NaN through the formula
    (local.set $res (v128.bitselect (v128.const f64x2 2.718281828459045 2.718281828459045) (local.get $res)
      (f64x2.eq (local.get $x) (v128.const f64x2 1 1))))
    (local.set $res (v128.bitselect (f64x2.add (v128.const f64x2 1 1) (local.get $x)) (local.get $res)
      (i64x2.lt_s (local.get $hx) (v128.const i64x2 0x3e300000 0x3e300000))))
    (local.set $res (v128.bitselect (v128.const f64x2 0 0) (local.get $res)
      (f64x2.lt (local.get $x) (v128.const f64x2 -7.45133219101941108420e+02 -7.45133219101941108420e+02))))
    (v128.bitselect (v128.const f64x2 inf inf) (local.get $res)
      (f64x2.gt (local.get $x) (v128.const f64x2 7.09782712893383973096e+02 7.09782712893383973096e+02))))

  ;; exp and exp2, exported for the test that compares them with Math.exp.
  (func (export "exp") (param $x f64) (result f64) (call $exp (local.get $x)))
  (func (export "exp2") (param $p i32) (v128.store (local.get $p) (call $exp2 (v128.load (local.get $p)))))

  ;;  v[i] <- scale * k(v[i]) for i < len, v holding r^2: code 0 RBF exp(-r^2/2), 1 Matern 3/2 (1 + t) exp(-t) with
  ;;  t = sqrt(3 r^2), 2 Matern 5/2 (1 + t + t^2/3) exp(-t) with t = sqrt(5 r^2) (kernelOfR2InPlace's arithmetic).
  (func (export "kernelize") (param $v i32) (param $len i32) (param $code i32) (param $scale f64)
    (local $p i32) (local $end i32) (local $end2 i32) (local $r f64) (local $t f64) (local $rv v128) (local $tv v128) (local $sv v128)
    (local.set $p (local.get $v))
    (local.set $end (i32.add (local.get $v) (i32.shl (local.get $len) (i32.const 3))))
    (local.set $end2 (i32.add (local.get $v) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (local.set $sv (f64x2.splat (local.get $scale)))
    ;; two at a time
    (block $done2 (loop $next2
      (br_if $done2 (i32.ge_u (local.get $p) (local.get $end2)))
      (local.set $rv (v128.load (local.get $p)))
      (if (i32.eqz (local.get $code))
        (then (v128.store (local.get $p) (f64x2.mul (local.get $sv) (call $exp2 (f64x2.mul (v128.const f64x2 -0.5 -0.5) (local.get $rv))))))
        (else (if (i32.eq (local.get $code) (i32.const 1))
          (then
            (local.set $tv (f64x2.sqrt (f64x2.mul (v128.const f64x2 3 3) (local.get $rv))))
            (v128.store (local.get $p) (f64x2.mul (local.get $sv)
              (f64x2.mul (f64x2.add (v128.const f64x2 1 1) (local.get $tv)) (call $exp2 (f64x2.neg (local.get $tv)))))))
          (else
            (local.set $tv (f64x2.sqrt (f64x2.mul (v128.const f64x2 5 5) (local.get $rv))))
            (v128.store (local.get $p) (f64x2.mul (local.get $sv)
              (f64x2.mul (f64x2.add (f64x2.add (v128.const f64x2 1 1) (local.get $tv)) (f64x2.div (f64x2.mul (local.get $tv) (local.get $tv)) (v128.const f64x2 3 3)))
                (call $exp2 (f64x2.neg (local.get $tv))))))))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $next2)))
    ;; the last one, if len is odd
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $r (f64.load (local.get $p)))
      (if (i32.eqz (local.get $code))
        (then (f64.store (local.get $p) (f64.mul (local.get $scale) (call $exp (f64.mul (f64.const -0.5) (local.get $r))))))
        (else (if (i32.eq (local.get $code) (i32.const 1))
          (then
            (local.set $t (f64.sqrt (f64.mul (f64.const 3) (local.get $r))))
            (f64.store (local.get $p) (f64.mul (local.get $scale)
              (f64.mul (f64.add (f64.const 1) (local.get $t)) (call $exp (f64.neg (local.get $t)))))))
          (else
            (local.set $t (f64.sqrt (f64.mul (f64.const 5) (local.get $r))))
            (f64.store (local.get $p) (f64.mul (local.get $scale)
              (f64.mul (f64.add (f64.add (f64.const 1) (local.get $t)) (f64.div (f64.mul (local.get $t) (local.get $t)) (f64.const 3)))
                (call $exp (f64.neg (local.get $t))))))))))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (br $next)))
  )
`;

/**
 * Forward substitution L·y = b for groups of 4 right-hand sides, as src/linalg/triangular-blocked.ts's forward4x2
 * and forward4x1 compute them (forwardRows' 4-row blocks): in tiles of 64 columns of L, for each group, columns in
 * pairs (i, i+1) from max(k0, tile start) — the sums Σ_{k0 ≤ k < i} y_k·L_ik and y_k·L_{i+1,k} in increasing k,
 * then y_i = (b_i − s)/L_ii and y_{i+1} = ((b_{i+1} − s') − L_{i+1,i}·y_i)/L_{i+1,i+1} — and a last single column
 * y_i = (b_i − s)/L_ii. YT is n × R (k-major: YT[k·R + r]), so one f64x2 holds two right-hand sides; k0 is 4g
 * for group g when fromRow, else 0. Every lane does the scalar code's operations in its order: the same bits.
 */
/**
 * The sum kernel's later terms, added into the first term's values in the module (SumKernel.fillCross): axpy is the
 * JavaScript \`y[k] += f * x[k]\` (a linear term), addc \`y[k] += c\` (a constant term), two entries per lane pair.
 */
const ACCUMULATE = `
  (func (export "axpy") (param $y i32) (param $x i32) (param $len i32) (param $f f64)
    (local $end i32) (local $end2 i32) (local $fv v128)
    (local.set $fv (f64x2.splat (local.get $f)))
    (local.set $end (i32.add (local.get $y) (i32.shl (local.get $len) (i32.const 3))))
    (local.set $end2 (i32.add (local.get $y) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $done2 (loop $next2
      (br_if $done2 (i32.ge_u (local.get $y) (local.get $end2)))
      (v128.store (local.get $y) (f64x2.add (v128.load (local.get $y)) (f64x2.mul (local.get $fv) (v128.load (local.get $x)))))
      (local.set $y (i32.add (local.get $y) (i32.const 16)))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (br $next2)))
    (if (i32.lt_u (local.get $y) (local.get $end)) (then
      (f64.store (local.get $y) (f64.add (f64.load (local.get $y)) (f64.mul (local.get $f) (f64.load (local.get $x)))))))
  )

  (func (export "addc") (param $y i32) (param $len i32) (param $c f64)
    (local $end i32) (local $end2 i32) (local $cv v128)
    (local.set $cv (f64x2.splat (local.get $c)))
    (local.set $end (i32.add (local.get $y) (i32.shl (local.get $len) (i32.const 3))))
    (local.set $end2 (i32.add (local.get $y) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $done2 (loop $next2
      (br_if $done2 (i32.ge_u (local.get $y) (local.get $end2)))
      (v128.store (local.get $y) (f64x2.add (v128.load (local.get $y)) (local.get $cv)))
      (local.set $y (i32.add (local.get $y) (i32.const 16)))
      (br $next2)))
    (if (i32.lt_u (local.get $y) (local.get $end)) (then
      (f64.store (local.get $y) (f64.add (f64.load (local.get $y)) (local.get $c)))))
  )
`;

const FORWARD = `
  (func (export "forward4") (param $L i32) (param $n i32) (param $YT i32) (param $R i32) (param $groups i32) (param $fromRow i32)
    (local $i0 i32) (local $i1 i32) (local $g i32) (local $k0 i32) (local $i i32) (local $k i32)
    (local $pL0 i32) (local $pL1 i32) (local $pY i32) (local $sY i32) (local $nb i32) (local $pYi i32)
    (local $s00 v128) (local $s01 v128) (local $s10 v128) (local $s11 v128) (local $l0 v128) (local $l1 v128)
    (local $y0 v128) (local $y1 v128) (local $d0 v128) (local $d1 v128) (local $l10 v128) (local $v0 v128) (local $v1 v128)
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $sY (i32.shl (local.get $R) (i32.const 3)))
    (local.set $i0 (i32.const 0))
    (block $tiles_done (loop $tiles
      (br_if $tiles_done (i32.ge_u (local.get $i0) (local.get $n)))
      (local.set $i1 (select (i32.add (local.get $i0) (i32.const 64)) (local.get $n)
        (i32.lt_u (i32.add (local.get $i0) (i32.const 64)) (local.get $n))))
      (local.set $g (i32.const 0))
      (block $groups_done (loop $groups_loop
        (br_if $groups_done (i32.ge_u (local.get $g) (local.get $groups)))
        (local.set $k0 (select (i32.shl (local.get $g) (i32.const 2)) (i32.const 0) (local.get $fromRow)))
        (br_if $groups_done (i32.ge_u (local.get $k0) (local.get $i1)))
        (local.set $i (select (local.get $k0) (local.get $i0) (i32.gt_u (local.get $k0) (local.get $i0))))
        ;; pairs of columns
        (block $pairs_done (loop $pairs
          (br_if $pairs_done (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $i1)))
          (local.set $s00 (v128.const f64x2 0 0)) (local.set $s01 (v128.const f64x2 0 0))
          (local.set $s10 (v128.const f64x2 0 0)) (local.set $s11 (v128.const f64x2 0 0))
          (local.set $pL0 (i32.add (local.get $L) (i32.mul (local.get $i) (local.get $nb))))
          (local.set $pL1 (i32.add (local.get $pL0) (local.get $nb)))
          (local.set $pY (i32.add (local.get $YT) (i32.shl (i32.add (i32.mul (local.get $k0) (local.get $R)) (i32.shl (local.get $g) (i32.const 2))) (i32.const 3))))
          (local.set $k (local.get $k0))
          (block $k_done (loop $k_loop
            (br_if $k_done (i32.ge_u (local.get $k) (local.get $i)))
            (local.set $l0 (f64x2.splat (f64.load (i32.add (local.get $pL0) (i32.shl (local.get $k) (i32.const 3))))))
            (local.set $l1 (f64x2.splat (f64.load (i32.add (local.get $pL1) (i32.shl (local.get $k) (i32.const 3))))))
            (local.set $y0 (v128.load (local.get $pY)))
            (local.set $y1 (v128.load offset=16 (local.get $pY)))
            (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (local.get $y0) (local.get $l0))))
            (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $y0) (local.get $l1))))
            (local.set $s10 (f64x2.add (local.get $s10) (f64x2.mul (local.get $y1) (local.get $l0))))
            (local.set $s11 (f64x2.add (local.get $s11) (f64x2.mul (local.get $y1) (local.get $l1))))
            (local.set $pY (i32.add (local.get $pY) (local.get $sY)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $k_loop)))
          (local.set $d0 (f64x2.splat (f64.load (i32.add (local.get $pL0) (i32.shl (local.get $i) (i32.const 3))))))
          (local.set $l10 (f64x2.splat (f64.load (i32.add (local.get $pL1) (i32.shl (local.get $i) (i32.const 3))))))
          (local.set $d1 (f64x2.splat (f64.load offset=8 (i32.add (local.get $pL1) (i32.shl (local.get $i) (i32.const 3))))))
          (local.set $pYi (i32.add (local.get $YT) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $R)) (i32.shl (local.get $g) (i32.const 2))) (i32.const 3))))
          (local.set $v0 (f64x2.div (f64x2.sub (v128.load (local.get $pYi)) (local.get $s00)) (local.get $d0)))
          (local.set $v1 (f64x2.div (f64x2.sub (v128.load offset=16 (local.get $pYi)) (local.get $s10)) (local.get $d0)))
          (v128.store (local.get $pYi) (local.get $v0))
          (v128.store offset=16 (local.get $pYi) (local.get $v1))
          (local.set $pYi (i32.add (local.get $pYi) (local.get $sY)))
          (v128.store (local.get $pYi) (f64x2.div (f64x2.sub (f64x2.sub (v128.load (local.get $pYi)) (local.get $s01)) (f64x2.mul (local.get $l10) (local.get $v0))) (local.get $d1)))
          (v128.store offset=16 (local.get $pYi) (f64x2.div (f64x2.sub (f64x2.sub (v128.load offset=16 (local.get $pYi)) (local.get $s11)) (f64x2.mul (local.get $l10) (local.get $v1))) (local.get $d1)))
          (local.set $i (i32.add (local.get $i) (i32.const 2)))
          (br $pairs)))
        ;; a single last column
        (if (i32.lt_u (local.get $i) (local.get $i1)) (then
          (local.set $s00 (v128.const f64x2 0 0)) (local.set $s10 (v128.const f64x2 0 0))
          (local.set $pL0 (i32.add (local.get $L) (i32.mul (local.get $i) (local.get $nb))))
          (local.set $pY (i32.add (local.get $YT) (i32.shl (i32.add (i32.mul (local.get $k0) (local.get $R)) (i32.shl (local.get $g) (i32.const 2))) (i32.const 3))))
          (local.set $k (local.get $k0))
          (block $k1_done (loop $k1_loop
            (br_if $k1_done (i32.ge_u (local.get $k) (local.get $i)))
            (local.set $l0 (f64x2.splat (f64.load (i32.add (local.get $pL0) (i32.shl (local.get $k) (i32.const 3))))))
            (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (v128.load (local.get $pY)) (local.get $l0))))
            (local.set $s10 (f64x2.add (local.get $s10) (f64x2.mul (v128.load offset=16 (local.get $pY)) (local.get $l0))))
            (local.set $pY (i32.add (local.get $pY) (local.get $sY)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $k1_loop)))
          (local.set $d0 (f64x2.splat (f64.load (i32.add (local.get $pL0) (i32.shl (local.get $i) (i32.const 3))))))
          (local.set $pYi (i32.add (local.get $YT) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $R)) (i32.shl (local.get $g) (i32.const 2))) (i32.const 3))))
          (v128.store (local.get $pYi) (f64x2.div (f64x2.sub (v128.load (local.get $pYi)) (local.get $s00)) (local.get $d0)))
          (v128.store offset=16 (local.get $pYi) (f64x2.div (f64x2.sub (v128.load offset=16 (local.get $pYi)) (local.get $s10)) (local.get $d0)))))
        (local.set $g (i32.add (local.get $g) (i32.const 1)))
        (br $groups_loop)))
      (local.set $i0 (i32.add (local.get $i0) (i32.const 64)))
      (br $tiles)))
  )
`;

/**
 * The variance bound's small problems (GaussianProcess.predictMeanAndVarianceBound), two candidates per f64x2: for
 * each candidate, the p×p block of K at its p nearest training rows plus jitter on the diagonal, its Cholesky factor
 * (row by row, sum = K_ab − Σ_{k<b} L_ak·L_bk in increasing k, L_aa = √sum, L_ab = sum / L_bb), then w = L⁻¹·k_S
 * (w_a = (k_a − Σ_{k<a} L_ak·w_k) / L_aa) and Σ w_a² in increasing a — the JavaScript loop's operations in its
 * order. out[i] = that sum, or 0 where a pivot was not positive (the JavaScript loop stops there and reduces
 * nothing). An odd last candidate runs in both lanes. KS is scratch of 2·p·p doubles.
 */
const BOUND = `
  (func (export "nbreduce") (param $K i32) (param $n i32) (param $idx i32) (param $val i32) (param $B i32) (param $p i32)
    (param $jitter f64) (param $KS i32) (param $W i32) (param $out i32)
    (local $i i32) (local $j i32) (local $a i32) (local $b i32) (local $k i32) (local $ia0 i32) (local $ia1 i32)
    (local $ib0 i32) (local $ib1 i32) (local $v0 f64) (local $v1 f64) (local $sum v128) (local $bad v128)
    (local $red v128) (local $wa v128) (local $pa i32) (local $pb i32) (local $rowA i32) (local $rowB i32) (local $pp i32)
    (local.set $pp (i32.mul (local.get $p) (i32.const 16)))   ;; bytes per row of KS (p pairs)
    (local.set $i (i32.const 0))
    (block $cands_done (loop $cands
      (br_if $cands_done (i32.ge_u (local.get $i) (local.get $B)))
      ;; the second lane's candidate (the same one when i is the last)
      (local.set $j (select (i32.add (local.get $i) (i32.const 1)) (local.get $i)
        (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $B))))
      ;; gather K_SS (lower triangle) and add the jitter on the diagonal
      (local.set $a (i32.const 0))
      (block $ga_done (loop $ga
        (br_if $ga_done (i32.ge_u (local.get $a) (local.get $p)))
        (local.set $ia0 (i32.load (i32.add (local.get $idx) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $p)) (local.get $a)) (i32.const 2)))))
        (local.set $ia1 (i32.load (i32.add (local.get $idx) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $p)) (local.get $a)) (i32.const 2)))))
        (local.set $b (i32.const 0))
        (block $gb_done (loop $gb
          (br_if $gb_done (i32.gt_u (local.get $b) (local.get $a)))
          (local.set $ib0 (i32.load (i32.add (local.get $idx) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $p)) (local.get $b)) (i32.const 2)))))
          (local.set $ib1 (i32.load (i32.add (local.get $idx) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $p)) (local.get $b)) (i32.const 2)))))
          (local.set $v0 (f64.load (i32.add (local.get $K) (i32.shl (select
            (i32.add (i32.mul (local.get $ia0) (local.get $n)) (local.get $ib0))
            (i32.add (i32.mul (local.get $ib0) (local.get $n)) (local.get $ia0))
            (i32.ge_s (local.get $ia0) (local.get $ib0))) (i32.const 3)))))
          (local.set $v1 (f64.load (i32.add (local.get $K) (i32.shl (select
            (i32.add (i32.mul (local.get $ia1) (local.get $n)) (local.get $ib1))
            (i32.add (i32.mul (local.get $ib1) (local.get $n)) (local.get $ia1))
            (i32.ge_s (local.get $ia1) (local.get $ib1))) (i32.const 3)))))
          (v128.store (i32.add (local.get $KS) (i32.add (i32.mul (local.get $a) (local.get $pp)) (i32.shl (local.get $b) (i32.const 4))))
            (f64x2.replace_lane 1 (f64x2.splat (local.get $v0)) (local.get $v1)))
          (local.set $b (i32.add (local.get $b) (i32.const 1)))
          (br $gb)))
        (local.set $pa (i32.add (local.get $KS) (i32.add (i32.mul (local.get $a) (local.get $pp)) (i32.shl (local.get $a) (i32.const 4)))))
        (v128.store (local.get $pa) (f64x2.add (v128.load (local.get $pa)) (f64x2.splat (local.get $jitter))))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $ga)))
      ;; Cholesky in place, recording lanes whose pivot is not > 0
      (local.set $bad (v128.const i64x2 0 0))
      (local.set $a (i32.const 0))
      (block $ca_done (loop $ca
        (br_if $ca_done (i32.ge_u (local.get $a) (local.get $p)))
        (local.set $rowA (i32.add (local.get $KS) (i32.mul (local.get $a) (local.get $pp))))
        (local.set $b (i32.const 0))
        (block $cb_done (loop $cb
          (br_if $cb_done (i32.gt_u (local.get $b) (local.get $a)))
          (local.set $rowB (i32.add (local.get $KS) (i32.mul (local.get $b) (local.get $pp))))
          (local.set $sum (v128.load (i32.add (local.get $rowA) (i32.shl (local.get $b) (i32.const 4)))))
          (local.set $k (i32.const 0))
          (block $ck_done (loop $ck
            (br_if $ck_done (i32.ge_u (local.get $k) (local.get $b)))
            (local.set $sum (f64x2.sub (local.get $sum) (f64x2.mul
              (v128.load (i32.add (local.get $rowA) (i32.shl (local.get $k) (i32.const 4))))
              (v128.load (i32.add (local.get $rowB) (i32.shl (local.get $k) (i32.const 4)))))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $ck)))
          (if (i32.eq (local.get $a) (local.get $b))
            (then
              (local.set $bad (v128.or (local.get $bad) (v128.not (f64x2.gt (local.get $sum) (v128.const f64x2 0 0)))))
              (v128.store (i32.add (local.get $rowA) (i32.shl (local.get $a) (i32.const 4))) (f64x2.sqrt (local.get $sum))))
            (else
              (v128.store (i32.add (local.get $rowA) (i32.shl (local.get $b) (i32.const 4)))
                (f64x2.div (local.get $sum) (v128.load (i32.add (local.get $rowB) (i32.shl (local.get $b) (i32.const 4))))))))
          (local.set $b (i32.add (local.get $b) (i32.const 1)))
          (br $cb)))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $ca)))
      ;; w = L^-1 k_S and the sum of its squares
      (local.set $red (v128.const f64x2 0 0))
      (local.set $a (i32.const 0))
      (block $sa_done (loop $sa
        (br_if $sa_done (i32.ge_u (local.get $a) (local.get $p)))
        (local.set $rowA (i32.add (local.get $KS) (i32.mul (local.get $a) (local.get $pp))))
        (local.set $sum (f64x2.replace_lane 1
          (f64x2.splat (f64.load (i32.add (local.get $val) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $p)) (local.get $a)) (i32.const 3)))))
          (f64.load (i32.add (local.get $val) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $p)) (local.get $a)) (i32.const 3))))))
        (local.set $k (i32.const 0))
        (block $sk_done (loop $sk
          (br_if $sk_done (i32.ge_u (local.get $k) (local.get $a)))
          (local.set $sum (f64x2.sub (local.get $sum) (f64x2.mul
            (v128.load (i32.add (local.get $rowA) (i32.shl (local.get $k) (i32.const 4))))
            (v128.load (i32.add (local.get $W) (i32.shl (local.get $k) (i32.const 4)))))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $sk)))
        (local.set $wa (f64x2.div (local.get $sum) (v128.load (i32.add (local.get $rowA) (i32.shl (local.get $a) (i32.const 4))))))
        (v128.store (i32.add (local.get $W) (i32.shl (local.get $a) (i32.const 4))) (local.get $wa))
        (local.set $red (f64x2.add (local.get $red) (f64x2.mul (local.get $wa) (local.get $wa))))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $sa)))
      (local.set $red (v128.bitselect (v128.const f64x2 0 0) (local.get $red) (local.get $bad)))
      (f64.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))) (f64x2.extract_lane 0 (local.get $red)))
      (if (i32.ne (local.get $j) (local.get $i)) (then
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))) (f64x2.extract_lane 1 (local.get $red)))))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $cands)))
  )
`;

function wat(): string {
  return `;; Generated by tools/build-wasm.ts (do not edit): the GP's cross-kernel inner loops in WebAssembly SIMD.
;; sqdist: out[i*n + b] = sum over q of (a[i*d + J[q]] - bT[J[q]*n + b])^2, then + W[r] for each categorical
;;         dimension K[r] where |a - bT| > tol (else + 0), the scalar code's order; all offsets in bytes.
;; dot:    out[i*n + b] = sum over q of a[i*d + J[q]] * bT[J[q]*n + b].
;; kernelize: a stationary kernel's values from r^2 in place, with exp computed as V8's Math.exp computes it.
;; forward4: forward substitution for groups of 4 right-hand sides, as the JavaScript forward4x2 / forward4x1.
;; nbreduce: the variance bound's p x p Cholesky and solve per candidate, two candidates at a time.
;; axpy, addc: y += f * x and y += c (a sum kernel's later terms added in the module).
;; a is m x d row-major; bT is d x n (B transposed), so each f64x2 lane holds another column b.
(module
  (memory (export "memory") 1)
${kernel("sqdist")}
${kernel("dot")}
${EXP}
${FORWARD}
${BOUND}
${ACCUMULATE}
)
`;
}

async function build(): Promise<{ text: string; ts: string }> {
  const text = wat();
  const wabt = await wabtInit();
  const module = wabt.parseWat("kernels.wat", text, { simd: true });
  module.validate();
  const { buffer } = module.toBinary({});
  const b64 = Buffer.from(buffer).toString("base64");
  const lines = b64.match(/.{1,100}/g) ?? [];
  const ts = `/** Generated by tools/build-wasm.ts from src/linalg/wasm/kernels.wat (do not edit): the module's bytes, base64. */
export const KERNELS_WASM_BASE64 =
${lines.map((l, i) => `  "${l}"${i < lines.length - 1 ? " +" : ";"}`).join("\n")}
`;
  return { text, ts };
}

const { text, ts } = await build();
if (process.argv.includes("--check")) {
  const stale = [
    [watPath, text],
    [binPath, ts],
  ].filter(([path, want]) => {
    try {
      return readFileSync(path, "utf8") !== want;
    } catch {
      return true;
    }
  });
  for (const [path] of stale) process.stderr.write(`stale: ${path} (run npx tsx tools/build-wasm.ts)\n`);
  process.exit(stale.length === 0 ? 0 : 1);
}
writeFileSync(watPath, text);
writeFileSync(binPath, ts);
process.stdout.write(`wrote ${watPath} and ${binPath} (${Buffer.from(ts).length} bytes)\n`);
