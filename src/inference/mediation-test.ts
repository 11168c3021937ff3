/**
 * Mechanism (mediation) tests, METHODS.md §12.
 *
 * Per mediator (seed eqs. 5–6: M = a·D + …, Y = b·M + τ'·D + …):
 *  - Sobel: z = âb̂ / √(â² se_b² + b̂² se_a²), two-sided normal p;
 *  - joint significance ("MaxP"): p = max(p_a, p_b).
 * Both are valid but conservative under the composite null H0: ab = 0 — when a = b = 0 the variance
 * of âb̂ degenerates (it is O(1/n²), not O(1/n)), so Sobel's size tends to 0 and MaxP's to α².
 *
 * Guo, Li, Liu & Zeng (2022, JASA 117(539)) indirect-effect test, as in the authors' released code:
 * with exposures X (q columns), covariates S (s columns, an intercept unless the data are demeaned) and
 * mediators M (p columns),
 *   full model   Y = M'α₀ + X'α₁ + S'α₂ + ε₁       (RSS₁, σ̂₁² = RSS₁/(n − p − q − s − d_FE))
 *   total model  Y = X'γ + S'γ₂ + ε_T               (RSS_T, σ̂_T² = RSS_T/(n − q − s − d_FE))
 *   β̂ = γ̂ − α̂₁ (total indirect effect = Γ'α₀),  σ̂₂² = max(0, σ̂_T² − σ̂₁²),
 *   Var(β̂) = σ̂₂² (V'V)⁻¹ + σ̂₁² (V'V)⁻¹V'M (M'M − M'V(V'V)⁻¹V'M)⁻¹ M'V(V'V)⁻¹, exposure block, V = [X S],
 *   S_n = β̂' Var(β̂)⁻¹ β̂ ~ χ²_q under H0: β = 0.
 * (This is the paper's n·β̂'Ĉ⁻¹β̂ with Σ's = cross products / n; the n's cancel.)
 * What it is and why it controls size: by the OLS omitted-variable identity β̂ = Γ̂'α̂₀ (Γ̂ = regression of
 * M on V), and β̂ − β = (V'V)⁻¹V'E_M α₀ + Γ̂(M'Q_V M)⁻¹M'Q_V ε₁; the two pieces are uncorrelated, with
 * variances σ₂²(V'V)⁻¹ (σ₂² = α₀'Var(E_M)α₀, estimated by σ̂_T² − σ̂₁²) and σ₁²B. So S_n is a Wald test of
 * the total indirect effect with a delta-type variance that, unlike Sobel's, needs no estimate of each
 * mediator's path separately and covers several mediators/exposures at once (the joint test).
 * Under the composite null β = Γ'α₀ = 0: if one leg is non-zero and well identified (Γ ≠ 0 = α₀ or
 * α₀ ≠ 0 = Γ), β̂ is asymptotically normal with that non-degenerate variance and S_n → χ²_q (size ≈ α);
 * at Γ = α₀ = 0 both variance terms and β̂² are O(1/n²)… but σ̂₂² = max(0, σ̂_T² − σ̂₁²) is O_p(1/√n), so the
 * estimated variance dominates and the test is conservative (size → 0, as Sobel's; MaxP's → α²).
 * Hence P(reject) ≤ α (asymptotically) everywhere on the composite null; test/inference/mediation-test.test.ts
 * measures it (500 simulations per null).
 * "Single-mechanism" test: M = {M_j}; "joint" test: M = all mediators (H0: total indirect effect = 0).
 *
 * Panel adaptation [A] (METHODS §12.2): pass two-way-demeaned Y, M, X, S (FWL), `intercept: false` and
 * `absorbedDf` = number of fixed-effect parameters absorbed (e.g. N_units + N_years − 1); the variance
 * formula assumes homoskedastic independent errors (report a cluster-bootstrap p alongside).
 */
