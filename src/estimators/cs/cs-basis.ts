/**
 * Influence-function bases for group-time ATTs. Every reported estimate of Callaway–Sant'Anna (a cell,
 * an aggregation, with or without the weight-estimation term WIF) has an influence function that is a
 * linear combination Ψ_agg = Σ_j λ_j b_j of a small set of n-vectors b_j ("basis"): the K cell IFs Ψ_k
 * (embedded, scaled by n/n₁ — METHODS.md §2.3), the C cohort indicators w_i·1[G_i = g] and the constant 1.
 * So every SE is sqrt(λ'Gλ)/n with G = Σ_r s_r s_r' the basis Gram matrix over independent rows r
 * (units, or clusters with s_r = cluster sums), and every multiplier-bootstrap draw is λ'·Σ_r V_r s_r.
 *
 * Two implementations: `DenseBasis` stores the rows (units or clusters) × dim; `MomentBasis` (no covariates)
 * never materialises the IFs: within cohort c every basis vector is α·w_i(Ỹ_it − Ỹ_ib) + β·w_i + γ, so the
 * Gram matrix follows from the per-cohort second moments of z_i = (w_iỸ_i1..w_iỸ_iT, w_i, 1) with Ỹ
 * centred at the cohort-period means (for accuracy), and a bootstrap draw from per-cohort sums of V_i z_i.
 */
import type { Rng } from "../../core/rng.js";

export interface IfBasis {
  dim: number;
  /** number of independent rows (units or clusters) */
  nRows: number;
  /** Σ_r s_r s_r' (dim×dim, row-major) */
  gram(): Float64Array;
  /**
   * B Rademacher multiplier draws of Σ_r V_r s_r (B×dim, row-major). The signs come 32 draws at a time:
   * for each block of 32 draws, one 32-bit word per row in row order, bit j = draw j of the block.
   */
  multiplierSums(B: number, rng: Rng): Float64Array;
}

/** Rows stored explicitly (nRows × dim, row-major). */
/** A sparse linear form on the m moment coordinates, contributing to basis column `basis`. */
interface SparseForm {
  basis: number;
  idx: ArrayLike<number>;
  val: ArrayLike<number>;
}

/**
 * G[a, b] += Σ_u Σ_v A.val[u] · M[A.idx[u], B.idx[v]] · B.val[v] for every pair of forms (A, B) (A before or
 * equal to B), mirrored to G[b, a]: the Gram contribution aᵀ M b of sparse forms over a symmetric m × m
 * moment matrix M. G is d × d row-major.
 */
function addSparseQuadForms(G: Float64Array, d: number, M: Float64Array, m: number, forms: readonly SparseForm[]): void {
  for (let p = 0; p < forms.length; p++) {
    const A = forms[p]!;
    for (let q = p; q < forms.length; q++) {
      const Bv = forms[q]!;
      let s = 0;
      for (let u = 0; u < A.idx.length; u++) {
        const row = A.idx[u]! * m;
        let inner = 0;
        for (let v = 0; v < Bv.idx.length; v++) inner += M[row + Bv.idx[v]!]! * Bv.val[v]!;
        s += A.val[u]! * inner;
      }
      G[A.basis * d + Bv.basis]! += s;
      if (A.basis !== Bv.basis) G[Bv.basis * d + A.basis]! += s;
    }
  }
}

export class DenseBasis implements IfBasis {
  constructor(
    readonly dim: number,
    readonly nRows: number,
    readonly rows: Float64Array,
  ) {}

  gram(): Float64Array {
    const d = this.dim;
    const G = new Float64Array(d * d);
    const R = this.rows;
    for (let r = 0; r < this.nRows; r++) {
      const o = r * d;
      for (let a = 0; a < d; a++) {
        const va = R[o + a]!;
        if (va === 0) continue;
        const ga = a * d;
        for (let b = a; b < d; b++) G[ga + b]! += va * R[o + b]!;
      }
    }
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) G[a * d + b] = G[b * d + a]!;
    return G;
  }

  multiplierSums(B: number, rng: Rng): Float64Array {
    const d = this.dim;
    const out = new Float64Array(B * d);
    const total = new Float64Array(d);
    const R = this.rows;
    for (let r = 0; r < this.nRows; r++) for (let a = 0; a < d; a++) total[a]! += R[r * d + a]!;
    const acc = new Float64Array(32 * d);
    for (let b0 = 0; b0 < B; b0 += 32) {
      const nb = Math.min(32, B - b0);
      const mask = nb === 32 ? 0xffffffff : ((1 << nb) - 1) >>> 0;
      acc.fill(0);
      for (let r = 0; r < this.nRows; r++) {
        let bits = (rng.nextU32() & mask) >>> 0;
        const o = r * d;
        while (bits !== 0) {
          const j = 31 - Math.clz32(bits);
          bits = (bits & ~(1 << j)) >>> 0;
          const ao = j * d;
          for (let a = 0; a < d; a++) acc[ao + a]! += R[o + a]!;
        }
      }
      for (let j = 0; j < nb; j++) for (let a = 0; a < d; a++) out[(b0 + j) * d + a] = 2 * acc[j * d + a]! - total[a]!;
    }
    return out;
  }
}

