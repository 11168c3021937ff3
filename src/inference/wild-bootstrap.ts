/**
 * Wild cluster restricted bootstrap (WCR, null imposed) for one feols coefficient — Cameron, Gelbach &
 * Miller (2008); the fast algebra of Roodman, MacKinnon, Nielsen & Webb (2019), adapted to absorbed FEs.
 * METHODS.md §5.3.
 *
 * With X̃, ỹ demeaned on the FEs (weights W), B = (X̃'WX̃)⁻¹, H0: β_j = r:
 * - restricted residual ũ(r) = M_{-j}(ỹ − r x̃_j) = ũ_y − r·ũ_x (M_{-j}: residual maker of X̃ without column j);
 * - bootstrap sample y* = ŷ_restricted + v_g·ũ (one multiplier v_g per cluster); re-estimating with the same
 *   FEs gives β̂*_j − r = Σ_g v_g c_g with c_g = e_j'B X̃_g'W_g ũ_g, and residuals ê* = M_W(v⊙ũ), M_W z =
 *   demean_W(z) − X̃B X̃'Wz;
 * - the CRVE of β̂*_j is κ Σ_h (Σ_g v_g Q_hg)² with Q_hg = Σ_{i∈h} w_i q_i [M_W(1_g⊙ũ)]_i, q_i = e_j'B x̃_i
 *   and κ the small-sample factor of the original CRVE (it cancels in p-values);
 * - c and Q are linear in r: per draw the numerator is n0 − r·n1 and Σ_h s_h² = A − 2rC + r²D, so after an
 *   O(n·G + B·G²) set-up every r of the CI search costs O(B). demean_W(1_g⊙ũ) = 1_g⊙ũ when every FE is nested in the clusters; otherwise it is computed once
 *   per cluster.
 * t*_b = (β̂*_j − r)/se*_b; t = (β̂_j − r)/se from the original CRVE.
 * p (symmetric) = share of |t*_b| ≥ |t|; p (equal-tailed) = 2·min(share t*_b ≤ t, share t*_b ≥ t); ties are
 * decided with a relative tolerance of 1e-10 (counted as "at least as extreme").
 * Multipliers: Rademacher ±1; Webb ±√(3/2), ±1, ±√(1/2) each 1/6; Mammen −(√5−1)/2 w.p. (√5+1)/(2√5), else
 * (√5+1)/2. Rademacher with 2^G ≤ reps: all 2^G sign vectors are enumerated (draw m: v_g = −1 iff bit g of m
 * is set) and the result is exact. CI: the set of r with p(r) > 1 − level, its ends found by bisection.
 */
import { feols, type FeolsFit, type FeolsInput } from "../estimators/feols.js";
import { demean } from "../estimators/demean.js";
import { Rng } from "../core/rng.js";
import { invSPD } from "../core/linalg.js";
import { usageError } from "../core/errors.js";
import { clusterCodesForFit, computeVcov, isNested, type ClusterInput, type SscOptions } from "./vcov.js";

export type WildWeights = "rademacher" | "webb" | "mammen";

export interface WildBootstrapOptions {
  /** bootstrap cluster dimension */
  cluster: ClusterInput;
  /** number of draws (default 9999); Rademacher with 2^G ≤ reps enumerates all 2^G draws instead */
  reps?: number;
  seed: number;
  weights?: WildWeights;
  /** null value r of H0: β = r (default 0) */
  null?: number;
  /** confidence level of the test-inversion CI (default 0.95); ci: false skips it */
  level?: number;
  ci?: boolean;
  /** p-value used for the CI (default "symmetric") */
  pType?: "symmetric" | "equal-tailed";
  /** small-sample options of the original CRVE (only the reported t depends on them) */
  ssc?: SscOptions;
  /** also return the t* draws (tests, plots) */
  returnDraws?: boolean;
}

