/**
 * Conditional and hybrid moment-inequality tests of Andrews, Roth & Pakes (2023) with nuisance
 * parameters, as HonestDiD uses them (`.lp_conditional_test_fn`, `.ARP_computeCI`): under
 * Δ = {δ : Aδ ≤ d}, H₀: l'τ_post = θ holds iff some τ̃ satisfies Y − a₁θ − X τ̃ ≤ 0 in expectation, with
 * Y = Aβ̂ − d ~ N(·, Σ_Y = AΣA'), (a₁, X) = A_post Γ⁻¹ and Γ the basis change whose first row is l'.
 *
 * The statistic is η̂ = min_τ̃ max_i (y_i − X_i τ̃)/σ_i (an LP). The conditional test compares η̂/σ_B
 * with the 1 − α quantile of a standard normal truncated to [v_lo, v_up]/σ_B (the values of the
 * statistic consistent with the conditioning event, from the LP's binding rows, or from the dual
 * programme when the solution is degenerate). The hybrids first reject when η̂ exceeds a
 * least-favourable critical value (C-LF: the 1 − κ quantile of the LP value over 1,000 draws
 * N(0, Σ_Y) after `set.seed(0)`, R's generator) or when the FLCI excludes θ (C-F), and then run the
 * conditional test at size (α − κ)/(1 − κ), truncating v_up at the critical value.
 */
import { pnorm } from "../../core/distributions.js";
import { qnormAS241, quantileType7, RRng } from "../../core/r-rng.js";
import { EtaLp, MaxProgram } from "./lp.js";
import { PolytopeLp } from "./simplex.js";
import { inverse, mm, sub } from "./shared.js";

export type HybridFlag = "ARP" | "LF" | "FLCI";

export interface HybridInfo {
  kappa: number;
  /** seed of the least-favourable draws (R's set.seed; HonestDiD uses 0) */
  seed?: number;
  lfCv?: number;
  /** C-F: the FLCI weights (l_pre, l), vbar and half-length */
  flciL?: Float64Array;
  vbar?: Float64Array;
  flciHalf?: number;
}

/**
 * Quantile p of N(0, 1) truncated to [l, u] (TruncatedNormal::norminvp): solved on the upper tail
 * Φ̄ = Φ(−x) when l ≥ 0 and on Φ otherwise, by bisection refined with Newton steps to full precision.
 */
export function truncNormQuantile(p: number, l: number, u: number): number {
  if (l >= u) return l;
  const upper = l >= 0;
  // work with F(x) = mass between l and x, as a fraction of [l, u]
  const Fl = upper ? pnorm(-l) : pnorm(l),
    Fu = upper ? pnorm(-u) : pnorm(u);
  const mass = upper ? Fl - Fu : Fu - Fl;
  if (!(mass > 0)) return Number.isFinite(l) ? l : u;
  const target = p * mass;
  const g = (x: number): number => (upper ? Fl - pnorm(-x) : pnorm(x) - Fl) - target;
  let lo = Number.isFinite(l) ? l : Math.min(u, qnormAS241(Math.max(target, 1e-300))) - 1;
  let hi = Number.isFinite(u) ? u : Math.max(l, upper ? -qnormAS241(Math.max(Fl - target, 1e-300)) : qnormAS241(Math.min(Fl + target, 1))) + 1;
  while (g(lo) > 0) lo -= 1 + Math.abs(lo);
  while (g(hi) < 0) hi += 1 + Math.abs(hi);
  let x = (lo + hi) / 2;
  for (let i = 0; i < 200; i++) {
    const gx = g(x);
    if (gx === 0) return x;
    if (gx > 0) hi = x;
    else lo = x;
    const dens = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    let nx = x - gx / dens;
    if (!(nx > lo && nx < hi)) nx = (lo + hi) / 2;
    if (Math.abs(nx - x) <= 1e-15 * Math.max(1, Math.abs(x))) return nx;
    x = nx;
  }
  return x;
}

/** Which LP code solves the inner programmes: the dense simplex (default) or HiGHS (cross-check). */
export type LpEngine = "simplex" | "highs";