/** One basis vector's coefficients inside one cohort: α·w(Ỹ_t − Ỹ_b) + β·w + γ. */
export interface CohortTerm {
  basis: number;
  cohort: number;
  /** period indices; tIdx = −1 when α = 0 */
  tIdx: number;
  bIdx: number;
  alpha: number;
  beta: number;
  gamma: number;
}

/** Basis given by per-cohort coefficients on the unit×period outcome matrix (no covariates). */
export class MomentBasis implements IfBasis {
  readonly nRows: number;
  private readonly byCohort: CohortTerm[][];

  /**
   * @param mu cohort-period weighted means (C×T) used for centring; the terms' β must already account
   *   for it (β on centred data = β_raw + α(μ_ct − μ_cb)).
   */
  constructor(
    readonly dim: number,
    private readonly y: Float64Array,
    private readonly T: number,
    private readonly w: Float64Array | null,
    private readonly cohortStart: Int32Array,
    private readonly cohortEnd: Int32Array,
    private readonly mu: Float64Array,
    terms: CohortTerm[],
  ) {
    this.nRows = cohortEnd.length ? cohortEnd[cohortEnd.length - 1]! : 0;
    this.byCohort = Array.from({ length: cohortStart.length }, () => []);
    for (const t of terms) this.byCohort[t.cohort]!.push(t);
  }

  /** Per-cohort sums Σ z_i z_i' ((T+2)², symmetric) with z = (wỸ_1..wỸ_T, w, 1). */
  private cohortMoments(c: number): Float64Array {
    const T = this.T,
      m = T + 2;
    const M = new Float64Array(m * m);
    const z = new Float64Array(m);
    const mu = this.mu.subarray(c * T, c * T + T);
    for (let i = this.cohortStart[c]!; i < this.cohortEnd[c]!; i++) {
      const wi = this.w ? this.w[i]! : 1;
      const o = i * T;
      for (let t = 0; t < T; t++) z[t] = wi * (this.y[o + t]! - mu[t]!);
      z[T] = wi;
      z[T + 1] = 1;
      for (let a = 0; a < m; a++) {
        const za = z[a]!;
        const ga = a * m;
        for (let b = a; b < m; b++) M[ga + b]! += za * z[b]!;
      }
    }
    for (let a = 0; a < m; a++) for (let b = 0; b < a; b++) M[a * m + b] = M[b * m + a]!;
    return M;
  }

  gram(): Float64Array {
    const d = this.dim,
      T = this.T,
      m = T + 2;
    const G = new Float64Array(d * d);
    for (let c = 0; c < this.byCohort.length; c++) {
      const terms = this.byCohort[c]!;
      if (!terms.length || this.cohortEnd[c]! <= this.cohortStart[c]!) continue;
      const M = this.cohortMoments(c);
      // sparse coefficient vectors over z: (idx, val) pairs
      const sv = terms.map((t) => {
        const idx: number[] = [];
        const val: number[] = [];
        if (t.alpha !== 0 && t.tIdx >= 0) {
          idx.push(t.tIdx, t.bIdx);
          val.push(t.alpha, -t.alpha);
        }
        if (t.beta !== 0) {
          idx.push(T);
          val.push(t.beta);
        }
        if (t.gamma !== 0) {
          idx.push(T + 1);
          val.push(t.gamma);
        }
        return { basis: t.basis, idx, val };
      });
      addSparseQuadForms(G, d, M, m, sv);
    }
    return G;
  }

