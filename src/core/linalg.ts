/**
 * Small dense linear algebra on row-major Float64Array matrices (k×k with k up to a few hundred).
 * Regressors are kept as columns (one Float64Array per variable); `gram` and `crossVec` form X'WX and
 * X'Wy from them. Hot loops are plain typed-array loops.
 */
export interface Mat {
  rows: number;
  cols: number;
  /** row-major: element (i, j) at i * cols + j */
  data: Float64Array;
}

export function mat(rows: number, cols: number, data?: Float64Array): Mat {
  return { rows, cols, data: data ?? new Float64Array(rows * cols) };
}

export function get(m: Mat, i: number, j: number): number {
  return m.data[i * m.cols + j]!;
}

export function identity(k: number): Mat {
  const m = mat(k, k);
  for (let i = 0; i < k; i++) m.data[i * k + i] = 1;
  return m;
}

/** Dot product Σ a_i b_i. */
export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  const n = a.length;
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
  return s;
}

/** Weighted dot product Σ w_i a_i b_i (w omitted = 1). */
export function wdot(a: Float64Array, b: Float64Array, w?: Float64Array): number {
  if (!w) return dot(a, b);
  let s = 0;
  const n = a.length;
  for (let i = 0; i < n; i++) s += w[i]! * a[i]! * b[i]!;
  return s;
}

/** X'WX for columns X (k×k, symmetric). */
export function gram(cols: Float64Array[], w?: Float64Array): Mat {
  const k = cols.length;
  const g = mat(k, k);
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      const v = wdot(cols[a]!, cols[b]!, w);
      g.data[a * k + b] = v;
      g.data[b * k + a] = v;
    }
  }
  return g;
}

/** X'Wy for columns X. */
export function crossVec(cols: Float64Array[], y: Float64Array, w?: Float64Array): Float64Array {
  const out = new Float64Array(cols.length);
  for (let a = 0; a < cols.length; a++) out[a] = wdot(cols[a]!, y, w);
  return out;
}

/** C = A·B. */
export function matmul(a: Mat, b: Mat): Mat {
  if (a.cols !== b.rows) throw new Error(`matmul: ${a.rows}×${a.cols} times ${b.rows}×${b.cols}`);
  const c = mat(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let p = 0; p < a.cols; p++) {
      const aip = a.data[i * a.cols + p]!;
      if (aip === 0) continue;
      const bo = p * b.cols;
      const co = i * b.cols;
      for (let j = 0; j < b.cols; j++) c.data[co + j]! += aip * b.data[bo + j]!;
    }
  }
  return c;
}

export function transpose(a: Mat): Mat {
  const t = mat(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) t.data[j * a.rows + i] = a.data[i * a.cols + j]!;
  return t;
}

/** y = A·x. */
export function matvec(a: Mat, x: Float64Array): Float64Array {
  const y = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    const o = i * a.cols;
    for (let j = 0; j < a.cols; j++) s += a.data[o + j]! * x[j]!;
    y[i] = s;
  }
  return y;
}

/** x'Ax for symmetric A. */
export function quadForm(a: Mat, x: Float64Array): number {
  return dot(x, matvec(a, x));
}

/** Sub-matrix with the given row and column indices. */
export function subMatrix(a: Mat, rows: ArrayLike<number>, cols: ArrayLike<number>): Mat {
  const m = mat(rows.length, cols.length);
  for (let i = 0; i < rows.length; i++) for (let j = 0; j < cols.length; j++) m.data[i * cols.length + j] = a.data[rows[i]! * a.cols + cols[j]!]!;
  return m;
}

export function addMat(a: Mat, b: Mat, sb = 1): Mat {
  const c = mat(a.rows, a.cols);
  for (let i = 0; i < a.data.length; i++) c.data[i] = a.data[i]! + sb * b.data[i]!;
  return c;
}

export function scaleMat(a: Mat, s: number): Mat {
  const c = mat(a.rows, a.cols);
  for (let i = 0; i < a.data.length; i++) c.data[i] = a.data[i]! * s;
  return c;
}

/**
 * Cholesky factor L (lower, A = LL') of a symmetric positive semi-definite matrix, detecting linear
 * dependence: column j is declared collinear when its pivot, after removing the previous columns, is
 * ≤ tol × A_jj (relative squared norm left after projection, as fixest's `collin.tol` check). Collinear
 * columns are skipped (their row/column of L is zero). Returns L and the kept column indices.
 */
