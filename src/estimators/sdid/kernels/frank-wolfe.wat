;; The synthetic-DID kernel: the Frank–Wolfe solver of src/estimators/sdid/frank-wolfe.ts and the panel
;; preparation of src/estimators/sdid/sdid.ts as WebAssembly (compiled to frank-wolfe.wasm by
;; scripts/build-wasm.mjs with wabt; loaded by frank-wolfe-kernel.ts).
;;
;; It performs the same floating-point operations in the same order as the TypeScript code (the
;; `frankWolfeCore` solver, `gramMatrix`, `noiseLevel`, `sdidTau`, …), so both give the same bits;
;; test/estimators/sdid/kernel.test.ts checks this on every path. Vector code (f64x2) appears only where lanes
;; are independent element-wise updates (the gradient move, Gram columns and the Gram matrix, each
;; entry still summed in row order) or an order-free minimum; every running sum stays scalar and in
;; index order.
;;
;; All pointers are byte offsets into the exported memory. The solver writes its objective value to
;; byte 0 (the header, bytes 0–63).
(module
  (import "env" "gramColumn" (func $provider (param i32 i32)))
  (memory (export "memory") 1 65536)

  ;; results of the small helpers (the TypeScript solver's `st` array)
  (global $gmin (mut f64) (f64.const 0))
  (global $imin (mut i32) (i32.const 0))
  (global $s2 (mut f64) (f64.const 0))
  (global $s3 (mut f64) (f64.const 0))
  (global $s4 (mut f64) (f64.const 0))

  ;; Gram-column context of the running solve (frankWolfeCore's CacheCtx)
  (global $cA (mut i32) (i32.const 0))
  (global $cR (mut i32) (i32.const 0))
  (global $cC (mut i32) (i32.const 0))
  (global $cc (mut i32) (i32.const 0))
  (global $cSlot (mut i32) (i32.const 0))
  (global $cCache (mut i32) (i32.const 0))
  (global $cCacheCols (mut i32) (i32.const 0))
  (global $cUsed (mut i32) (i32.const 0))
  (global $cFull (mut i32) (i32.const 0))
  (global $cMode (mut i32) (i32.const 0))
  (global $cScratch (mut i32) (i32.const 0))
  (global $cAt (mut i32) (i32.const 0))
  (global $cAtMade (mut i32) (i32.const 0))

  ;; st ← min g, first argmin g over g[0..C)
  (func $argminG (param $g i32) (param $C i32)
    (local $j i32) (local $v f64) (local $m f64) (local $k i32)
    (local.set $m (f64.const inf))
    (local.set $k (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $j) (local.get $C)))
      (local.set $v (f64.load (i32.add (local.get $g) (i32.shl (local.get $j) (i32.const 3)))))
      (if (f64.lt (local.get $v) (local.get $m)) (then
        (local.set $m (local.get $v))
        (local.set $k (local.get $j))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $next)))
    (global.set $gmin (local.get $m))
    (global.set $imin (local.get $k)))

  ;; $s2, $s3, $s4 ← g·x, ‖x‖², c·x summed over the support list in its order
  (func $supportSums (param $sup i32) (param $nsup i32) (param $x i32) (param $g i32) (param $c i32)
    (local $k i32) (local $j8 i32) (local $xj f64) (local $gx f64) (local $xx f64) (local $cx f64)
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $k) (local.get $nsup)))
      (local.set $j8 (i32.shl (i32.load (i32.add (local.get $sup) (i32.shl (local.get $k) (i32.const 2)))) (i32.const 3)))
      (local.set $xj (f64.load (i32.add (local.get $x) (local.get $j8))))
      (local.set $gx (f64.add (local.get $gx) (f64.mul (f64.load (i32.add (local.get $g) (local.get $j8))) (local.get $xj))))
      (local.set $xx (f64.add (local.get $xx) (f64.mul (local.get $xj) (local.get $xj))))
      (local.set $cx (f64.add (local.get $cx) (f64.mul (f64.load (i32.add (local.get $c) (local.get $j8))) (local.get $xj))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $next)))
    (global.set $s2 (local.get $gx))
    (global.set $s3 (local.get $xx))
    (global.set $s4 (local.get $cx)))

  ;; One pass over the C coordinates (TypeScript `moveAll`): x ← x + step(e_i − x), g ← g +
  ;; step(col − g) + step·η·e_i; st ← min g, argmin g, g·x, ‖x‖², c·x.
  (func $moveAll (param $x i32) (param $g i32) (param $c i32) (param $col i32) (param $C i32)
                 (param $step f64) (param $i i32) (param $xi f64) (param $eta f64)
    (local $j i32) (local $o i32) (local $xj f64) (local $v f64) (local $gj f64)
    (local $m f64) (local $k i32) (local $gx f64) (local $xx f64) (local $cx f64)
    (local $xiNew f64) (local $bump f64)
    (local.set $m (f64.const inf))
    (local.set $xiNew (f64.add (local.get $xi) (f64.mul (local.get $step) (f64.sub (f64.const 1) (local.get $xi)))))
    (local.set $bump (f64.mul (local.get $step) (local.get $eta)))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $j) (local.get $C)))
      (local.set $o (i32.shl (local.get $j) (i32.const 3)))
      (local.set $gj (f64.load (i32.add (local.get $g) (local.get $o))))
      (local.set $v (f64.add (local.get $gj)
        (f64.mul (local.get $step) (f64.sub (f64.load (i32.add (local.get $col) (local.get $o))) (local.get $gj)))))
      (if (i32.eq (local.get $j) (local.get $i))
        (then
          (local.set $xj (local.get $xiNew))
          (local.set $v (f64.add (local.get $v) (local.get $bump))))
        (else
          (local.set $xj (f64.load (i32.add (local.get $x) (local.get $o))))
          (local.set $xj (f64.add (local.get $xj) (f64.mul (local.get $step) (f64.neg (local.get $xj)))))))
      (f64.store (i32.add (local.get $x) (local.get $o)) (local.get $xj))
      (f64.store (i32.add (local.get $g) (local.get $o)) (local.get $v))
      (if (f64.lt (local.get $v) (local.get $m)) (then
        (local.set $m (local.get $v))
        (local.set $k (local.get $j))))
      (local.set $gx (f64.add (local.get $gx) (f64.mul (local.get $v) (local.get $xj))))
      (local.set $xx (f64.add (local.get $xx) (f64.mul (local.get $xj) (local.get $xj))))
      (local.set $cx (f64.add (local.get $cx) (f64.mul (f64.load (i32.add (local.get $c) (local.get $o))) (local.get $xj))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $next)))
    (global.set $gmin (local.get $m))
    (global.set $imin (local.get $k))
    (global.set $s2 (local.get $gx))
    (global.set $s3 (local.get $xx))
    (global.set $s4 (local.get $cx)))

  ;; g[j] ← g[j] + step(col[j] − g[j]) for j in [j0, j1); returns the least of the new values in
  ;; the sense of a left-to-right scan with `<` (NaN never taken; +inf when nothing is below +inf).
  ;; f64x2.pmin(acc, v) is exactly `v < acc ? v : acc`; four accumulators keep the pass
  ;; throughput-bound. Only the value is tracked here: `firstEq` finds its first index afterwards.
  (func $minSeg (param $g i32) (param $col i32) (param $j0 i32) (param $j1 i32) (param $step f64) (result f64)
    (local $j i32) (local $p i32) (local $q i32) (local $vs v128) (local $x v128) (local $v v128)
    (local $m0 v128) (local $m1 v128) (local $m2 v128) (local $m3 v128) (local $m f64) (local $u f64) (local $gj f64)
    (local.set $vs (f64x2.splat (local.get $step)))
    (local.set $m0 (f64x2.splat (f64.const inf)))
    (local.set $m1 (local.get $m0))
    (local.set $m2 (local.get $m0))
    (local.set $m3 (local.get $m0))
    (local.set $j (local.get $j0))
    (block $done8 (loop $next8
      (br_if $done8 (i32.gt_s (i32.add (local.get $j) (i32.const 8)) (local.get $j1)))
      (local.set $p (i32.add (local.get $g) (i32.shl (local.get $j) (i32.const 3))))
      (local.set $q (i32.add (local.get $col) (i32.shl (local.get $j) (i32.const 3))))
      (local.set $x (v128.load (local.get $p)))
      (local.set $v (f64x2.add (local.get $x) (f64x2.mul (local.get $vs) (f64x2.sub (v128.load (local.get $q)) (local.get $x)))))
      (v128.store (local.get $p) (local.get $v))
      (local.set $m0 (f64x2.pmin (local.get $m0) (local.get $v)))
      (local.set $x (v128.load offset=16 (local.get $p)))
      (local.set $v (f64x2.add (local.get $x) (f64x2.mul (local.get $vs) (f64x2.sub (v128.load offset=16 (local.get $q)) (local.get $x)))))
      (v128.store offset=16 (local.get $p) (local.get $v))
      (local.set $m1 (f64x2.pmin (local.get $m1) (local.get $v)))
      (local.set $x (v128.load offset=32 (local.get $p)))
      (local.set $v (f64x2.add (local.get $x) (f64x2.mul (local.get $vs) (f64x2.sub (v128.load offset=32 (local.get $q)) (local.get $x)))))
      (v128.store offset=32 (local.get $p) (local.get $v))
      (local.set $m2 (f64x2.pmin (local.get $m2) (local.get $v)))
      (local.set $x (v128.load offset=48 (local.get $p)))
      (local.set $v (f64x2.add (local.get $x) (f64x2.mul (local.get $vs) (f64x2.sub (v128.load offset=48 (local.get $q)) (local.get $x)))))
      (v128.store offset=48 (local.get $p) (local.get $v))
      (local.set $m3 (f64x2.pmin (local.get $m3) (local.get $v)))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $next8)))
    (block $done2 (loop $next2
      (br_if $done2 (i32.gt_s (i32.add (local.get $j) (i32.const 2)) (local.get $j1)))
      (local.set $p (i32.add (local.get $g) (i32.shl (local.get $j) (i32.const 3))))
      (local.set $x (v128.load (local.get $p)))
      (local.set $v (f64x2.add (local.get $x)
        (f64x2.mul (local.get $vs) (f64x2.sub (v128.load (i32.add (local.get $col) (i32.shl (local.get $j) (i32.const 3)))) (local.get $x)))))
      (v128.store (local.get $p) (local.get $v))
      (local.set $m0 (f64x2.pmin (local.get $m0) (local.get $v)))
      (local.set $j (i32.add (local.get $j) (i32.const 2)))
      (br $next2)))
    (local.set $m0 (f64x2.pmin (f64x2.pmin (local.get $m0) (local.get $m1)) (f64x2.pmin (local.get $m2) (local.get $m3))))
    (local.set $m (f64x2.extract_lane 0 (local.get $m0)))
    (local.set $u (f64x2.extract_lane 1 (local.get $m0)))
    (if (f64.lt (local.get $u) (local.get $m)) (then (local.set $m (local.get $u))))
    (if (i32.lt_s (local.get $j) (local.get $j1)) (then
      (local.set $q (i32.shl (local.get $j) (i32.const 3)))
      (local.set $gj (f64.load (i32.add (local.get $g) (local.get $q))))
      (local.set $u (f64.add (local.get $gj)
        (f64.mul (local.get $step) (f64.sub (f64.load (i32.add (local.get $col) (local.get $q))) (local.get $gj)))))
      (f64.store (i32.add (local.get $g) (local.get $q)) (local.get $u))
      (if (f64.lt (local.get $u) (local.get $m)) (then (local.set $m (local.get $u))))))
    (local.get $m))

  ;; first j in [0, C) with g[j] == m (m is one of the values of g)
  (func $firstEq (param $g i32) (param $C i32) (param $m f64) (result i32)
    (local $j i32) (local $vm v128) (local $e v128)
    (local.set $vm (f64x2.splat (local.get $m)))
    (block $done2 (loop $next2
      (br_if $done2 (i32.gt_s (i32.add (local.get $j) (i32.const 2)) (local.get $C)))
      (local.set $e (f64x2.eq (v128.load (i32.add (local.get $g) (i32.shl (local.get $j) (i32.const 3)))) (local.get $vm)))
      (if (v128.any_true (local.get $e)) (then
        (return (i32.add (local.get $j) (i64.eqz (i64x2.extract_lane 0 (local.get $e)))))))
      (local.set $j (i32.add (local.get $j) (i32.const 2)))
      (br $next2)))
    (local.get $j))

  ;; TypeScript `moveG`: g ← g + step(col − g) + step·η·e_i; st ← min g and its first index (what
  ;; a left-to-right scan with `<` gives: index 0 and +inf when no value is below +inf).
  (func $moveG (param $g i32) (param $col i32) (param $C i32) (param $step f64) (param $i i32) (param $eta f64)
    (local $q i32) (local $gi f64) (local $v f64) (local $m f64) (local $k i32)
    (local.set $m (call $minSeg (local.get $g) (local.get $col) (i32.const 0) (local.get $i) (local.get $step)))
    (local.set $q (i32.shl (local.get $i) (i32.const 3)))
    (local.set $gi (f64.load (i32.add (local.get $g) (local.get $q))))
    (local.set $v (f64.add
      (f64.add (local.get $gi)
        (f64.mul (local.get $step) (f64.sub (f64.load (i32.add (local.get $col) (local.get $q))) (local.get $gi))))
      (f64.mul (local.get $step) (local.get $eta))))
    (f64.store (i32.add (local.get $g) (local.get $q)) (local.get $v))
    (if (f64.lt (local.get $v) (local.get $m)) (then (local.set $m (local.get $v))))
    (local.set $v (call $minSeg (local.get $g) (local.get $col) (i32.add (local.get $i) (i32.const 1)) (local.get $C) (local.get $step)))
    (if (f64.lt (local.get $v) (local.get $m)) (then (local.set $m (local.get $v))))
    (if (f64.lt (local.get $m) (f64.const inf))
      (then
        (local.set $k (call $firstEq (local.get $g) (local.get $C) (local.get $m)))
        (global.set $imin (local.get $k))
        (global.set $gmin (f64.load (i32.add (local.get $g) (i32.shl (local.get $k) (i32.const 3))))))
      (else
        (global.set $imin (i32.const 0))
        (global.set $gmin (f64.const inf)))))

  ;; ‖A_i − Ax‖² with A_i at byte offset $ai
  (func $distSq (param $ai i32) (param $ax i32) (param $R i32) (result f64)
    (local $r i32) (local $o i32) (local $d f64) (local $s f64)
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $r) (local.get $R)))
      (local.set $o (i32.shl (local.get $r) (i32.const 3)))
      (local.set $d (f64.sub (f64.load (i32.add (local.get $ai) (local.get $o))) (f64.load (i32.add (local.get $ax) (local.get $o)))))
      (local.set $s (f64.add (local.get $s) (f64.mul (local.get $d) (local.get $d))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $next)))
    (local.get $s))

  ;; Ax ← Ax + step(A_i − Ax), res = Ax − b; returns ‖Ax − b‖²
  (func $moveRows (param $ai i32) (param $ax i32) (param $res i32) (param $b i32) (param $R i32) (param $step f64) (result f64)
    (local $r i32) (local $o i32) (local $v f64) (local $e f64) (local $s f64) (local $axr f64)
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $r) (local.get $R)))
      (local.set $o (i32.shl (local.get $r) (i32.const 3)))
      (local.set $axr (f64.load (i32.add (local.get $ax) (local.get $o))))
      (local.set $v (f64.add (local.get $axr)
        (f64.mul (local.get $step) (f64.sub (f64.load (i32.add (local.get $ai) (local.get $o))) (local.get $axr)))))
      (f64.store (i32.add (local.get $ax) (local.get $o)) (local.get $v))
      (local.set $e (f64.sub (local.get $v) (f64.load (i32.add (local.get $b) (local.get $o)))))
      (f64.store (i32.add (local.get $res) (local.get $o)) (local.get $e))
      (local.set $s (f64.add (local.get $s) (f64.mul (local.get $e) (local.get $e))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $next)))
    (local.get $s))