/** max c'λ over {λ ≥ 0, σ'λ = 1, X'λ = 0} (= the statistic η* when c = y), by either engine. */
export interface PolySolver {
  max(c: ArrayLike<number>): { value: number; lambda: Float64Array } | null;
  dispose(): void;
}

/** A solver for the statistic programme (`eta`) or HonestDiD's `.max_program` (`max`). */
export function polySolver(X: Float64Array, m: number, k: number, sd: Float64Array, engine: LpEngine, kind: "eta" | "max"): PolySolver {
  if (engine === "simplex") {
    const lp = new PolytopeLp(X, m, k, sd);
    return { max: (c) => lp.maximise(c), dispose: () => undefined };
  }
  if (kind === "eta") {
    const lp = new EtaLp(X, m, k, sd);
    return {
      max: (c) => {
        const r = lp.solve(c);
        return r ? { value: r.eta, lambda: r.lambda } : null;
      },
      dispose: () => lp.dispose(),
    };
  }
  const W = new Float64Array(m * (k + 1));
  for (let i = 0; i < m; i++) {
    W[i * (k + 1)] = sd[i]!;
    for (let j = 0; j < k; j++) W[i * (k + 1) + 1 + j] = X[i * k + j]!;
  }
  const lp = new MaxProgram(W, m, k + 1);
  return { max: (c) => lp.solve(Float64Array.from(c)), dispose: () => lp.dispose() };
}

/** Numerical rank (Gaussian elimination with a relative pivot tolerance). */
function rank(a: Float64Array, r: number, c: number): number {
  const m = Float64Array.from(a);
  let maxAbs = 0;
  for (const v of m) maxAbs = Math.max(maxAbs, Math.abs(v));
  const tol = Math.max(r, c) * 2.220446049250313e-16 * Math.max(maxAbs, 1e-300) * 10;
  let rk = 0;
  const used = new Uint8Array(r);
  for (let j = 0; j < c; j++) {
    let p = -1,
      best = tol;
    for (let i = 0; i < r; i++)
      if (!used[i] && Math.abs(m[i * c + j]!) > best) {
        best = Math.abs(m[i * c + j]!);
        p = i;
      }
    if (p < 0) continue;
    used[p] = 1;
    rk++;
    for (let i = 0; i < r; i++) {
      if (used[i]) continue;
      const f = m[i * c + j]! / m[p * c + j]!;
      for (let q = j; q < c; q++) m[i * c + q]! -= f * m[p * c + q]!;
    }
  }
  return rk;
}

/**
 * Γ of HonestDiD `.construct_Gamma`: the rows l', then the unit vectors e_j kept by a left-to-right
 * selection of linearly independent columns of [l, I] (the pivot columns of its RREF); invertible.
 */
export function constructGamma(l: Float64Array): Float64Array {
  const T = l.length;
  const rows: Float64Array[] = [Float64Array.from(l)];
  for (let j = 0; j < T && rows.length < T; j++) {
    const e = new Float64Array(T);
    e[j] = 1;
    const cand = [...rows, e];
    const M = new Float64Array(cand.length * T);
    cand.forEach((r, i) => M.set(r, i * T));
    if (rank(M, cand.length, T) === cand.length) rows.push(e);
  }
  const G = new Float64Array(T * T);
  rows.forEach((r, i) => G.set(r, i * T));
  return G;
}

/** The moment inequalities of one restriction, ready for the grid of θ. */
export interface ArpProblem {
  /** Y = Aβ̂ − d (all rows) */
  Y: Float64Array;
  /** a₁ = first column of A_post Γ⁻¹ (all rows) */
  a1: Float64Array;
  /** X = the other columns (all rows, row-major, k = numPost − 1 columns) */
  X: Float64Array;
  k: number;
  sigmaY: Float64Array;
  m: number;
  rows: number[];
  d: Float64Array;
}