import { gram, invSPD, mat, matmul, transpose, subMatrix, type Mat } from "../core/linalg.js";
import { pchisq, pnorm } from "../core/distributions.js";
import { estimationError } from "../core/errors.js";

export interface SobelResult {
  indirect: number;
  std_error: number;
  statistic: number;
  p_value: number;
}

/** Sobel (1982) first-order delta-method test of a·b. */
export function sobelTest(a: number, seA: number, b: number, seB: number): SobelResult {
  const se = Math.sqrt(a ** 2 * seB ** 2 + b ** 2 * seA ** 2);
  const z = (a * b) / se;
  return { indirect: a * b, std_error: se, statistic: z, p_value: 2 * (1 - pnorm(Math.abs(z))) };
}

/** Joint-significance test: p = max(p_a, p_b). */
export function maxPTest(pA: number, pB: number): number {
  return Math.max(pA, pB);
}

export interface GuoInput {
  y: Float64Array;
  m: Float64Array[];
  x: Float64Array[];
  s?: Float64Array[];
  /** Add an intercept to S (default true; false for demeaned panel data). */
  intercept?: boolean;
  /** Fixed-effect parameters absorbed before the call (subtracted from the residual df). */
  absorbedDf?: number;
}

export interface GuoResult {
  /** β̂ = γ̂ − α̂₁ per exposure. */
  indirect: number[];
  std_error: number[];
  statistic: number;
  df: number;
  p_value: number;
  sigma1sq: number;
  sigma2sq: number;
}

/** Columns' coefficient vector and RSS of OLS y ~ cols (no intercept added here). */
function ols(cols: Float64Array[], y: Float64Array): { coef: Float64Array; rss: number; inv: Mat } {
  const G = gram(cols);
  let inv: Mat;
  try {
    inv = invSPD(G);
  } catch {
    throw estimationError("Guo S_n test: regressors are collinear (a mediator, exposure or covariate is a linear combination of the others)");
  }
  const k = cols.length,
    n = y.length;
  const xy = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let s = 0;
    const c = cols[j]!;
    for (let i = 0; i < n; i++) s += c[i]! * y[i]!;
    xy[j] = s;
  }
  const coef = new Float64Array(k);
  for (let a = 0; a < k; a++) {
    let s = 0;
    for (let b = 0; b < k; b++) s += inv.data[a * k + b]! * xy[b]!;
    coef[a] = s;
  }
  let rss = 0;
  for (let i = 0; i < n; i++) {
    let f = 0;
    for (let j = 0; j < k; j++) f += coef[j]! * cols[j]![i]!;
    const e = y[i]! - f;
    rss += e * e;
  }
  return { coef, rss, inv };
}