  multiplierSums(B: number, rng: Rng): Float64Array {
    const d = this.dim,
      T = this.T,
      m = T + 2;
    const C = this.byCohort.length;
    const out = new Float64Array(B * d);
    // totals Σ z_i per cohort
    const tot = new Float64Array(C * m);
    const z = new Float64Array(m);
    const acc = new Float64Array(32 * C * m);
    const fill = (i: number, c: number): void => {
      const wi = this.w ? this.w[i]! : 1;
      const o = i * T;
      const mo = c * T;
      for (let t = 0; t < T; t++) z[t] = wi * (this.y[o + t]! - this.mu[mo + t]!);
      z[T] = wi;
      z[T + 1] = 1;
    };
    for (let c = 0; c < C; c++)
      for (let i = this.cohortStart[c]!; i < this.cohortEnd[c]!; i++) {
        fill(i, c);
        for (let a = 0; a < m; a++) tot[c * m + a]! += z[a]!;
      }
    const project = (sums: Float64Array, so: number, target: Float64Array, to: number): void => {
      for (let c = 0; c < C; c++) {
        const base = so + c * m;
        for (const t of this.byCohort[c]!) {
          let s = t.beta * sums[base + T]! + t.gamma * sums[base + T + 1]!;
          if (t.alpha !== 0 && t.tIdx >= 0) s += t.alpha * (sums[base + t.tIdx]! - sums[base + t.bIdx]!);
          target[to + t.basis]! += s;
        }
      }
    };
    const diff = new Float64Array(C * m);
    for (let b0 = 0; b0 < B; b0 += 32) {
      const nb = Math.min(32, B - b0);
      const mask = nb === 32 ? 0xffffffff : ((1 << nb) - 1) >>> 0;
      acc.fill(0);
      for (let c = 0; c < C; c++) {
        for (let i = this.cohortStart[c]!; i < this.cohortEnd[c]!; i++) {
          let bits = (rng.nextU32() & mask) >>> 0;
          if (bits === 0) continue;
          fill(i, c);
          while (bits !== 0) {
            const j = 31 - Math.clz32(bits);
            bits = (bits & ~(1 << j)) >>> 0;
            const ao = (j * C + c) * m;
            for (let a = 0; a < m; a++) acc[ao + a]! += z[a]!;
          }
        }
      }
      for (let j = 0; j < nb; j++) {
        for (let q = 0; q < C * m; q++) diff[q] = 2 * acc[j * C * m + q]! - tot[q]!;
        project(diff, 0, out, (b0 + j) * d);
      }
    }
    return out;
  }

  /** Rows summed within clusters (cluster coarser than the unit) as a dense basis. */
  toClusterDense(cluster: Int32Array, nClusters: number, cohortIdx: Int32Array): DenseBasis {
    const d = this.dim,
      T = this.T;
    const rows = new Float64Array(nClusters * d);
    for (let i = 0; i < this.nRows; i++) {
      const c = cohortIdx[i]!;
      const wi = this.w ? this.w[i]! : 1;
      const o = i * T,
        mo = c * T;
      const ro = cluster[i]! * d;
      for (const t of this.byCohort[c]!) {
        let s = t.beta * wi + t.gamma;
        if (t.alpha !== 0 && t.tIdx >= 0) s += t.alpha * wi * (this.y[o + t.tIdx]! - this.mu[mo + t.tIdx]! - this.y[o + t.bIdx]! + this.mu[mo + t.bIdx]!);
        rows[ro + t.basis]! += s;
      }
    }
    return new DenseBasis(d, nClusters, rows);
  }
}

/** One basis vector inside one cohort of a masked moment basis: Σ_j val_j·z_j (sparse over z). */
export interface SparseCohortTerm {
  basis: number;
  cohort: number;
  idx: number[];
  val: number[];
}

/**
 * Moment basis for unbalanced panels without covariates: within cohort c every basis vector is a linear
 * combination of z_i = (w_i p_i1 Ỹ_i1 … w_i p_iT Ỹ_iT, w_i p_i1 … w_i p_iT, w_i, 1), p_it = 1 when unit i is
 * observed in period t and Ỹ_it = Y_it − μ_ct (μ_ct = cohort-period mean over the observed units, for
 * accuracy). Gram matrix from per-cohort second moments of z ((2T+2)² each), bootstrap draws from per-cohort
 * sums of V_i z_i, signs drawn as in `DenseBasis` (one 32-bit word per unit in panel order per 32 draws).
 */
export class MaskedMomentBasis implements IfBasis {
  readonly nRows: number;
  private readonly byCohort: SparseCohortTerm[][];
  private readonly m: number;

  constructor(
    readonly dim: number,
    private readonly y: Float64Array,
    private readonly present: Uint8Array,
    private readonly T: number,
    private readonly w: Float64Array | null,
    private readonly cohortStart: Int32Array,
    private readonly cohortEnd: Int32Array,
    private readonly mu: Float64Array,
    terms: SparseCohortTerm[],
  ) {
    this.nRows = cohortEnd.length ? cohortEnd[cohortEnd.length - 1]! : 0;
    this.m = 2 * T + 2;
    this.byCohort = Array.from({ length: cohortStart.length }, () => []);
    for (const t of terms) this.byCohort[t.cohort]!.push(t);
  }