export interface WildBootstrapResult {
  term: string;
  estimate: number;
  null: number;
  /** t statistic against the null with the original CRVE */
  statistic: number;
  p_value: number;
  p_value_equal_tailed: number;
  conf_low: number | null;
  conf_high: number | null;
  level: number;
  reps: number;
  enumerated: boolean;
  weights: WildWeights;
  seed: number;
  clusters: number;
  tStars?: Float64Array;
}

/** Multipliers: B × G row-major. */
function drawMultipliers(G: number, reps: number, type: WildWeights, seed: number): { v: Float64Array; B: number; enumerated: boolean } {
  if (type === "rademacher" && G < 31 && 2 ** G <= reps) {
    const B = 2 ** G;
    const v = new Float64Array(B * G);
    for (let m = 0; m < B; m++) for (let g = 0; g < G; g++) v[m * G + g] = (m >> g) & 1 ? -1 : 1;
    return { v, B, enumerated: true };
  }
  const rng = new Rng(seed);
  const v = new Float64Array(reps * G);
  const s5 = Math.sqrt(5);
  const webb = [-Math.sqrt(1.5), -1, -Math.sqrt(0.5), Math.sqrt(0.5), 1, Math.sqrt(1.5)];
  for (let i = 0; i < v.length; i++) {
    if (type === "rademacher") v[i] = rng.rademacher();
    else if (type === "webb") v[i] = webb[rng.int(6)]!;
    else v[i] = rng.uniform() < (s5 + 1) / (2 * s5) ? -(s5 - 1) / 2 : (s5 + 1) / 2;
  }
  return { v, B: reps, enumerated: false };
}

/** z − X(X'WX)⁻¹X'Wz for columns X (none: z). */
function residualize(z: Float64Array, X: Float64Array[], w: Float64Array | null): Float64Array {
  const out = z.slice();
  const k = X.length;
  if (k === 0) return out;
  const n = z.length;
  const G = new Float64Array(k * k),
    c = new Float64Array(k);
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (w ? w[i]! : 1) * X[a]![i]! * X[b]![i]!;
      G[a * k + b] = s;
      G[b * k + a] = s;
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += (w ? w[i]! : 1) * X[a]![i]! * z[i]!;
    c[a] = s;
  }
  const Gi = invSPD({ rows: k, cols: k, data: G });
  for (let a = 0; a < k; a++) {
    let beta = 0;
    for (let b = 0; b < k; b++) beta += Gi.data[a * k + b]! * c[b]!;
    const xa = X[a]!;
    for (let i = 0; i < n; i++) out[i]! -= beta * xa[i]!;
  }
  return out;
}

interface Pieces {
  c: Float64Array; // G
  Q: Float64Array; // G×G (h rows, g columns)
}