/** Guo et al. (2022) S_n test of the total indirect effect through the mediators `m` (see file comment). */
export function guoTest(g: GuoInput): GuoResult {
  const n = g.y.length;
  const S = [...(g.intercept === false ? [] : [new Float64Array(n).fill(1)]), ...(g.s ?? [])];
  const p = g.m.length,
    q = g.x.length,
    s = S.length;
  const dfFE = g.absorbedDf ?? 0;
  const V = [...g.x, ...S];
  const full = ols([...g.m, ...V], g.y);
  const tot = ols(V, g.y);
  const df1 = n - p - q - s - dfFE,
    dfT = n - q - s - dfFE;
  if (df1 <= 0) throw estimationError(`Guo S_n test: no residual degrees of freedom (n = ${n}, parameters ${p + q + s + dfFE})`);
  const s1 = full.rss / df1;
  const sT = tot.rss / dfT;
  const s2 = Math.max(0, sT - s1);
  const beta = Array.from({ length: q }, (_, j) => tot.coef[j]! - full.coef[p + j]!);
  // Var(β̂) = σ₂² (V'V)⁻¹ + σ₁² (V'V)⁻¹ V'M (M'M − M'V (V'V)⁻¹ V'M)⁻¹ M'V (V'V)⁻¹
  const VVi = tot.inv;
  const k = V.length;
  const MV = mat(p, k);
  for (let a = 0; a < p; a++)
    for (let b = 0; b < k; b++) {
      let t = 0;
      const ma = g.m[a]!,
        vb = V[b]!;
      for (let i = 0; i < n; i++) t += ma[i]! * vb[i]!;
      MV.data[a * k + b] = t;
    }
  const MM = gram(g.m);
  const MVVVi = matmul(MV, VVi); // p×k
  const schur = mat(p, p);
  const corr = matmul(MVVVi, transpose(MV));
  for (let i = 0; i < p * p; i++) schur.data[i] = MM.data[i]! - corr.data[i]!;
  let schurInv: Mat;
  try {
    schurInv = invSPD(schur);
  } catch {
    throw estimationError("Guo S_n test: a mediator is (nearly) collinear with the exposures and covariates");
  }
  const Bm = matmul(matmul(transpose(MVVVi), schurInv), MVVVi); // k×k
  const idx = Array.from({ length: q }, (_, j) => j);
  const VX = subMatrix(VVi, idx, idx),
    BX = subMatrix(Bm, idx, idx);
  const C = mat(q, q);
  for (let i = 0; i < q * q; i++) C.data[i] = s2 * VX.data[i]! + s1 * BX.data[i]!;
  const Ci = invSPD(C);
  let stat = 0;
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) stat += beta[a]! * Ci.data[a * q + b]! * beta[b]!;
  return {
    indirect: beta,
    std_error: idx.map((j) => Math.sqrt(C.data[j * q + j]!)),
    statistic: stat,
    df: q,
    p_value: 1 - pchisq(stat, q),
    sigma1sq: s1,
    sigma2sq: s2,
  };
}

export interface MediatorTests {
  mediator: string;
  a: number;
  se_a: number;
  p_a: number;
  b: number;
  se_b: number;
  p_b: number;
  sobel: SobelResult;
  maxp: number;
  guo: GuoResult;
}

/**
 * All per-mediator tests with iid OLS standard errors (t → normal p) on the given (possibly demeaned)
 * data, plus the joint Guo test over all mediators. Exposure = the single column `x`.
 */
export function mediationTests(d: {
  y: Float64Array;
  x: Float64Array;
  m: { name: string; values: Float64Array }[];
  s?: Float64Array[];
  intercept?: boolean;
  absorbedDf?: number;
}): { mediators: MediatorTests[]; joint: GuoResult } {
  const n = d.y.length;
  const S = [...(d.intercept === false ? [] : [new Float64Array(n).fill(1)]), ...(d.s ?? [])];
  const dfFE = d.absorbedDf ?? 0;
  const coefSe = (cols: Float64Array[], y: Float64Array, j: number) => {
    const r = ols(cols, y);
    const df = n - cols.length - dfFE;
    const se = Math.sqrt((r.rss / df) * r.inv.data[j * cols.length + j]!);
    const est = r.coef[j]!;
    return { est, se, p: 2 * (1 - pnorm(Math.abs(est / se))) };
  };
  const mediators = d.m.map((mj) => {
    const A = coefSe([d.x, ...S], mj.values, 0);
    const B = coefSe([mj.values, d.x, ...S], d.y, 0);
    return {
      mediator: mj.name,
      a: A.est,
      se_a: A.se,
      p_a: A.p,
      b: B.est,
      se_b: B.se,
      p_b: B.p,
      sobel: sobelTest(A.est, A.se, B.est, B.se),
      maxp: maxPTest(A.p, B.p),
      guo: guoTest({ y: d.y, m: [mj.values], x: [d.x], s: d.s, intercept: d.intercept, absorbedDf: d.absorbedDf }),
    };
  });
  const joint = guoTest({ y: d.y, m: d.m.map((m) => m.values), x: [d.x], s: d.s, intercept: d.intercept, absorbedDf: d.absorbedDf });
  return { mediators, joint };
}