/** Set up Y, Σ_Y, a₁ and X for A (rows × (K+T)), d, β̂, Σ and l. */
export function arpProblem(
  A: Float64Array,
  nRows: number,
  d: Float64Array,
  betahat: Float64Array,
  sigma: Float64Array,
  numPre: number,
  numPost: number,
  l: Float64Array,
  rowsForArp: number[],
): ArpProblem {
  const n = numPre + numPost,
    T = numPost;
  const Gi = inverse(constructGamma(l), T);
  const Apost = new Float64Array(nRows * T);
  for (let i = 0; i < nRows; i++) for (let t = 0; t < T; t++) Apost[i * T + t] = A[i * n + numPre + t]!;
  const AG = mm(Apost, nRows, T, Gi, T);
  const a1 = new Float64Array(nRows),
    k = T - 1,
    X = new Float64Array(nRows * k);
  for (let i = 0; i < nRows; i++) {
    a1[i] = AG[i * T]!;
    for (let j = 0; j < k; j++) X[i * k + j] = AG[i * T + 1 + j]!;
  }
  const Ab = mm(A, nRows, n, betahat, 1);
  const Y = Ab.map((v, i) => v - d[i]!);
  const AS = mm(A, nRows, n, sigma, n);
  const sigmaY = new Float64Array(nRows * nRows);
  for (let i = 0; i < nRows; i++)
    for (let j = 0; j < nRows; j++) {
      let s = 0;
      for (let q = 0; q < n; q++) s += AS[i * n + q]! * A[j * n + q]!;
      sigmaY[i * nRows + j] = s;
    }
  return { Y, a1, X, k, sigmaY, m: nRows, rows: rowsForArp, d };
}

/**
 * The least-favourable critical value (HonestDiD `.compute_least_favorable_cv`, nuisance case): the
 * (1 − κ) type-7 quantile of min_τ̃ max_i (ξ_i − X_i τ̃)/σ_i over `sims` draws ξ ~ N(0, Σ_Y) on the ARP
 * rows (mvtnorm `rmvnorm` after `set.seed(seed)`, R's generator).
 */
export function leastFavourableCv(p: ArpProblem, kappa: number, seed = 0, sims = 1000, engine: LpEngine = "simplex"): number {
  const r = p.rows,
    mr = r.length;
  const S = sub(p.sigmaY, p.m, r, r);
  const Xr = sub(p.X, p.k, r, [...Array(p.k).keys()]);
  const sd = Float64Array.from(r, (_, i) => Math.sqrt(S[i * mr + i]!));
  const draws = new RRng(seed).rmvnorm(sims, S, mr);
  const lp = polySolver(Xr, mr, p.k, sd, engine, "eta");
  const etas: number[] = [];
  try {
    for (let s = 0; s < sims; s++) {
      const sol = lp.max(draws.subarray(s * mr, (s + 1) * mr));
      if (sol) etas.push(sol.value);
    }
  } finally {
    lp.dispose();
  }
  return quantileType7(etas, 1 - kappa);
}

/**
 * The ARP test of H₀: θ = θ₀ for one restriction (HonestDiD `.lp_conditional_test_fn`); the pieces that do
 * not depend on θ (restricted Σ_Y, X, σ, the LP models) are built once per grid.
 */
export class ArpTester {
  private readonly lp: PolySolver;
  private readonly Xr: Float64Array;
  private readonly Sr: Float64Array;
  private readonly sd: Float64Array;
  private readonly mr: number;
  private maxProg: PolySolver | null = null;
  private lastDbar: Float64Array = new Float64Array(2);

  constructor(
    readonly p: ArpProblem,
    readonly alpha: number,
    readonly flag: HybridFlag,
    readonly hybrid: HybridInfo,
    readonly engine: LpEngine = "simplex",
  ) {
    const r = p.rows;
    this.mr = r.length;
    this.Sr = sub(p.sigmaY, p.m, r, r);
    this.Xr = sub(p.X, p.k, r, [...Array(p.k).keys()]);
    this.sd = Float64Array.from(r, (_, i) => Math.sqrt(this.Sr[i * this.mr + i]!));
    this.lp = polySolver(this.Xr, this.mr, p.k, this.sd, engine, "eta");
  }

  /** Free the LP models. */
  dispose(): void {
    this.lp.dispose();
    this.maxProg?.dispose();
  }

