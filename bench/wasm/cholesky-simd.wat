(module
  ;; bench/wasm-cholesky.ts compiles this with the wabt npm package (an experiment of issue 13; not part of the library).
  (memory (export "memory") 1)
  ;; Row-oriented Cholesky in place on an n×n row-major f64 matrix at offset 0; returns -1 or the failing pivot.
  ;; Inner dot products two lanes at a time (f64x2), two accumulators.
  (func $dot (param $p i32) (param $q i32) (param $len i32) (result f64)
    (local $k i32) (local $acc v128) (local $acc2 v128) (local $s f64)
    (local.set $acc (v128.const f64x2 0 0))
    (local.set $acc2 (v128.const f64x2 0 0))
    (local.set $k (i32.const 0))
    (block $done4
      (loop $l4
        (br_if $done4 (i32.gt_s (i32.add (local.get $k) (i32.const 4)) (local.get $len)))
        (local.set $acc (f64x2.add (local.get $acc)
          (f64x2.mul (v128.load (i32.add (local.get $p) (i32.shl (local.get $k) (i32.const 3))))
                     (v128.load (i32.add (local.get $q) (i32.shl (local.get $k) (i32.const 3)))))))
        (local.set $acc2 (f64x2.add (local.get $acc2)
          (f64x2.mul (v128.load offset=16 (i32.add (local.get $p) (i32.shl (local.get $k) (i32.const 3))))
                     (v128.load offset=16 (i32.add (local.get $q) (i32.shl (local.get $k) (i32.const 3)))))))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $l4)))
    (local.set $acc (f64x2.add (local.get $acc) (local.get $acc2)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_s (local.get $k) (local.get $len)))
        (local.set $s (f64.add (local.get $s)
          (f64.mul (f64.load (i32.add (local.get $p) (i32.shl (local.get $k) (i32.const 3))))
                   (f64.load (i32.add (local.get $q) (i32.shl (local.get $k) (i32.const 3)))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $l)))
    (local.get $s))
  (func (export "chol") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $ri i32) (local $rj i32) (local $s f64)
    (local.set $i (i32.const 0))
    (block $iend
      (loop $iloop
        (br_if $iend (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $ri (i32.shl (i32.mul (local.get $i) (local.get $n)) (i32.const 3)))
        (local.set $j (i32.const 0))
        (block $jend
          (loop $jloop
            (br_if $jend (i32.gt_s (local.get $j) (local.get $i)))
            (local.set $rj (i32.shl (i32.mul (local.get $j) (local.get $n)) (i32.const 3)))
            (local.set $s (f64.sub
              (f64.load (i32.add (local.get $ri) (i32.shl (local.get $j) (i32.const 3))))
              (call $dot (local.get $ri) (local.get $rj) (local.get $j))))
            (if (i32.eq (local.get $i) (local.get $j))
              (then
                (if (i32.eqz (f64.gt (local.get $s) (f64.const 0))) (then (return (local.get $i))))
                (f64.store (i32.add (local.get $ri) (i32.shl (local.get $i) (i32.const 3))) (f64.sqrt (local.get $s))))
              (else
                (f64.store (i32.add (local.get $ri) (i32.shl (local.get $j) (i32.const 3)))
                  (f64.div (local.get $s) (f64.load (i32.add (local.get $rj) (i32.shl (local.get $j) (i32.const 3))))))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $jloop)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $iloop)))
    (i32.const -1)))