export function choleskyPivotless(a: Mat, tol = 1e-10): { L: Mat; kept: number[]; dropped: number[] } {
  const k = a.rows;
  const L = mat(k, k);
  const l = L.data,
    ad = a.data;
  const kept: number[] = [];
  const dropped: number[] = [];
  // Sums run over every earlier column p < j: a dropped column's entries of L are exactly 0 and subtracting
  // 0·x leaves the sum unchanged, so this equals the sum over the kept columns bit for bit, with contiguous
  // typed-array reads (much faster for the large Schur complements of the demeaning).
  for (let j = 0; j < k; j++) {
    const rj = j * k;
    let d = ad[rj + j]!;
    for (let p = 0; p < j; p++) d -= l[rj + p]! * l[rj + p]!;
    const ajj = ad[rj + j]!;
    if (!(ajj > 0) || d <= tol * ajj) {
      dropped.push(j);
      continue;
    }
    const ljj = Math.sqrt(d);
    l[rj + j] = ljj;
    for (let i = j + 1; i < k; i++) {
      const ri = i * k;
      let s = ad[ri + j]!;
      for (let p = 0; p < j; p++) s -= l[ri + p]! * l[rj + p]!;
      l[ri + j] = s / ljj;
    }
    kept.push(j);
  }
  return { L, kept, dropped };
}

/** Inverse of a symmetric positive definite matrix through its Cholesky factor; throws if singular. */
export function invSPD(a: Mat): Mat {
  const { L, dropped } = choleskyPivotless(a, 1e-14);
  if (dropped.length) throw new Error(`matrix is singular (columns ${dropped.join(", ")} dependent)`);
  return invFromCholesky(L);
}

/** A⁻¹ = L⁻ᵀL⁻¹ from the Cholesky factor L of A (lower triangular, non-zero diagonal). */
export function invFromCholesky(L: Mat): Mat {
  const k = L.rows;
  // Invert L (lower triangular).
  const Li = mat(k, k);
  for (let i = 0; i < k; i++) {
    Li.data[i * k + i] = 1 / L.data[i * k + i]!;
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let p = j; p < i; p++) s += L.data[i * k + p]! * Li.data[p * k + j]!;
      Li.data[i * k + j] = -s / L.data[i * k + i]!;
    }
  }
  // A^{-1} = L^{-T} L^{-1}
  const inv = mat(k, k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let p = i; p < k; p++) s += Li.data[p * k + i]! * Li.data[p * k + j]!;
      inv.data[i * k + j] = s;
      inv.data[j * k + i] = s;
    }
  }
  return inv;
}

/** Solve A x = b for symmetric positive definite A. */
export function solveSPD(a: Mat, b: Float64Array): Float64Array {
  return matvec(invSPD(a), b);
}

/** LU decomposition with partial pivoting; solves A X = B for a general square A (B: k×m). */
export function solveGeneral(a: Mat, b: Mat): Mat {
  const k = a.rows;
  if (a.cols !== k || b.rows !== k) throw new Error("solveGeneral: dimension mismatch");
  const A = new Float64Array(a.data);
  const B = new Float64Array(b.data);
  const m = b.cols;
  for (let c = 0; c < k; c++) {
    let piv = c;
    let best = Math.abs(A[c * k + c]!);
    for (let r = c + 1; r < k; r++) {
      const v = Math.abs(A[r * k + c]!);
      if (v > best) {
        best = v;
        piv = r;
      }
    }
    if (best === 0 || !Number.isFinite(best)) throw new Error("matrix is singular");
    if (piv !== c) {
      for (let j = 0; j < k; j++) {
        const t = A[c * k + j]!;
        A[c * k + j] = A[piv * k + j]!;
        A[piv * k + j] = t;
      }
      for (let j = 0; j < m; j++) {
        const t = B[c * m + j]!;
        B[c * m + j] = B[piv * m + j]!;
        B[piv * m + j] = t;
      }
    }
    const d = A[c * k + c]!;
    for (let r = c + 1; r < k; r++) {
      const f = A[r * k + c]! / d;
      if (f === 0) continue;
      for (let j = c; j < k; j++) A[r * k + j]! -= f * A[c * k + j]!;
      for (let j = 0; j < m; j++) B[r * m + j]! -= f * B[c * m + j]!;
    }
  }
  for (let c = k - 1; c >= 0; c--) {
    const d = A[c * k + c]!;
    for (let j = 0; j < m; j++) {
      let s = B[c * m + j]!;
      for (let p = c + 1; p < k; p++) s -= A[c * k + p]! * B[p * m + j]!;
      B[c * m + j] = s / d;
    }
  }
  return mat(k, m, B);
}

/** General inverse (LU). */
export function invGeneral(a: Mat): Mat {
  return solveGeneral(a, identity(a.rows));
}

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations. Returns eigenvalues in
 * decreasing order and the matching eigenvectors as columns of `vectors`.
 */
export function symEigen(a: Mat, maxSweeps = 100): { values: Float64Array; vectors: Mat } {
  const n = a.rows;
  const A = new Float64Array(a.data);
  const V = identity(n).data;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (A[q * n + q]! - A[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p]!,
            akq = A[k * n + q]!;
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k]!,
            aqk = A[q * n + k]!;
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p]!,
            vkq = V[k * n + q]!;
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => A[j * n + j]! - A[i * n + i]!);
  const values = new Float64Array(n);
  const vectors = mat(n, n);
  order.forEach((src, dst) => {
    values[dst] = A[src * n + src]!;
    for (let k = 0; k < n; k++) vectors.data[k * n + dst] = V[k * n + src]!;
  });
  return { values, vectors };
}