  /** Whether θ is accepted (HonestDiD `.ARP_computeCI`'s testTheta). */
  accepts(theta: number): boolean {
    const p = this.p;
    const yFull = p.Y.map((v, i) => v - p.a1[i]! * theta);
    let dbar: Float64Array | undefined;
    if (this.flag === "FLCI") {
      const vbar = this.hybrid.vbar!;
      let vd = 0,
        va = 0;
      for (let i = 0; i < p.m; i++) {
        vd += vbar[i]! * p.d[i]!;
        va += vbar[i]! * p.a1[i]!;
      }
      const half = this.hybrid.flciHalf!;
      dbar = Float64Array.of(half - vd + (1 - va) * theta, half + vd - (1 - va) * theta);
      this.lastDbar = dbar;
    }
    return !this.rejects(yFull, dbar);
  }

  private rejects(yFull: Float64Array, dbar?: Float64Array): boolean {
    const p = this.p,
      mr = this.mr,
      k = p.k,
      alpha = this.alpha,
      kappa = this.hybrid.kappa;
    const y = Float64Array.from(p.rows, (i) => yFull[i]!);
    const sol = this.lp.max(y);
    if (!sol) return false;
    const lin = { eta: sol.value, lambda: sol.lambda }; // HonestDiD: "LP for eta did not converge properly. Not rejecting"
    let modSize: number;
    if (this.flag === "LF") {
      modSize = (alpha - kappa) / (1 - kappa);
      if (lin.eta > this.hybrid.lfCv!) return true;
    } else if (this.flag === "FLCI") {
      modSize = (alpha - kappa) / (1 - kappa);
      const vbar = this.hybrid.vbar!;
      let vy = 0;
      for (let i = 0; i < p.m; i++) vy += vbar[i]! * yFull[i]!;
      if (Math.max(vy - dbar![0]!, -vy - dbar![1]!) > 0) return true;
    } else modSize = alpha;

    const tolLambda = 1e-6;
    const B: number[] = [],
      Bc: number[] = [];
    for (let i = 0; i < mr; i++) (lin.lambda[i]! > tolLambda ? B : Bc).push(i);
    const degenerate = B.length !== k + 1;
    const XB = sub(this.Xr, k, B, [...Array(k).keys()]);
    const xdim = Math.min(B.length, k);
    const fullRank = xdim === 0 ? false : rank(XB, B.length, k) === xdim;

    let zlo: number, zup: number, maxstat: number;
    if (!fullRank || degenerate) {
      const gamma = lin.lambda;
      const Sg = mm(this.Sr, mr, mr, gamma, 1);
      let sB2 = 0;
      for (let i = 0; i < mr; i++) sB2 += gamma[i]! * Sg[i]!;
      if (Math.abs(sB2) < 2.220446049250313e-16) return lin.eta > 0;
      const sB = Math.sqrt(sB2);
      const v = this.vloVupDual(lin.eta, y, gamma, Sg, sB2);
      maxstat = lin.eta / sB;
      const [lo, up] = this.hybridBounds(v.vlo, v.vup, gamma, yFull);
      zlo = lo / sB;
      zup = up / sB;
    } else {
      // v_B' = e₁'[σ_B, X_B]⁻¹ S_B; Γ_B = [σ_Bc, X_Bc][σ_B, X_B]⁻¹ S_B − S_Bc
      const nb = B.length;
      const WB = new Float64Array(nb * nb);
      B.forEach((i, a) => {
        WB[a * nb] = this.sd[i]!;
        for (let j = 0; j < k; j++) WB[a * nb + 1 + j] = this.Xr[i * k + j]!;
      });
      const WBi = inverse(WB, nb);
      const vB = new Float64Array(mr);
      B.forEach((i, a) => (vB[i] = WBi[a]!)); // first row of WB⁻¹
      const Sv = mm(this.Sr, mr, mr, vB, 1);
      let s2 = 0,
        vy = 0;
      for (let i = 0; i < mr; i++) {
        s2 += vB[i]! * Sv[i]!;
        vy += vB[i]! * y[i]!;
      }
      const sB = Math.sqrt(s2);
      let vlo = Number.NEGATIVE_INFINITY,
        vup = Number.POSITIVE_INFINITY;
      for (const c of Bc) {
        // row c of Γ_B: [σ_c, X_c] WB⁻¹ S_B − e_c
        const wc = new Float64Array(nb);
        wc[0] = this.sd[c]!;
        for (let j = 0; j < k; j++) wc[1 + j] = this.Xr[c * k + j]!;
        const coef = new Float64Array(nb); // wc' WB⁻¹
        for (let b = 0; b < nb; b++) {
          let s = 0;
          for (let a = 0; a < nb; a++) s += wc[a]! * WBi[a * nb + b]!;
          coef[b] = s;
        }
        let gy = -y[c]!,
          gS = -Sv[c]!;
        B.forEach((i, b) => {
          gy += coef[b]! * y[i]!;
          gS += coef[b]! * Sv[i]!;
        });
        const rho = gS / s2;
        const val = -gy / rho + vy;
        if (rho > 0) vlo = Math.max(vlo, val);
        else if (rho < 0) vup = Math.min(vup, val);
      }
      const [lo, up] = this.hybridBounds(vlo, vup, vB, yFull);
      zlo = lo / sB;
      zup = up / sB;
      maxstat = lin.eta / sB;
    }
    if (!(zlo <= maxstat && maxstat <= zup)) return false;
    const cval = Math.max(0, truncNormQuantile(1 - modSize, zlo, zup));
    return maxstat > cval;
  }