/** c_g and Q_hg for one restricted residual ũ (see the file comment). */
function pieces(fit: FeolsFit, j: number, u: Float64Array, codes: Int32Array, G: number, fesNested: boolean): Pieces {
  const n = fit.nobs,
    k = fit.coef.length,
    w = fit.weights,
    X = fit.xTilde,
    Bm = fit.bread.data;
  // q_i = e_j'B x̃_i
  const q = new Float64Array(n);
  for (let a = 0; a < k; a++) {
    const bja = Bm[j * k + a]!,
      xa = X[a]!;
    for (let i = 0; i < n; i++) q[i]! += bja * xa[i]!;
  }
  // a_g = X̃_g'W_g ũ_g (G×k), c_g = e_j'B a_g; b_h = Σ_{i∈h} w q x̃ (G×k)
  const A = new Float64Array(G * k),
    Bh = new Float64Array(G * k);
  for (let a = 0; a < k; a++) {
    const xa = X[a]!;
    for (let i = 0; i < n; i++) {
      const wi = w ? w[i]! : 1;
      A[codes[i]! * k + a]! += wi * xa[i]! * u[i]!;
      Bh[codes[i]! * k + a]! += wi * q[i]! * xa[i]!;
    }
  }
  const c = new Float64Array(G);
  const BA = new Float64Array(G * k); // B a_g
  for (let g = 0; g < G; g++)
    for (let a = 0; a < k; a++) {
      let s = 0;
      for (let b = 0; b < k; b++) s += Bm[a * k + b]! * A[g * k + b]!;
      BA[g * k + a] = s;
    }
  for (let g = 0; g < G; g++) c[g] = BA[g * k + j]!;
  const Q = new Float64Array(G * G);
  // − b_h' B a_g
  for (let h = 0; h < G; h++)
    for (let g = 0; g < G; g++) {
      let s = 0;
      for (let a = 0; a < k; a++) s += Bh[h * k + a]! * BA[g * k + a]!;
      Q[h * G + g] = -s;
    }
  // + Σ_{i∈h} w q_i [demean_W(1_g⊙ũ)]_i
  if (fesNested || fit.fixedEffects.length === 0) {
    for (let i = 0; i < n; i++) {
      const g = codes[i]!;
      Q[g * G + g]! += (w ? w[i]! : 1) * q[i]! * u[i]!;
    }
  } else {
    const chunk = 32;
    for (let g0 = 0; g0 < G; g0 += chunk) {
      const cols: Float64Array[] = [];
      for (let g = g0; g < Math.min(G, g0 + chunk); g++) {
        const z = new Float64Array(n);
        for (let i = 0; i < n; i++) if (codes[i] === g) z[i] = u[i]!;
        cols.push(z);
      }
      const dm = demean(fit.fixedEffects, cols, { weights: w, inPlace: cols.map(() => true) });
      dm.columns.forEach((z, off) => {
        const g = g0 + off;
        for (let i = 0; i < n; i++) Q[codes[i]! * G + g]! += (w ? w[i]! : 1) * q[i]! * z[i]!;
      });
    }
  }
  return { c, Q };
}

/**
 * Wild cluster restricted bootstrap test of H0: β_term = r in the model `input` (any feols model: FEs,
 * weights, covariates), with a CI by test inversion. Same seed → identical result. See the file comment.
 */
