/**
 * A small dense revised simplex for the one polytope the ARP tests optimise over thousands of times:
 *     P = {λ ∈ R^m : λ ≥ 0, σ'λ = 1, X'λ = 0},
 * the dual feasible set of the statistic programme η* = min_{η,δ} η s.t. y − Xδ ≤ ησ. By LP duality
 * η* = max_{λ∈P} y'λ, and HonestDiD's `.max_program` is max_{λ∈P} f'λ over the same set. Feasibility does
 * not depend on the objective, so phase 1 (artificial variables) runs once and every later solve starts
 * from the previous optimal basis (a handful of pivots). The basis inverse is refactorised at the start of
 * each solve. Entering variable: largest reduced cost (Bland's smallest index after 50 pivots without
 * progress); leaving: minimum ratio, ties to the smallest basic index.
 *
 * HiGHS (lp.ts) solves the same programmes and is the reference in the tests; this solver exists because
 * a C-LF confidence set needs ~10⁴ of these LPs, where the per-call cost of the Wasm solver dominates.
 */
export class PolytopeLp {
  private readonly E: Float64Array; // r × m, rows (σ', X')
  private readonly r: number;
  private readonly m: number;
  private basis: Int32Array; // basic column per row; ≥ m: artificial (row index + m)
  private readonly Binv: Float64Array;
  private readonly xB: Float64Array;
  readonly feasible: boolean;
  /** pivots since the last refactorisation */
  private pivots = 0;

  constructor(X: Float64Array, m: number, k: number, sd: Float64Array) {
    const r = k + 1;
    this.r = r;
    this.m = m;
    this.E = new Float64Array(r * m);
    for (let i = 0; i < m; i++) {
      this.E[i] = sd[i]!;
      for (let j = 0; j < k; j++) this.E[(1 + j) * m + i] = X[i * k + j]!;
    }
    this.Binv = new Float64Array(r * r);
    this.xB = new Float64Array(r);
    this.basis = Int32Array.from({ length: r }, (_, i) => m + i);
    this.feasible = this.phase1();
  }

  private col(j: number, out: Float64Array): void {
    const r = this.r,
      m = this.m;
    if (j >= m) {
      out.fill(0);
      out[j - m] = 1;
    } else for (let i = 0; i < r; i++) out[i] = this.E[i * m + j]!;
  }

  /** Refactorise B⁻¹ and x_B = B⁻¹b (b = e₁) by Gauss–Jordan; false when B is singular. */
  private refactor(): boolean {
    const r = this.r;
    const B = new Float64Array(r * r);
    const c = new Float64Array(r);
    for (let q = 0; q < r; q++) {
      this.col(this.basis[q]!, c);
      for (let i = 0; i < r; i++) B[i * r + q] = c[i]!;
    }
    const inv = this.Binv;
    inv.fill(0);
    for (let i = 0; i < r; i++) inv[i * r + i] = 1;
    for (let k = 0; k < r; k++) {
      let p = k;
      for (let i = k + 1; i < r; i++) if (Math.abs(B[i * r + k]!) > Math.abs(B[p * r + k]!)) p = i;
      if (Math.abs(B[p * r + k]!) < 1e-300) return false;
      if (p !== k)
        for (let j = 0; j < r; j++) {
          [B[k * r + j], B[p * r + j]] = [B[p * r + j]!, B[k * r + j]!];
          [inv[k * r + j], inv[p * r + j]] = [inv[p * r + j]!, inv[k * r + j]!];
        }
      const piv = B[k * r + k]!;
      for (let j = 0; j < r; j++) {
        B[k * r + j]! /= piv;
        inv[k * r + j]! /= piv;
      }
      for (let i = 0; i < r; i++) {
        if (i === k) continue;
        const f = B[i * r + k]!;
        if (f === 0) continue;
        for (let j = 0; j < r; j++) {
          B[i * r + j]! -= f * B[k * r + j]!;
          inv[i * r + j]! -= f * inv[k * r + j]!;
        }
      }
    }
    for (let i = 0; i < r; i++) this.xB[i] = Math.max(inv[i * r]!, 0);
    this.pivots = 0;
    return true;
  }