  /** Truncation bounds after the hybrid's first stage (LF: v_up ≤ cv; C-F: the FLCI's bounds). */
  private hybridBounds(vlo: number, vup: number, gammaArp: Float64Array, yFull: Float64Array): [number, number] {
    if (this.flag === "LF") return [vlo, Math.min(vup, this.hybrid.lfCv!)];
    if (this.flag === "ARP") return [vlo, vup];
    // C-F: γ on all rows, σ_γ = Σγ/(γ'Σγ), S = y − σ_γ γ'y; bounds from ±vbar'(S + σ_γ t) ≤ dbar
    const p = this.p,
      m = p.m;
    const g = new Float64Array(m);
    p.rows.forEach((i, a) => (g[i] = gammaArp[a]!));
    const Sg = mm(p.sigmaY, m, m, g, 1);
    let gSg = 0,
      gy = 0;
    for (let i = 0; i < m; i++) {
      gSg += g[i]! * Sg[i]!;
      gy += g[i]! * yFull[i]!;
    }
    const c = Sg.map((v) => v / gSg);
    const S = yFull.map((v, i) => v - c[i]! * gy);
    const vbar = this.hybrid.vbar!;
    let vS = 0,
      vc = 0;
    for (let i = 0; i < m; i++) {
      vS += vbar[i]! * S[i]!;
      vc += vbar[i]! * c[i]!;
    }
    const dbar = this.lastDbar;
    let lo = vlo,
      up = vup;
    const rows: [number, number, number][] = [
      [vc, vS, dbar[0]!],
      [-vc, -vS, dbar[1]!],
    ];
    for (const [cc, sv, db] of rows) {
      const val = (db - sv) / cc;
      if (cc < 0) lo = Math.max(lo, val);
      else if (cc > 0) up = Math.min(up, val);
    }
    return [lo, up];
  }