;; out[j] = Σ_r A_rj·A_ri from the row-major copy at (TypeScript `fillGram`): each entry summed
  ;; from 0 over the rows r in order, rows with A_ri = 0 skipped; eight columns j at a time are
  ;; accumulated in registers.
  (func $fillGram (param $at i32) (param $a i32) (param $R i32) (param $C i32) (param $i i32) (param $out i32)
    (local $j i32) (local $r i32) (local $ai i32) (local $q i32) (local $stride i32) (local $v f64) (local $t f64)
    (local $vv v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $ai (i32.add (local.get $a) (i32.shl (i32.mul (local.get $i) (local.get $R)) (i32.const 3))))
    (local.set $stride (i32.shl (local.get $C) (i32.const 3)))
    (block $done8 (loop $next8
      (br_if $done8 (i32.gt_s (i32.add (local.get $j) (i32.const 8)) (local.get $C)))
      (local.set $s0 (f64x2.splat (f64.const 0)))
      (local.set $s1 (f64x2.splat (f64.const 0)))
      (local.set $s2 (f64x2.splat (f64.const 0)))
      (local.set $s3 (f64x2.splat (f64.const 0)))
      (local.set $q (i32.add (local.get $at) (i32.shl (local.get $j) (i32.const 3))))
      (local.set $r (i32.const 0))
      (block $rdone (loop $rnext
        (br_if $rdone (i32.ge_s (local.get $r) (local.get $R)))
        (local.set $v (f64.load (i32.add (local.get $ai) (i32.shl (local.get $r) (i32.const 3)))))
        (if (f64.ne (local.get $v) (f64.const 0)) (then
          (local.set $vv (f64x2.splat (local.get $v)))
          (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (v128.load (local.get $q)) (local.get $vv))))
          (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (v128.load offset=16 (local.get $q)) (local.get $vv))))
          (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (v128.load offset=32 (local.get $q)) (local.get $vv))))
          (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (v128.load offset=48 (local.get $q)) (local.get $vv))))))
        (local.set $q (i32.add (local.get $q) (local.get $stride)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rnext)))
      (local.set $q (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))))
      (v128.store (local.get $q) (local.get $s0))
      (v128.store offset=16 (local.get $q) (local.get $s1))
      (v128.store offset=32 (local.get $q) (local.get $s2))
      (v128.store offset=48 (local.get $q) (local.get $s3))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $next8)))
    (block $done1 (loop $next1
      (br_if $done1 (i32.ge_s (local.get $j) (local.get $C)))
      (local.set $t (f64.const 0))
      (local.set $q (i32.add (local.get $at) (i32.shl (local.get $j) (i32.const 3))))
      (local.set $r (i32.const 0))
      (block $rdone (loop $rnext
        (br_if $rdone (i32.ge_s (local.get $r) (local.get $R)))
        (local.set $v (f64.load (i32.add (local.get $ai) (i32.shl (local.get $r) (i32.const 3)))))
        (if (f64.ne (local.get $v) (f64.const 0)) (then
          (local.set $t (f64.add (local.get $t) (f64.mul (f64.load (local.get $q)) (local.get $v))))))
        (local.set $q (i32.add (local.get $q) (local.get $stride)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rnext)))
      (f64.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))) (local.get $t))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $next1))))

  ;; Row-major copy at[r·C + j] = a[j·R + r]
  (func $transpose (param $a i32) (param $R i32) (param $C i32) (param $at i32)
    (local $j i32) (local $r i32)
    (block $jdone (loop $jnext
      (br_if $jdone (i32.ge_s (local.get $j) (local.get $C)))
      (local.set $r (i32.const 0))
      (block $rdone (loop $rnext
        (br_if $rdone (i32.ge_s (local.get $r) (local.get $R)))
        (f64.store (i32.add (local.get $at) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $C)) (local.get $j)) (i32.const 3)))
          (f64.load (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $R)) (local.get $r)) (i32.const 3)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rnext)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $jnext))))

  ;; TypeScript `gramCol`: byte address of the column G_i − c for vertex i (cached per vertex;
  ;; from the whole Gram matrix, the provider, or A'A_i).
  (func $gramCol (param $i i32) (result i32)
    (local $s i32) (local $out i32) (local $j i32) (local $C i32) (local $p i32) (local $q i32)
    (local.set $C (global.get $cC))
    (local.set $s (i32.load (i32.add (global.get $cSlot) (i32.shl (local.get $i) (i32.const 2)))))
    (if (i32.ge_s (local.get $s) (i32.const 0)) (then
      (return (i32.add (global.get $cCache) (i32.shl (i32.mul (local.get $s) (local.get $C)) (i32.const 3))))))
    (if (i32.ge_s (global.get $cUsed) (global.get $cCacheCols))
      (then (local.set $out (global.get $cScratch)))
      (else
        (local.set $s (global.get $cUsed))
        (global.set $cUsed (i32.add (local.get $s) (i32.const 1)))
        (i32.store (i32.add (global.get $cSlot) (i32.shl (local.get $i) (i32.const 2))) (local.get $s))
        (local.set $out (i32.add (global.get $cCache) (i32.shl (i32.mul (local.get $s) (local.get $C)) (i32.const 3))))))
    (if (i32.eq (global.get $cMode) (i32.const 1))
      (then
        ;; out[j] = G[i·C + j] − c[j]
        (local.set $p (i32.add (global.get $cFull) (i32.shl (i32.mul (local.get $i) (local.get $C)) (i32.const 3))))
        (block $done (loop $next
          (br_if $done (i32.ge_s (local.get $j) (local.get $C)))
          (local.set $q (i32.shl (local.get $j) (i32.const 3)))
          (f64.store (i32.add (local.get $out) (local.get $q))
            (f64.sub (f64.load (i32.add (local.get $p) (local.get $q))) (f64.load (i32.add (global.get $cc) (local.get $q)))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $next)))
        (return (local.get $out))))
    (if (i32.eq (global.get $cMode) (i32.const 2))
      (then (call $provider (local.get $i) (local.get $out)))
      (else
        (if (i32.eqz (global.get $cAtMade)) (then
          (call $transpose (global.get $cA) (global.get $cR) (local.get $C) (global.get $cAt))
          (global.set $cAtMade (i32.const 1))))
        (call $fillGram (global.get $cAt) (global.get $cA) (global.get $cR) (local.get $C) (local.get $i) (local.get $out))))
    (local.set $j (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $j) (local.get $C)))
      (local.set $q (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))))
      (f64.store (local.get $q) (f64.sub (f64.load (local.get $q)) (f64.load (i32.add (global.get $cc) (i32.shl (local.get $j) (i32.const 3))))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $next)))
    (local.get $out))

  ;; The solver (TypeScript `frankWolfeCore`). x holds x0 on entry and the solution on return;
  ;; returns the iteration count and writes the objective to header[0]. mode: 0 Gram columns from
  ;; A, 1 whole Gram matrix at $full (C×C row-major), 2 the imported provider.
  (func (export "fw")
    (param $R i32) (param $C i32) (param $a i32) (param $b i32) (param $x i32)
    (param $zeta f64) (param $minDecrease f64) (param $maxIter i32)
    (param $mode i32) (param $full i32) (param $cacheCols i32)
    (param $ax i32) (param $res i32) (param $g i32) (param $c i32) (param $sup i32) (param $inSup i32)
    (param $slot i32) (param $cache i32) (param $scratch i32) (param $at i32) (param $reuse i32)
    (result i32)
    (local $zeta2 f64) (local $eta f64) (local $minDec2 f64) (local $viaGram i32) (local $lazy i32)
    (local $nsup i32) (local $j i32) (local $r i32) (local $k i32) (local $o i32) (local $xj f64)
    (local $bb f64) (local $rr f64) (local $sb f64) (local $sx f64) (local $v f64) (local $br f64)
    (local $imin i32) (local $gmin f64) (local $gdotx f64) (local $xx f64) (local $cx f64)
    (local $sigma f64) (local $t i32) (local $prev f64) (local $cur f64) (local $xi f64)
    (local $ai i32) (local $col i32) (local $derr2 f64) (local $gii f64) (local $gxi f64)
    (local $dd f64) (local $gd f64) (local $step f64) (local $keep f64) (local $xgx f64) (local $ci f64)
    (local $p i32)
    (local.set $zeta2 (f64.mul (local.get $zeta) (local.get $zeta)))
    (local.set $eta (f64.mul (f64.convert_i32_s (local.get $R)) (local.get $zeta2)))
    (local.set $minDec2 (f64.mul (local.get $minDecrease) (local.get $minDecrease)))
    (local.set $viaGram (i32.gt_s (local.get $R) (local.get $C)))
    ;; slot ← −1 (unless $reuse: the previous solve had the same A and b, so its cached columns
    ;; G_i − A'b and the row-major copy of A hold), inSup ← 0
    (if (i32.eqz (local.get $reuse)) (then
      (memory.fill (local.get $slot) (i32.const 255) (i32.shl (local.get $C) (i32.const 2)))
      (global.set $cUsed (i32.const 0))
      (global.set $cAtMade (i32.const 0))))
    (memory.fill (local.get $inSup) (i32.const 0) (local.get $C))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $j) (local.get $C)))
      (if (f64.ne (f64.load (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 3)))) (f64.const 0)) (then
        (i32.store (i32.add (local.get $sup) (i32.shl (local.get $nsup) (i32.const 2))) (local.get $j))
        (local.set $nsup (i32.add (local.get $nsup) (i32.const 1)))
        (i32.store8 (i32.add (local.get $inSup) (local.get $j)) (i32.const 1))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $next)))

    ;; Ax over the support, residual, ‖b‖², ‖Ax − b‖²
    (memory.fill (local.get $ax) (i32.const 0) (i32.shl (local.get $R) (i32.const 3)))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $k) (local.get $nsup)))
      (local.set $j (i32.load (i32.add (local.get $sup) (i32.shl (local.get $k) (i32.const 2)))))
      (local.set $xj (f64.load (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 3)))))
      (local.set $ai (i32.add (local.get $a) (i32.shl (i32.mul (local.get $j) (local.get $R)) (i32.const 3))))
      (local.set $r (i32.const 0))
      (block $rdone (loop $rnext
        (br_if $rdone (i32.ge_s (local.get $r) (local.get $R)))
        (local.set $o (i32.shl (local.get $r) (i32.const 3)))
        (f64.store (i32.add (local.get $ax) (local.get $o))
          (f64.add (f64.load (i32.add (local.get $ax) (local.get $o)))
                   (f64.mul (f64.load (i32.add (local.get $ai) (local.get $o))) (local.get $xj))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rnext)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $next)))
    (local.set $r (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $r) (local.get $R)))
      (local.set $o (i32.shl (local.get $r) (i32.const 3)))
      (local.set $br (f64.load (i32.add (local.get $b) (local.get $o))))
      (local.set $v (f64.sub (f64.load (i32.add (local.get $ax) (local.get $o))) (local.get $br)))
      (f64.store (i32.add (local.get $res) (local.get $o)) (local.get $v))
      (local.set $bb (f64.add (local.get $bb) (f64.mul (local.get $br) (local.get $br))))
      (local.set $rr (f64.add (local.get $rr) (f64.mul (local.get $v) (local.get $v))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $next)))
    ;; c = A'b, g = A'(Ax) − c + ηx
    (local.set $j (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $j) (local.get $C)))
      (local.set $ai (i32.add (local.get $a) (i32.shl (i32.mul (local.get $j) (local.get $R)) (i32.const 3))))
      (local.set $sb (f64.const 0))
      (local.set $sx (f64.const 0))
      (local.set $r (i32.const 0))
      (block $rdone (loop $rnext
        (br_if $rdone (i32.ge_s (local.get $r) (local.get $R)))
        (local.set $o (i32.shl (local.get $r) (i32.const 3)))
        (local.set $v (f64.load (i32.add (local.get $ai) (local.get $o))))
        (local.set $sb (f64.add (local.get $sb) (f64.mul (local.get $v) (f64.load (i32.add (local.get $b) (local.get $o))))))
        (local.set $sx (f64.add (local.get $sx) (f64.mul (local.get $v) (f64.load (i32.add (local.get $ax) (local.get $o))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rnext)))
      (local.set $o (i32.shl (local.get $j) (i32.const 3)))
      (f64.store (i32.add (local.get $c) (local.get $o)) (local.get $sb))
      (f64.store (i32.add (local.get $g) (local.get $o))
        (f64.add (f64.sub (local.get $sx) (local.get $sb)) (f64.mul (local.get $eta) (f64.load (i32.add (local.get $x) (local.get $o))))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $next)))

    ;; Gram-column context
    (global.set $cA (local.get $a))
    (global.set $cR (local.get $R))
    (global.set $cC (local.get $C))
    (global.set $cc (local.get $c))
    (global.set $cSlot (local.get $slot))
    (global.set $cCache (local.get $cache))
    (global.set $cCacheCols (local.get $cacheCols))
    (global.set $cFull (local.get $full))
    (global.set $cMode (local.get $mode))
    (global.set $cScratch (local.get $scratch))
    (global.set $cAt (local.get $at))

    (call $argminG (local.get $g) (local.get $C))
    (local.set $imin (global.get $imin))
    (local.set $gmin (global.get $gmin))
    (call $supportSums (local.get $sup) (local.get $nsup) (local.get $x) (local.get $g) (local.get $c))
    (local.set $gdotx (global.get $s2))
    (local.set $xx (global.get $s3))
    (local.set $cx (global.get $s4))
    (if (local.get $viaGram) (then
      (local.set $rr (f64.add (f64.sub (f64.sub (f64.add (local.get $gdotx) (local.get $cx)) (f64.mul (local.get $eta) (local.get $xx)))
                                       (f64.mul (f64.const 2) (local.get $cx))) (local.get $bb)))))

    (local.set $lazy (i32.and (i32.eqz (local.get $viaGram)) (i32.gt_s (local.get $C) (i32.const 64))))
    (local.set $sigma (f64.const 1))
    (local.set $prev (f64.const nan))
    (local.set $cur (f64.const nan))
    (block $stop (loop $iter
      (br_if $stop (i32.ge_s (local.get $t) (local.get $maxIter)))
      (if (i32.ge_s (local.get $t) (i32.const 2)) (then
        (br_if $stop (i32.eqz (f64.gt (f64.sub (local.get $prev) (local.get $cur)) (local.get $minDec2))))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (local.set $p (i32.add (local.get $x) (i32.shl (local.get $imin) (i32.const 3))))
      (local.set $xi (f64.load (local.get $p)))
      (if (local.get $lazy) (then (local.set $xi (f64.mul (local.get $sigma) (local.get $xi)))))
      ;; d = e_i − x is zero iff x is the vertex e_i
      (if (i32.eqz (i32.and (f64.eq (local.get $xi) (f64.const 1)) (f64.eq (local.get $xx) (f64.const 1)))) (then
        (local.set $ai (i32.add (local.get $a) (i32.shl (i32.mul (local.get $imin) (local.get $R)) (i32.const 3))))
        (local.set $col (call $gramCol (local.get $imin)))
        (local.set $ci (f64.load (i32.add (local.get $c) (i32.shl (local.get $imin) (i32.const 3)))))
        (if (local.get $viaGram)
          (then
            (local.set $gii (f64.add (f64.load (i32.add (local.get $col) (i32.shl (local.get $imin) (i32.const 3)))) (local.get $ci)))
            (local.set $gxi (f64.sub (f64.add (f64.load (i32.add (local.get $g) (i32.shl (local.get $imin) (i32.const 3)))) (local.get $ci))
                                     (f64.mul (local.get $eta) (local.get $xi))))
            (local.set $derr2 (f64.add (f64.sub (local.get $gii) (f64.mul (f64.const 2) (local.get $gxi)))
                                       (f64.sub (f64.add (local.get $gdotx) (local.get $cx)) (f64.mul (local.get $eta) (local.get $xx))))))
          (else (local.set $derr2 (call $distSq (local.get $ai) (local.get $ax) (local.get $R)))))
        (local.set $dd (f64.add (f64.sub (local.get $xx) (f64.mul (f64.const 2) (local.get $xi))) (f64.const 1)))
        (local.set $gd (f64.sub (local.get $gmin) (local.get $gdotx)))
        (local.set $step (f64.div (f64.neg (local.get $gd)) (f64.add (local.get $derr2) (f64.mul (local.get $eta) (local.get $dd)))))
        (if (i32.eqz (f64.gt (local.get $step) (f64.const 0)))
          (then (local.set $step (f64.const 0)))
          (else (if (f64.gt (local.get $step) (f64.const 1)) (then (local.set $step (f64.const 1))))))
        (if (f64.gt (local.get $step) (f64.const 0)) (then
          (if (i32.eqz (local.get $viaGram)) (then
            (local.set $rr (call $moveRows (local.get $ai) (local.get $ax) (local.get $res) (local.get $b) (local.get $R) (local.get $step)))))
          (if (local.get $lazy)
            (then
              (local.set $keep (f64.sub (f64.const 1) (local.get $step)))
              (local.set $gii (f64.add (f64.load (i32.add (local.get $col) (i32.shl (local.get $imin) (i32.const 3)))) (local.get $ci)))
              (local.set $gxi (f64.sub (f64.add (local.get $gmin) (local.get $ci)) (f64.mul (local.get $eta) (local.get $xi))))
              (local.set $xgx (f64.add (f64.add
                (f64.mul (f64.mul (local.get $keep) (local.get $keep))
                         (f64.sub (f64.add (local.get $gdotx) (local.get $cx)) (f64.mul (local.get $eta) (local.get $xx))))
                (f64.mul (f64.mul (f64.mul (f64.const 2) (local.get $step)) (local.get $keep)) (local.get $gxi)))
                (f64.mul (f64.mul (local.get $step) (local.get $step)) (local.get $gii))))
              (local.set $cx (f64.add (f64.mul (local.get $keep) (local.get $cx)) (f64.mul (local.get $step) (local.get $ci))))
              (local.set $xx (f64.add (f64.add
                (f64.mul (f64.mul (local.get $keep) (local.get $keep)) (local.get $xx))
                (f64.mul (f64.mul (f64.mul (f64.const 2) (local.get $step)) (local.get $keep)) (local.get $xi)))
                (f64.mul (local.get $step) (local.get $step))))
              (local.set $gdotx (f64.add (f64.sub (local.get $xgx) (local.get $cx)) (f64.mul (local.get $eta) (local.get $xx))))
              (local.set $sigma (f64.mul (local.get $sigma) (local.get $keep)))
              (f64.store (local.get $p) (f64.add (f64.load (local.get $p)) (f64.div (local.get $step) (local.get $sigma))))
              (if (i32.eqz (i32.load8_u (i32.add (local.get $inSup) (local.get $imin)))) (then
                (i32.store8 (i32.add (local.get $inSup) (local.get $imin)) (i32.const 1))
                (i32.store (i32.add (local.get $sup) (i32.shl (local.get $nsup) (i32.const 2))) (local.get $imin))
                (local.set $nsup (i32.add (local.get $nsup) (i32.const 1)))))
              (call $moveG (local.get $g) (local.get $col) (local.get $C) (local.get $step) (local.get $imin) (local.get $eta))
              (local.set $gmin (global.get $gmin))
              (local.set $imin (global.get $imin))
              (if (i32.or (f64.lt (local.get $sigma) (f64.const 1e-100)) (i32.eqz (i32.and (local.get $t) (i32.const 63)))) (then
                (call $rescale (local.get $sup) (local.get $nsup) (local.get $x) (local.get $sigma))
                (local.set $sigma (f64.const 1))
                (call $supportSums (local.get $sup) (local.get $nsup) (local.get $x) (local.get $g) (local.get $c))
                (local.set $gdotx (global.get $s2))
                (local.set $xx (global.get $s3))
                (local.set $cx (global.get $s4)))))
            (else
              (call $moveAll (local.get $x) (local.get $g) (local.get $c) (local.get $col) (local.get $C)
                             (local.get $step) (local.get $imin) (local.get $xi) (local.get $eta))
              (local.set $gmin (global.get $gmin))
              (local.set $imin (global.get $imin))
              (local.set $gdotx (global.get $s2))
              (local.set $xx (global.get $s3))
              (local.set $cx (global.get $s4))))
          (if (local.get $viaGram) (then
            (local.set $rr (f64.add (f64.sub (f64.sub (f64.add (local.get $gdotx) (local.get $cx)) (f64.mul (local.get $eta) (local.get $xx)))
                                             (f64.mul (f64.const 2) (local.get $cx))) (local.get $bb)))))))))
      (local.set $prev (local.get $cur))
      (local.set $cur (f64.add (f64.mul (local.get $zeta2) (local.get $xx)) (f64.div (local.get $rr) (f64.convert_i32_s (local.get $R)))))
      (br $iter)))
    (if (i32.and (local.get $lazy) (f64.ne (local.get $sigma) (f64.const 1))) (then
      (call $rescale (local.get $sup) (local.get $nsup) (local.get $x) (local.get $sigma))))
    (f64.store (i32.const 0) (local.get $cur))
    (local.get $t))

  ;; x[j] ← x[j]·σ over the support
  (func $rescale (param $sup i32) (param $nsup i32) (param $x i32) (param $sigma f64)
    (local $k i32) (local $p i32)
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $k) (local.get $nsup)))
      (local.set $p (i32.add (local.get $x) (i32.shl (i32.load (i32.add (local.get $sup) (i32.shl (local.get $k) (i32.const 2)))) (i32.const 3))))
      (f64.store (local.get $p) (f64.mul (f64.load (local.get $p)) (local.get $sigma)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $next))))