export function wildClusterBootstrap(input: FeolsInput, term: string, opts: WildBootstrapOptions): WildBootstrapResult {
  const fit = feols(input);
  const j = fit.coefNames.indexOf(term);
  if (j < 0) throw usageError(`wild bootstrap: "${term}" is not an estimated coefficient (have: ${fit.coefNames.join(", ")})`);
  const type = opts.weights ?? "rademacher";
  const r0 = opts.null ?? 0;
  const level = opts.level ?? 0.95;
  const reps = opts.reps ?? 9999;
  if (!(reps >= 1) || !Number.isInteger(reps)) throw usageError(`--reps must be a positive integer, got ${reps}`);
  const cl = clusterCodesForFit(fit, opts.cluster);
  const G = cl.nLevels;
  if (G < 2) throw usageError("wild cluster bootstrap needs at least 2 clusters");
  const vc = computeVcov(fit, { type: "cluster", clusters: [opts.cluster] }, opts.ssc);
  const k = fit.coef.length;
  const se = Math.sqrt(vc.V.data[j * k + j]!);
  // κ: the original CRVE's factor relative to the raw sandwich
  const raw = computeVcov(fit, { type: "cluster", clusters: [opts.cluster] }, { kAdj: false, gAdj: false });
  const kappa = vc.V.data[j * k + j]! / raw.V.data[j * k + j]!;
  const others = fit.xTilde.filter((_, a) => a !== j);
  const w = fit.weights;
  const uy = residualize(fit.yTilde, others, w);
  const ux = residualize(fit.xTilde[j]!, others, w);
  const nested = fit.fixedEffects.every((f) => isNested(f, cl));
  const Py = pieces(fit, j, uy, cl.codes, G, nested);
  const Px = pieces(fit, j, ux, cl.codes, G, nested);
  const { v, B, enumerated } = drawMultipliers(G, reps, type, opts.seed);
  const bhat = fit.coef[j]!;
  // Per draw b, as functions of r (Roodman et al. 2019): numerator n0 − r·n1 and
  // Σ_h s_h(r)² = A − 2rC + r²D with s(r) = (Q_y − rQ_x)v; computed once, then any r costs O(B).
  const N0 = new Float64Array(B),
    N1 = new Float64Array(B),
    SA = new Float64Array(B),
    SC = new Float64Array(B),
    SD = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    const o = b * G;
    let n0 = 0,
      n1 = 0;
    for (let g = 0; g < G; g++) {
      n0 += v[o + g]! * Py.c[g]!;
      n1 += v[o + g]! * Px.c[g]!;
    }
    let a = 0,
      cc = 0,
      dd = 0;
    for (let h = 0; h < G; h++) {
      let sy = 0,
        sx = 0;
      const qo = h * G;
      for (let g = 0; g < G; g++) {
        sy += Py.Q[qo + g]! * v[o + g]!;
        sx += Px.Q[qo + g]! * v[o + g]!;
      }
      a += sy * sy;
      cc += sy * sx;
      dd += sx * sx;
    }
    N0[b] = n0;
    N1[b] = n1;
    SA[b] = a;
    SC[b] = cc;
    SD[b] = dd;
  }
  const tStar = new Float64Array(B);

  /** t* draws for null r (into tStar) and the original t. */
  const evalNull = (r: number): number => {
    for (let b = 0; b < B; b++) tStar[b] = (N0[b]! - r * N1[b]!) / Math.sqrt(kappa * Math.max(0, SA[b]! - 2 * r * SC[b]! + r * r * SD[b]!));
    return (bhat - r) / se;
  };
  const pvals = (t: number): { sym: number; eq: number } => {
    const tolA = 1e-10 * Math.max(1, Math.abs(t));
    let ge = 0,
      le = 0,
      abs = 0;
    for (let b = 0; b < B; b++) {
      const x = tStar[b]!;
      if (Math.abs(x) >= Math.abs(t) - tolA) abs++;
      if (x >= t - tolA) ge++;
      if (x <= t + tolA) le++;
    }
    return { sym: abs / B, eq: Math.min(1, (2 * Math.min(ge, le)) / B) };
  };
  const t0 = evalNull(r0);
  const p0 = pvals(t0);
  const draws = opts.returnDraws ? tStar.slice() : undefined;
  let lo: number | null = null,
    hi: number | null = null;
  if (opts.ci ?? true) {
    const alpha = 1 - level;
    const pAt = (r: number) => {
      const t = evalNull(r);
      const p = pvals(t);
      return opts.pType === "equal-tailed" ? p.eq : p.sym;
    };
    const end = (dir: 1 | -1): number | null => {
      // p(β̂) = 1 > α; step outwards until p ≤ α, then bisect on the boundary
      let inside = bhat,
        step = Math.max(se, 1e-12),
        outside = NaN;
      for (let it = 0; it < 60; it++) {
        const r = bhat + dir * step;
        if (pAt(r) <= alpha) {
          outside = r;
          break;
        }
        inside = r;
        step *= 2;
      }
      if (Number.isNaN(outside)) return null;
      for (let it = 0; it < 200 && Math.abs(outside - inside) > 1e-9 * Math.max(se, 1e-300); it++) {
        const mid = (inside + outside) / 2;
        if (pAt(mid) > alpha) inside = mid;
        else outside = mid;
      }
      return (inside + outside) / 2;
    };
    lo = end(-1);
    hi = end(1);
  }
  const out: WildBootstrapResult = {
    term,
    estimate: bhat,
    null: r0,
    statistic: t0,
    p_value: p0.sym,
    p_value_equal_tailed: p0.eq,
    conf_low: lo,
    conf_high: hi,
    level,
    reps: B,
    enumerated,
    weights: type,
    seed: opts.seed,
    clusters: G,
  };
  if (draws) out.tStars = draws;
  return out;
}
