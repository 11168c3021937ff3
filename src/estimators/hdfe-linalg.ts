/**
 * Cross-products for long columns (millions of rows): X'WX and X'Wy with four column pairs per pass over
 * the data (fewer loads and loop iterations than one dot product per pair). Same sums as linalg.gram.
 */
import { mat, type Mat } from "../core/linalg.js";

/** Σ_i w_i a_i b_q,i for up to four columns b (missing ones ignored). */
function dot4(a: Float64Array, bs: Float64Array[], w: Float64Array | null, out: Float64Array): void {
  const n = a.length;
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  if (bs.length === 4) {
    const b0 = bs[0]!,
      b1 = bs[1]!,
      b2 = bs[2]!,
      b3 = bs[3]!;
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

/** Σ_{i∈idx} w_i z_i. */
function sparseSum(idx: Int32Array, z: Float64Array, w: Float64Array | null): number {
  let s = 0;
  if (w) for (let p = 0; p < idx.length; p++) s += w[idx[p]!]! * z[idx[p]!]!;
  else for (let p = 0; p < idx.length; p++) s += z[idx[p]!]!;
  return s;
}

/**
 * X̃'WX̃ (k×k symmetric) for demeaned columns X̃. `ones[a]`, when given, lists the rows where the ORIGINAL
 * column a was 1 (a 0/1 dummy, e.g. an event-time indicator): since M_W is W-self-adjoint,
 * x̃_a'Wx̃_b = x_a'Wx̃_b = Σ_{i: x_a,i = 1} w_i x̃_b,i, which costs nnz(a) instead of n.
 */
export function gramLong(cols: Float64Array[], w: Float64Array | null, ones?: (Int32Array | null)[]): Mat {
  const k = cols.length;
  const g = mat(k, k);
  const tmp = new Float64Array(4);
  const sp = ones ?? [];
  const dense = cols.map((_, a) => a).filter((a) => !sp[a]);
  for (let a = 0; a < k; a++) {
    const ia = sp[a];
    if (!ia) continue;
    for (let b = 0; b < k; b++) {
      const ib = sp[b];
      if (ib && b < a) continue;
      const v = ib && ib.length < ia.length ? sparseSum(ib, cols[a]!, w) : sparseSum(ia, cols[b]!, w);
      g.data[a * k + b] = v;
      g.data[b * k + a] = v;
    }
  }
  for (let p = 0; p < dense.length; p++) {
    const a = dense[p]!;
    for (let q0 = p; q0 < dense.length; q0 += 4) {
      const bi = dense.slice(q0, Math.min(q0 + 4, dense.length));
      dot4(
        cols[a]!,
        bi.map((b) => cols[b]!),
        w,
        tmp,
      );
      bi.forEach((b, q) => {
        g.data[a * k + b] = tmp[q]!;
        g.data[b * k + a] = tmp[q]!;
      });
    }
  }
  return g;
}

/** X̃'Wỹ for demeaned columns (with `ones` as in gramLong: x̃_a'Wỹ = Σ_{x_a,i = 1} w_i ỹ_i). */
export function crossLong(cols: Float64Array[], y: Float64Array, w: Float64Array | null, ones?: (Int32Array | null)[]): Float64Array {
  const k = cols.length;
  const out = new Float64Array(k);
  const tmp = new Float64Array(4);
  const sp = ones ?? [];
  const dense = cols.map((_, a) => a).filter((a) => !sp[a]);
  for (let a = 0; a < k; a++) if (sp[a]) out[a] = sparseSum(sp[a]!, y, w);
  for (let q0 = 0; q0 < dense.length; q0 += 4) {
    const bi = dense.slice(q0, Math.min(q0 + 4, dense.length));
    dot4(
      y,
      bi.map((b) => cols[b]!),
      w,
      tmp,
    );
    bi.forEach((b, q) => (out[b] = tmp[q]!));
  }
  return out;
}