;; Row i of the upper triangle of G = A'A: G[i, j] = Σ_r A_ri·A_rj for j ≥ i (from an even j0 ≤ i;
  ;; the extra entry (i, i−1) lies below the diagonal and is overwritten by the mirror step), each
  ;; summed from 0 in row order as TypeScript `gramMatrix` does; four vector pairs of columns j are
  ;; accumulated in registers over r, reading the row-major copy at.
  (func $gramRow (param $a i32) (param $R i32) (param $C i32) (param $at i32) (param $G i32) (param $i i32)
    (local $j i32) (local $r i32) (local $ai i32) (local $q i32) (local $out i32) (local $stride i32)
    (local $vv v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $v f64) (local $t f64)
    (local.set $out (i32.add (local.get $G) (i32.shl (i32.mul (local.get $i) (local.get $C)) (i32.const 3))))
    (local.set $ai (i32.add (local.get $a) (i32.shl (i32.mul (local.get $i) (local.get $R)) (i32.const 3))))
    (local.set $stride (i32.shl (local.get $C) (i32.const 3)))
    (local.set $j (i32.and (local.get $i) (i32.const -2)))
    (block $done8 (loop $next8
      (br_if $done8 (i32.gt_s (i32.add (local.get $j) (i32.const 8)) (local.get $C)))
      (local.set $s0 (f64x2.splat (f64.const 0)))
      (local.set $s1 (f64x2.splat (f64.const 0)))
      (local.set $s2 (f64x2.splat (f64.const 0)))
      (local.set $s3 (f64x2.splat (f64.const 0)))
      (local.set $q (i32.add (local.get $at) (i32.shl (local.get $j) (i32.const 3))))
      (local.set $r (i32.const 0))
      (block $rdone (loop $rnext
        (br_if $rdone (i32.ge_s (local.get $r) (local.get $R)))
        (local.set $vv (f64x2.splat (f64.load (i32.add (local.get $ai) (i32.shl (local.get $r) (i32.const 3))))))
        (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (local.get $vv) (v128.load (local.get $q)))))
        (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul (local.get $vv) (v128.load offset=16 (local.get $q)))))
        (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (local.get $vv) (v128.load offset=32 (local.get $q)))))
        (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul (local.get $vv) (v128.load offset=48 (local.get $q)))))
        (local.set $q (i32.add (local.get $q) (local.get $stride)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rnext)))
      (local.set $q (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))))
      (v128.store (local.get $q) (local.get $s0))
      (v128.store offset=16 (local.get $q) (local.get $s1))
      (v128.store offset=32 (local.get $q) (local.get $s2))
      (v128.store offset=48 (local.get $q) (local.get $s3))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $next8)))
    ;; the last < 8 columns one at a time
    (block $done1 (loop $next1
      (br_if $done1 (i32.ge_s (local.get $j) (local.get $C)))
      (local.set $t (f64.const 0))
      (local.set $q (i32.add (local.get $at) (i32.shl (local.get $j) (i32.const 3))))
      (local.set $r (i32.const 0))
      (block $rdone (loop $rnext
        (br_if $rdone (i32.ge_s (local.get $r) (local.get $R)))
        (local.set $v (f64.load (i32.add (local.get $ai) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $t (f64.add (local.get $t) (f64.mul (local.get $v) (f64.load (local.get $q)))))
        (local.set $q (i32.add (local.get $q) (local.get $stride)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rnext)))
      (f64.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))) (local.get $t))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $next1))))

  ;; The whole Gram matrix G = A'A (C×C row-major) of the column-major R×C matrix at $a, using the
  ;; row-major copy at $at (written here), bit for bit as TypeScript `gramMatrix`; then the lower
  ;; triangle ← the upper.
  (func (export "gram") (param $a i32) (param $R i32) (param $C i32) (param $at i32) (param $G i32)
    (local $i i32) (local $j i32) (local $ib i32) (local $jb i32) (local $ie i32) (local $je i32) (local $top i32)
    (call $transpose (local.get $a) (local.get $R) (local.get $C) (local.get $at))
    (block $idone (loop $inext
      (br_if $idone (i32.ge_s (local.get $i) (local.get $C)))
      (call $gramRow (local.get $a) (local.get $R) (local.get $C) (local.get $at) (local.get $G) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $inext)))
    ;; lower triangle ← upper, in 64×64 tiles
    (local.set $ib (i32.const 0))
    (block $ibdone (loop $ibnext
      (br_if $ibdone (i32.ge_s (local.get $ib) (local.get $C)))
      (local.set $ie (select (local.get $C) (i32.add (local.get $ib) (i32.const 64)) (i32.lt_s (local.get $C) (i32.add (local.get $ib) (i32.const 64)))))
      (local.set $jb (local.get $ib))
      (block $jbdone (loop $jbnext
        (br_if $jbdone (i32.ge_s (local.get $jb) (local.get $C)))
        (local.set $je (select (local.get $C) (i32.add (local.get $jb) (i32.const 64)) (i32.lt_s (local.get $C) (i32.add (local.get $jb) (i32.const 64)))))
        (local.set $j (local.get $jb))
        (block $jdone (loop $jnext
          (br_if $jdone (i32.ge_s (local.get $j) (local.get $je)))
          (local.set $top (select (local.get $ie) (local.get $j) (i32.lt_s (local.get $ie) (local.get $j))))
          (local.set $i (local.get $ib))
          (block $idone2 (loop $inext2
            (br_if $idone2 (i32.ge_s (local.get $i) (local.get $top)))
            (f64.store (i32.add (local.get $G) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $C)) (local.get $i)) (i32.const 3)))
              (f64.load (i32.add (local.get $G) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $C)) (local.get $j)) (i32.const 3)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $inext2)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $jnext)))
        (local.set $jb (i32.add (local.get $jb) (i32.const 64)))
        (br $jbnext)))
      (local.set $ib (i32.add (local.get $ib) (i32.const 64)))
      (br $ibnext))))