  /** Primal simplex maximising cost (length m + r: structural then artificial) from the current basis. */
  private run(cost: (j: number) => number, allowArtificialEntry: boolean): boolean {
    const r = this.r,
      m = this.m,
      inv = this.Binv,
      E = this.E;
    // B⁻¹ and x_B = B⁻¹e₁ do not depend on the costs: refactorise only after many product-form updates
    if (this.pivots > 4 * r && !this.refactor()) return false;
    const y = new Float64Array(r),
      u = new Float64Array(r),
      a = new Float64Array(r),
      dj = new Float64Array(m + r);
    const isBasic = new Uint8Array(m + r);
    for (const b of this.basis) isBasic[b] = 1;
    let stall = 0;
    for (let iter = 0; iter < 50 * (m + r); iter++) {
      // duals y' = c_B' B⁻¹
      y.fill(0);
      for (let q = 0; q < r; q++) {
        const cb = cost(this.basis[q]!);
        if (cb === 0) continue;
        for (let j = 0; j < r; j++) y[j]! += cb * inv[q * r + j]!;
      }
      let enter = -1,
        best = 1e-11;
      const nCols = allowArtificialEntry ? m + r : m;
      // reduced costs d_j = c_j − y'E_j (row by row over the dense E)
      for (let j = 0; j < m; j++) dj[j] = cost(j);
      for (let i = 0; i < r; i++) {
        const yi = y[i]!;
        if (yi === 0) continue;
        const o = i * m;
        for (let j = 0; j < m; j++) dj[j]! -= yi * E[o + j]!;
      }
      for (let j = m; j < nCols; j++) dj[j] = cost(j) - y[j - m]!;
      for (let j = 0; j < nCols; j++) {
        if (isBasic[j]) continue;
        const d = dj[j]!;
        if (stall > 50) {
          if (d > 1e-11) {
            enter = j;
            break;
          }
        } else if (d > best) {
          best = d;
          enter = j;
        }
      }
      if (enter < 0) return true;
      this.col(enter, a);
      for (let i = 0; i < r; i++) {
        let s = 0;
        for (let j = 0; j < r; j++) s += inv[i * r + j]! * a[j]!;
        u[i] = s;
      }
      let leave = -1,
        ratio = Number.POSITIVE_INFINITY;
      for (let i = 0; i < r; i++) {
        if (u[i]! > 1e-11) {
          const t = this.xB[i]! / u[i]!;
          if (t < ratio - 1e-14 || (Math.abs(t - ratio) <= 1e-14 && leave >= 0 && this.basis[i]! < this.basis[leave]!)) {
            ratio = t;
            leave = i;
          }
        }
      }
      if (leave < 0) return false; // unbounded (cannot happen on a bounded polytope)
      stall = ratio <= 1e-14 ? stall + 1 : 0;
      // pivot
      const piv = u[leave]!;
      for (let j = 0; j < r; j++) inv[leave * r + j]! /= piv;
      this.xB[leave] = this.xB[leave]! / piv;
      for (let i = 0; i < r; i++) {
        if (i === leave) continue;
        const f = u[i]!;
        if (f === 0) continue;
        for (let j = 0; j < r; j++) inv[i * r + j]! -= f * inv[leave * r + j]!;
        this.xB[i] = Math.max(this.xB[i]! - f * this.xB[leave]!, 0);
      }
      isBasic[this.basis[leave]!] = 0;
      this.basis[leave] = enter;
      isBasic[enter] = 1;
      this.pivots++;
    }
    return false;
  }

  private phase1(): boolean {
    const m = this.m;
    if (!this.refactor()) return false;
    if (!this.run((j) => (j >= m ? -1 : 0), false)) return false;
    let art = 0;
    for (let q = 0; q < this.r; q++) if (this.basis[q]! >= m) art += this.xB[q]!;
    if (art > 1e-9) return false;
    // pivot zero-level artificials out where the row allows it (otherwise the row is redundant)
    const a = new Float64Array(this.r);
    for (let q = 0; q < this.r; q++) {
      if (this.basis[q]! < m) continue;
      for (let j = 0; j < m; j++) {
        if (this.basis.includes(j)) continue;
        this.col(j, a);
        let v = 0;
        for (let i = 0; i < this.r; i++) v += this.Binv[q * this.r + i]! * a[i]!;
        if (Math.abs(v) > 1e-9) {
          this.basis[q] = j;
          if (!this.refactor()) return false;
          break;
        }
      }
    }
    return true;
  }

  /** max c'λ over P: the value and the maximiser, or null when P is empty. */
  maximise(c: ArrayLike<number>): { value: number; lambda: Float64Array } | null {
    if (!this.feasible) return null;
    const m = this.m;
    if (!this.run((j) => (j >= m ? 0 : c[j]!), false)) return null;
    const lambda = new Float64Array(m);
    let v = 0;
    for (let q = 0; q < this.r; q++) {
      const j = this.basis[q]!;
      if (j < m) {
        lambda[j] = this.xB[q]!;
        v += c[j]! * this.xB[q]!;
      }
    }
    return { value: v, lambda };
  }
}