  /**
   * v_lo and v_up by the dual programme (HonestDiD `.vlo_vup_dual_fn`): the range of c for which
   * max_λ {(s + b c)'λ : λ ≥ 0, W'λ = e₁} = c, with s = (I − Σγγ'/γ'Σγ) y and b = Σγ/γ'Σγ;
   * bisection (tolerance 1e-6) after up to 10 secant-like steps, from [−100, 100] widened to ±20σ_B.
   */
  private vloVupDual(eta: number, y: Float64Array, gamma: Float64Array, Sg: Float64Array, sB2: number): { vlo: number; vup: number } {
    const mr = this.mr;
    this.maxProg ??= polySolver(this.Xr, mr, this.p.k, this.sd, this.engine, "max");
    const mp = this.maxProg;
    let gy = 0;
    for (let i = 0; i < mr; i++) gy += gamma[i]! * y[i]!;
    const b = Sg.map((v) => v / sB2);
    const s = y.map((v, i) => v - b[i]! * gy);
    const tolC = 1e-6,
      tolEq = 1e-6;
    const sigmaB = Math.sqrt(sB2);
    const lowInitial = Math.min(-100, eta - 20 * sigmaB),
      highInitial = Math.max(100, eta + 20 * sigmaB);
    const maxiters = 10000,
      switchiters = 10;
    const check = (c: number): { ok: boolean; lambda: Float64Array | null } => {
      const f = s.map((v, i) => v + b[i]! * c);
      const r = mp.max(f);
      if (!r) return { ok: false, lambda: null };
      return { ok: Math.abs(c - r.value) <= tolEq, lambda: r.lambda };
    };
    const roundeps = (v: number): number => (Math.abs(v) < Math.pow(2.220446049250313e-16, 3 / 4) ? 0 : v);
    const nextMid = (lambda: Float64Array): number => {
      let ls = 0,
        lb = 0;
      for (let i = 0; i < mr; i++) {
        ls += lambda[i]! * s[i]!;
        lb += lambda[i]! * b[i]!;
      }
      return roundeps(ls) / (1 - lb);
    };
    if (!check(eta).ok) return { vlo: eta, vup: Number.POSITIVE_INFINITY };
    // the end of the accepted interval beyond eta on one side: a jump along the LP's multiplier while it
    // stays rejected (at most switchiters), then bisection between the last accepted and rejected points
    const end = (initial: number, side: 1 | -1): number => {
      let lp = check(initial);
      if (lp.ok) return side * Number.POSITIVE_INFINITY;
      let dif = 0,
        iters = 1;
      let mid = lp.lambda ? nextMid(lp.lambda) : Number.NaN;
      while (!(lp = check(mid)).ok && iters < maxiters) {
        iters++;
        if (iters >= switchiters) {
          dif = tolC + 1;
          break;
        }
        mid = lp.lambda ? nextMid(lp.lambda) : Number.NaN;
      }
      let inside = eta,
        outside = mid;
      while (dif > tolC && iters < maxiters) {
        iters++;
        mid = (inside + outside) / 2;
        if (check(mid).ok) inside = mid;
        else outside = mid;
        dif = side * (outside - inside);
      }
      return mid;
    };
    const vup = end(highInitial, 1);
    const vlo = end(lowInitial, -1);
    return { vlo, vup };
  }
}

/** R's `seq(lb, ub, length.out = n)`: lb, lb + i·((ub − lb)/(n − 1)), …, ub. */
export function rSeq(lb: number, ub: number, n: number): Float64Array {
  const out = new Float64Array(n);
  if (n === 1) {
    out[0] = lb;
    return out;
  }
  if (lb === ub) return out.fill(lb);
  const by = (ub - lb) / (n - 1);
  out[0] = lb;
  for (let i = 1; i < n - 1; i++) out[i] = lb + i * by;
  out[n - 1] = ub;
  return out;
}

/**
 * Accept/reject θ on R's grid seq(lb, ub, length.out = gridPoints) (HonestDiD `.ARP_computeCI`); the
 * LF critical value is computed here when needed. Points flagged in `skip` (already accepted by another
 * polyhedron of a union) are not tested and left 0.
 */
export function arpGrid(
  p: ArpProblem,
  alpha: number,
  flag: HybridFlag,
  hybrid: HybridInfo,
  lb: number,
  ub: number,
  gridPoints: number,
  engine: LpEngine = "simplex",
  skip?: Uint8Array,
): { grid: Float64Array; accept: Uint8Array } {
  const h = { ...hybrid };
  if (flag === "LF" && h.lfCv === undefined) h.lfCv = leastFavourableCv(p, h.kappa, h.seed ?? 0, 1000, engine);
  const tester = new ArpTester(p, alpha, flag, h, engine);
  const grid = rSeq(lb, ub, gridPoints);
  const accept = new Uint8Array(gridPoints);
  try {
    for (let g = 0; g < gridPoints; g++) if (!skip?.[g]) accept[g] = tester.accepts(grid[g]!) ? 1 : 0;
  } finally {
    tester.dispose();
  }
  return { grid, accept };
}