;; ---- Synthetic-DID panel preparation (TypeScript `noiseLevel`, the two weight problems of
  ;; `sdidWithSettings`, and `sdidTau`), in the same operation order. Y is N×T row-major.

  ;; σ̂: sample sd of Y[i, t+1] − Y[i, t] over controls i < N0 and pre periods t + 1 < T0 (n ≥ 2)
  (func (export "noise") (param $Y i32) (param $T i32) (param $N0 i32) (param $T0 i32) (result f64)
    (local $i i32) (local $t i32) (local $p i32) (local $n f64) (local $s f64) (local $m f64) (local $d f64) (local $ss f64)
    (local.set $n (f64.convert_i32_s (i32.mul (local.get $N0) (i32.sub (local.get $T0) (i32.const 1)))))
    (block $idone (loop $inext
      (br_if $idone (i32.ge_s (local.get $i) (local.get $N0)))
      (local.set $p (i32.add (local.get $Y) (i32.shl (i32.mul (local.get $i) (local.get $T)) (i32.const 3))))
      (local.set $t (i32.const 0))
      (block $tdone (loop $tnext
        (br_if $tdone (i32.ge_s (i32.add (local.get $t) (i32.const 1)) (local.get $T0)))
        (local.set $s (f64.add (local.get $s)
          (f64.sub (f64.load offset=8 (local.get $p)) (f64.load (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tnext)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $inext)))
    (local.set $m (f64.div (local.get $s) (local.get $n)))
    (local.set $i (i32.const 0))
    (block $idone (loop $inext
      (br_if $idone (i32.ge_s (local.get $i) (local.get $N0)))
      (local.set $p (i32.add (local.get $Y) (i32.shl (i32.mul (local.get $i) (local.get $T)) (i32.const 3))))
      (local.set $t (i32.const 0))
      (block $tdone (loop $tnext
        (br_if $tdone (i32.ge_s (i32.add (local.get $t) (i32.const 1)) (local.get $T0)))
        (local.set $d (f64.sub (f64.sub (f64.load offset=8 (local.get $p)) (f64.load (local.get $p))) (local.get $m)))
        (local.set $ss (f64.add (local.get $ss) (f64.mul (local.get $d) (local.get $d))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tnext)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $inext)))
    (f64.sqrt (f64.div (local.get $ss) (f64.sub (local.get $n) (f64.const 1)))))

  ;; v[0..n) ← v − mean(v) at byte address $v, with stride $step bytes
  (func $centre (param $v i32) (param $n i32) (param $step i32)
    (local $k i32) (local $p i32) (local $m f64)
    (local.set $p (local.get $v))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
      (local.set $m (f64.add (local.get $m) (f64.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (local.get $step)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $next)))
    (local.set $m (f64.div (local.get $m) (f64.convert_i32_s (local.get $n))))
    (local.set $p (local.get $v))
    (local.set $k (i32.const 0))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $k) (local.get $n)))
      (f64.store (local.get $p) (f64.sub (f64.load (local.get $p)) (local.get $m)))
      (local.set $p (i32.add (local.get $p) (local.get $step)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $next))))

  ;; ω problem: A (T0×N0, column i = control i's pre series), b[t] = treated mean; centred when
  ;; $intercept
  (func (export "omegaProblem") (param $Y i32) (param $N i32) (param $T i32) (param $N0 i32) (param $T0 i32)
                                (param $intercept i32) (param $A i32) (param $b i32)
    (local $i i32) (local $t i32) (local $o i32) (local $sm f64)
    (block $idone (loop $inext
      (br_if $idone (i32.ge_s (local.get $i) (local.get $N0)))
      (local.set $o (i32.add (local.get $A) (i32.shl (i32.mul (local.get $i) (local.get $T0)) (i32.const 3))))
      (memory.copy (local.get $o) (i32.add (local.get $Y) (i32.shl (i32.mul (local.get $i) (local.get $T)) (i32.const 3)))
                   (i32.shl (local.get $T0) (i32.const 3)))
      (if (local.get $intercept) (then (call $centre (local.get $o) (local.get $T0) (i32.const 8))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $inext)))
    (block $tdone (loop $tnext
      (br_if $tdone (i32.ge_s (local.get $t) (local.get $T0)))
      (local.set $sm (f64.const 0))
      (local.set $i (local.get $N0))
      (block $idone (loop $inext
        (br_if $idone (i32.ge_s (local.get $i) (local.get $N)))
        (local.set $sm (f64.add (local.get $sm)
          (f64.load (i32.add (local.get $Y) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $T)) (local.get $t)) (i32.const 3))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $inext)))
      (f64.store (i32.add (local.get $b) (i32.shl (local.get $t) (i32.const 3)))
        (f64.div (local.get $sm) (f64.convert_i32_s (i32.sub (local.get $N) (local.get $N0)))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tnext)))
    (if (local.get $intercept) (then (call $centre (local.get $b) (local.get $T0) (i32.const 8)))))

  ;; λ problem: A (N0×T0, column t = period t over the controls), b[i] = control i's post mean;
  ;; centred when $intercept
  (func (export "lambdaProblem") (param $Y i32) (param $T i32) (param $N0 i32) (param $T0 i32)
                                 (param $intercept i32) (param $A i32) (param $b i32)
    (local $i i32) (local $t i32) (local $p i32) (local $sp f64)
    (block $idone (loop $inext
      (br_if $idone (i32.ge_s (local.get $i) (local.get $N0)))
      (local.set $p (i32.add (local.get $Y) (i32.shl (i32.mul (local.get $i) (local.get $T)) (i32.const 3))))
      (local.set $t (i32.const 0))
      (block $tdone (loop $tnext
        (br_if $tdone (i32.ge_s (local.get $t) (local.get $T0)))
        (f64.store (i32.add (local.get $A) (i32.shl (i32.add (i32.mul (local.get $t) (local.get $N0)) (local.get $i)) (i32.const 3)))
          (f64.load (i32.add (local.get $p) (i32.shl (local.get $t) (i32.const 3)))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tnext)))
      (local.set $sp (f64.const 0))
      (block $tdone (loop $tnext
        (br_if $tdone (i32.ge_s (local.get $t) (local.get $T)))
        (local.set $sp (f64.add (local.get $sp) (f64.load (i32.add (local.get $p) (i32.shl (local.get $t) (i32.const 3))))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tnext)))
      (f64.store (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 3)))
        (f64.div (local.get $sp) (f64.convert_i32_s (i32.sub (local.get $T) (local.get $T0)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $inext)))
    (if (local.get $intercept) (then
      (local.set $t (i32.const 0))
      (block $tdone (loop $tnext
        (br_if $tdone (i32.ge_s (local.get $t) (local.get $T0)))
        (call $centre (i32.add (local.get $A) (i32.shl (i32.mul (local.get $t) (local.get $N0)) (i32.const 3))) (local.get $N0) (i32.const 8))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tnext)))
      (call $centre (local.get $b) (local.get $N0) (i32.const 8)))))

  ;; τ̂ = (−ω, 1/N₁)' Y (−λ, 1/T₁) through the contrast curve s (T doubles of scratch at $s)
  (func (export "tau") (param $Y i32) (param $N i32) (param $T i32) (param $N0 i32) (param $T0 i32)
                       (param $omega i32) (param $lambda i32) (param $s i32) (result f64)
    (local $i i32) (local $t i32) (local $v f64) (local $p i32) (local $q i32) (local $tau f64)
    (memory.fill (local.get $s) (i32.const 0) (i32.shl (local.get $T) (i32.const 3)))
    (block $idone (loop $inext
      (br_if $idone (i32.ge_s (local.get $i) (local.get $N)))
      (if (i32.lt_s (local.get $i) (local.get $N0))
        (then (local.set $v (f64.neg (f64.load (i32.add (local.get $omega) (i32.shl (local.get $i) (i32.const 3)))))))
        (else (local.set $v (f64.div (f64.const 1) (f64.convert_i32_s (i32.sub (local.get $N) (local.get $N0)))))))
      (if (f64.ne (local.get $v) (f64.const 0)) (then
        (local.set $p (i32.add (local.get $Y) (i32.shl (i32.mul (local.get $i) (local.get $T)) (i32.const 3))))
        (local.set $q (local.get $s))
        (local.set $t (i32.const 0))
        (block $tdone (loop $tnext
          (br_if $tdone (i32.ge_s (local.get $t) (local.get $T)))
          (f64.store (local.get $q) (f64.add (f64.load (local.get $q)) (f64.mul (local.get $v) (f64.load (local.get $p)))))
          (local.set $p (i32.add (local.get $p) (i32.const 8)))
          (local.set $q (i32.add (local.get $q) (i32.const 8)))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $tnext)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $inext)))
    (local.set $t (i32.const 0))
    (block $tdone (loop $tnext
      (br_if $tdone (i32.ge_s (local.get $t) (local.get $T)))
      (if (i32.lt_s (local.get $t) (local.get $T0))
        (then (local.set $v (f64.neg (f64.load (i32.add (local.get $lambda) (i32.shl (local.get $t) (i32.const 3)))))))
        (else (local.set $v (f64.div (f64.const 1) (f64.convert_i32_s (i32.sub (local.get $T) (local.get $T0)))))))
      (local.set $tau (f64.add (local.get $tau)
        (f64.mul (f64.load (i32.add (local.get $s) (i32.shl (local.get $t) (i32.const 3)))) (local.get $v))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tnext)))
    (local.get $tau))
)
