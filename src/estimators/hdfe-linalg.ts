/**
 * Cross-products for long columns (millions of rows): X'WX and X'Wy with four column pairs per pass over
 * the data (fewer loads and loop iterations than one dot product per pair). Same sums as linalg.gram.
 */
import { mat, type Mat } from "../core/linalg.js";

/** Σ_i w_i a_i b_q,i for up to four columns b (missing ones ignored). */
function dot4(a: Float64Array, bs: Float64Array[], w: Float64Array | null, out: Float64Array): void {
  const n = a.length;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  if (bs.length === 4) {
    const b0 = bs[0]!, b1 = bs[1]!, b2 = bs[2]!, b3 = bs[3]!;
    if (w)
      for (let i = 0; i < n; i++) {
        const v = a[i]! * w[i]!;
        s0 += v * b0[i]!;
        s1 += v * b1[i]!;
        s2 += v * b2[i]!;
        s3 += v * b3[i]!;
      }
    else
      for (let i = 0; i < n; i++) {
        const v = a[i]!;
        s0 += v * b0[i]!;
        s1 += v * b1[i]!;
        s2 += v * b2[i]!;
        s3 += v * b3[i]!;
      }
    out[0] = s0;
    out[1] = s1;
    out[2] = s2;
    out[3] = s3;
    return;
  }
  for (let q = 0; q < bs.length; q++) {
    const b = bs[q]!;
    let s = 0;
    if (w) for (let i = 0; i < n; i++) s += a[i]! * w[i]! * b[i]!;
    else for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
    out[q] = s;
  }
}

/** X'WX (k×k symmetric) for columns X. */
export function gramLong(cols: Float64Array[], w: Float64Array | null): Mat {
  const k = cols.length;
  const g = mat(k, k);
  const tmp = new Float64Array(4);
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b += 4) {
      const bs = cols.slice(b, Math.min(b + 4, k));
      dot4(cols[a]!, bs, w, tmp);
      for (let q = 0; q < bs.length; q++) {
        g.data[a * k + b + q] = tmp[q]!;
        g.data[(b + q) * k + a] = tmp[q]!;
      }
    }
  }
  return g;
}

/** X'Wy for columns X. */
export function crossLong(cols: Float64Array[], y: Float64Array, w: Float64Array | null): Float64Array {
  const k = cols.length;
  const out = new Float64Array(k);
  const tmp = new Float64Array(4);
  for (let b = 0; b < k; b += 4) {
    const bs = cols.slice(b, Math.min(b + 4, k));
    dot4(y, bs, w, tmp);
    for (let q = 0; q < bs.length; q++) out[b + q] = tmp[q]!;
  }
  return out;
}