  private fill(i: number, c: number, z: Float64Array): void {
    const T = this.T;
    const wi = this.w ? this.w[i]! : 1;
    const o = i * T,
      mo = c * T;
    for (let t = 0; t < T; t++) {
      if (this.present[o + t]) {
        z[t] = wi * (this.y[o + t]! - this.mu[mo + t]!);
        z[T + t] = wi;
      } else {
        z[t] = 0;
        z[T + t] = 0;
      }
    }
    z[2 * T] = wi;
    z[2 * T + 1] = 1;
  }

  gram(): Float64Array {
    const d = this.dim,
      m = this.m;
    const G = new Float64Array(d * d);
    const z = new Float64Array(m);
    const M = new Float64Array(m * m);
    for (let c = 0; c < this.byCohort.length; c++) {
      const terms = this.byCohort[c]!;
      if (!terms.length || this.cohortEnd[c]! <= this.cohortStart[c]!) continue;
      M.fill(0);
      for (let i = this.cohortStart[c]!; i < this.cohortEnd[c]!; i++) {
        this.fill(i, c, z);
        for (let a = 0; a < m; a++) {
          const za = z[a]!;
          if (za === 0) continue;
          const ga = a * m;
          for (let b = a; b < m; b++) M[ga + b]! += za * z[b]!;
        }
      }
      for (let a = 0; a < m; a++) for (let b = 0; b < a; b++) M[a * m + b] = M[b * m + a]!;
      addSparseQuadForms(G, d, M, m, terms);
    }
    return G;
  }

  private project(sums: Float64Array, target: Float64Array, to: number): void {
    const m = this.m;
    for (let c = 0; c < this.byCohort.length; c++) {
      const base = c * m;
      for (const t of this.byCohort[c]!) {
        let s = 0;
        for (let u = 0; u < t.idx.length; u++) s += t.val[u]! * sums[base + t.idx[u]!]!;
        target[to + t.basis]! += s;
      }
    }
  }

  multiplierSums(B: number, rng: Rng): Float64Array {
    const d = this.dim,
      m = this.m;
    const C = this.byCohort.length;
    const out = new Float64Array(B * d);
    const tot = new Float64Array(C * m);
    const z = new Float64Array(m);
    const acc = new Float64Array(32 * C * m);
    for (let c = 0; c < C; c++)
      for (let i = this.cohortStart[c]!; i < this.cohortEnd[c]!; i++) {
        this.fill(i, c, z);
        for (let a = 0; a < m; a++) tot[c * m + a]! += z[a]!;
      }
    const diff = new Float64Array(C * m);
    for (let b0 = 0; b0 < B; b0 += 32) {
      const nb = Math.min(32, B - b0);
      const mask = nb === 32 ? 0xffffffff : ((1 << nb) - 1) >>> 0;
      acc.fill(0);
      for (let c = 0; c < C; c++) {
        for (let i = this.cohortStart[c]!; i < this.cohortEnd[c]!; i++) {
          let bits = (rng.nextU32() & mask) >>> 0;
          if (bits === 0) continue;
          this.fill(i, c, z);
          while (bits !== 0) {
            const j = 31 - Math.clz32(bits);
            bits = (bits & ~(1 << j)) >>> 0;
            const ao = (j * C + c) * m;
            for (let a = 0; a < m; a++) acc[ao + a]! += z[a]!;
          }
        }
      }
      for (let j = 0; j < nb; j++) {
        for (let q = 0; q < C * m; q++) diff[q] = 2 * acc[j * C * m + q]! - tot[q]!;
        this.project(diff, out, (b0 + j) * d);
      }
    }
    return out;
  }

  /** Rows (units, or sums within clusters) as a dense basis. */
  toDense(cluster: Int32Array | null, nClusters: number, cohortIdx: Int32Array): DenseBasis {
    const d = this.dim;
    const nr = cluster ? nClusters : this.nRows;
    const rows = new Float64Array(nr * d);
    const z = new Float64Array(this.m);
    for (let i = 0; i < this.nRows; i++) {
      const c = cohortIdx[i]!;
      this.fill(i, c, z);
      const ro = (cluster ? cluster[i]! : i) * d;
      for (const t of this.byCohort[c]!) {
        let s = 0;
        for (let u = 0; u < t.idx.length; u++) s += t.val[u]! * z[t.idx[u]!]!;
        rows[ro + t.basis]! += s;
      }
    }
    return new DenseBasis(d, nr, rows);
  }
}
