/**
 * Synthetic DID with covariates fitted jointly with the weights — the synthdid paper's approach (R
 * synthdid 0.0.9 `synthdid_estimate(Y, N0, T0, X)` → `sc.weight.fw.covariates`; Stata `sdid …
 * covariates(x, optimized)`; METHODS.md §3.3). On the collapsed (N₀+1)×(T₀+1) forms Ŷ and X̂_k
 * (controls × pre as is, post means in the last column, treated means in the last row):
 *
 *   minimise  ζ_ω²‖ω‖² + ζ_λ²‖λ‖² + ‖err_ω‖²/T₀ + ‖err_λ‖²/N₀   over ω, λ on their simplices and β,
 *
 * where err_λ = C_rows(Ŷ_β)[controls, :]·(λ, −1), err_ω = C_cols(Ŷ_β[:, pre])'·(ω, −1),
 * Ŷ_β = Ŷ − Σ_k β_k X̂_k and C centres (the intercepts). From λ, ω uniform (SC: λ = 0 fixed) and
 * β = 0: one exact-line-search Frank–Wolfe step for λ and one for ω; then repeat {β ← β − (1/t)·g_β
 * (g_β,k = −err_λ'X̂_k[controls, :](λ, −1)/N₀ − err_ω'X̂_k[:, pre]'(ω, −1)/T₀); one FW step for λ and
 * for ω} while t < max.iter and (t < 2 or f_{t−1} − f_t > min.decrease²). No sparsification (as R).
 *
 *   τ̂ = (−ω, 1/N₁)'(Y − Σ_k β_k X_k)(−λ, 1/T₁).
 *
 * ζ's, min.decrease and max.iter are the estimator's usual ones (σ̂ from the raw outcome).
 *
 * `standardize` (default true, as Stata sdid without `unstandardized`): each covariate is turned into
 * z-scores over all unit-periods before the solver runs (the 1/t gradient steps converge faster on
 * unit-scale covariates); β is reported on the original scale (τ̂ does not depend on the centring).
 */
import { estimationError } from "../../core/errors.js";
import { type SdidPanel, type SdidSettings, sdidTau } from "./sdid.js";

export interface OptimizedCovariatesFit {
  estimate: number;
  omega: Float64Array;
  lambda: Float64Array;
  /** covariate coefficients, in the order given */
  beta: Float64Array;
  /** outer iterations t */
  iterations: number;
  /** objective after the last iteration */
  value: number;
}

/** Collapsed form of an N×T row-major matrix: (N0+1)×(T0+1) row-major. */
function collapse(M: Float64Array, p: SdidPanel): Float64Array {
  const { N, T, N0, T0 } = p;
  const N1 = N - N0;
  const T1 = T - T0;
  const C = T0 + 1;
  const out = new Float64Array((N0 + 1) * C);
  for (let i = 0; i < N0; i++) {
    let s = 0;
    for (let t = 0; t < T0; t++) out[i * C + t] = M[i * T + t]!;
    for (let t = T0; t < T; t++) s += M[i * T + t]!;
    out[i * C + T0] = s / T1;
  }
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let i = N0; i < N; i++) s += M[i * T + t]!;
    if (t < T0) out[N0 * C + t] = s / N1;
    else out[N0 * C + T0] = out[N0 * C + T0]! + s / N1 / T1;
  }
  return out;
}

/**
 * One exact-line-search FW step (synthdid's `fw.step`) on A (R×C row-major, a[r·stride + c]) and
 * target b: x ← x + s(e_i − x), i = argmin of the half gradient (Ax − b)'A + ηx.
 */
function fwStep(
  a: Float64Array,
  R: number,
  Cn: number,
  stride: number,
  b: Float64Array,
  x: Float64Array,
  eta: number,
  ax: Float64Array,
  hg: Float64Array,
): void {
  for (let r = 0; r < R; r++) {
    let s = 0;
    for (let c = 0; c < Cn; c++) s += a[r * stride + c]! * x[c]!;
    ax[r] = s;
  }
  for (let c = 0; c < Cn; c++) hg[c] = eta * x[c]!;
  for (let r = 0; r < R; r++) {
    const e = ax[r]! - b[r]!;
    for (let c = 0; c < Cn; c++) hg[c] = hg[c]! + e * a[r * stride + c]!;
  }
  // R adds ηx after the product; the sum is the same up to rounding order
  let i = 0;
  for (let c = 1; c < Cn; c++) if (hg[c]! < hg[i]!) i = c;
  let allZero = true;
  let gd = 0;
  let dd = 0;
  for (let c = 0; c < Cn; c++) {
    const d = c === i ? 1 - x[c]! : -x[c]!;
    if (d !== 0) allZero = false;
    gd += hg[c]! * d;
    dd += d * d;
  }
  if (allZero) return;
  let de = 0;
  for (let r = 0; r < R; r++) {
    const v = a[r * stride + i]! - ax[r]!;
    de += v * v;
  }
  let step = -gd / (de + eta * dd);
  if (!(step > 0)) step = 0;
  else if (step > 1) step = 1;
  for (let c = 0; c < Cn; c++) x[c] = x[c]! + step * ((c === i ? 1 : 0) - x[c]!);
}

/** Fit with covariates X (each N×T row-major, same layout as p.Y). */
export function sdidOptimizedCovariates(
  p: SdidPanel,
  X: Float64Array[],
  s: SdidSettings,
  start: { omega?: Float64Array; lambda?: Float64Array; beta?: Float64Array } = {},
  standardize = true,
): OptimizedCovariatesFit {
  const { N, T, N0, T0 } = p;
  for (const x of X) if (x.length !== N * T) throw estimationError("a covariate matrix has the wrong size");
  const K = X.length;
  // z-scores: X' = (X − m)/sd, β' = β·sd
  const scale = new Float64Array(K).fill(1);
  if (standardize) {
    X = X.map((x, k) => {
      let m = 0;
      for (let j = 0; j < x.length; j++) m += x[j]!;
      m /= x.length;
      let ss = 0;
      for (let j = 0; j < x.length; j++) ss += (x[j]! - m) ** 2;
      const sd = Math.sqrt(ss / (x.length - 1));
      if (!(sd > 0)) throw estimationError(`covariate ${k + 1} is constant; it cannot adjust the outcome`);
      scale[k] = sd;
      return Float64Array.from(x, (v) => (v - m) / sd);
    });
  }
  const C1 = T0 + 1;
  const Yc = collapse(p.Y, p);
  const Xc = X.map((x) => collapse(x, p));
  const lambda = start.lambda ? Float64Array.from(start.lambda) : s.method === "sc" ? new Float64Array(T0) : new Float64Array(T0).fill(1 / T0);
  const omega = start.omega ? Float64Array.from(start.omega) : new Float64Array(N0).fill(1 / N0);
  const beta = start.beta ? Float64Array.from(start.beta, (b, k) => b * scale[k]!) : new Float64Array(K);
  const zl2 = s.zetaLambda * s.zetaLambda;
  const zo2 = s.zetaOmega * s.zetaOmega;
  const Yb = new Float64Array(Yc.length);
  // Y.λ: N0 × (T0+1) (row-major, stride T0+1); Y.ω: T0 × (N0+1) (row-major, stride N0+1)
  const Yl = new Float64Array(N0 * C1);
  const Yo = new Float64Array(T0 * (N0 + 1));
  const errL = new Float64Array(N0);
  const errO = new Float64Array(T0);
  const bl = new Float64Array(N0);
  const bo = new Float64Array(T0);
  const axL = new Float64Array(N0);
  const hgL = new Float64Array(T0);
  const axO = new Float64Array(T0);
  const hgO = new Float64Array(N0);

  const update = (): number => {
    // Y.λ = controls' rows of Ŷ_β, each column centred over the controls
    for (let i = 0; i < N0; i++) for (let c = 0; c < C1; c++) Yl[i * C1 + c] = Yb[i * C1 + c]!;
    if (s.lambdaIntercept) {
      for (let c = 0; c < C1; c++) {
        let m = 0;
        for (let i = 0; i < N0; i++) m += Yl[i * C1 + c]!;
        m /= N0;
        for (let i = 0; i < N0; i++) Yl[i * C1 + c] = Yl[i * C1 + c]! - m;
      }
    }
    for (let i = 0; i < N0; i++) bl[i] = Yl[i * C1 + T0]!;
    if (s.updateLambda) fwStep(Yl, N0, T0, C1, bl, lambda, N0 * zl2, axL, hgL);
    let sl = 0;
    for (let i = 0; i < N0; i++) {
      let e = -Yl[i * C1 + T0]!;
      for (let t = 0; t < T0; t++) e += Yl[i * C1 + t]! * lambda[t]!;
      errL[i] = e;
      sl += e * e;
    }
    // Y.ω = transpose of Ŷ_β[:, pre] (T0 × (N0+1)), each unit's column centred over time
    const S = N0 + 1;
    for (let i = 0; i <= N0; i++) {
      let m = 0;
      for (let t = 0; t < T0; t++) m += Yb[i * C1 + t]!;
      m = s.omegaIntercept ? m / T0 : 0;
      for (let t = 0; t < T0; t++) Yo[t * S + i] = Yb[i * C1 + t]! - m;
    }
    for (let t = 0; t < T0; t++) bo[t] = Yo[t * S + N0]!;
    if (s.updateOmega) fwStep(Yo, T0, N0, S, bo, omega, T0 * zo2, axO, hgO);
    let so = 0;
    for (let t = 0; t < T0; t++) {
      let e = -Yo[t * S + N0]!;
      for (let i = 0; i < N0; i++) e += Yo[t * S + i]! * omega[i]!;
      errO[t] = e;
      so += e * e;
    }
    let oo = 0;
    for (let i = 0; i < N0; i++) oo += omega[i]! * omega[i]!;
    let ll = 0;
    for (let t = 0; t < T0; t++) ll += lambda[t]! * lambda[t]!;
    return zo2 * oo + zl2 * ll + so / T0 + sl / N0;
  };
  const setYb = () => {
    Yb.set(Yc);
    for (let k = 0; k < K; k++) {
      const bk = beta[k]!;
      if (bk === 0) continue;
      const xk = Xc[k]!;
      for (let j = 0; j < Yb.length; j++) Yb[j] = Yb[j]! - bk * xk[j]!;
    }
  };

  setYb();
  update();
  const minDec2 = s.minDecrease * s.minDecrease;
  const grad = new Float64Array(K);
  let t = 0;
  let prev = Number.NaN;
  let cur = Number.NaN;
  while (t < s.maxIter && (t < 2 || prev - cur > minDec2)) {
    t++;
    for (let k = 0; k < K; k++) {
      const xk = Xc[k]!;
      let gl = 0;
      for (let i = 0; i < N0; i++) {
        let v = -xk[i * C1 + T0]!;
        for (let c = 0; c < T0; c++) v += xk[i * C1 + c]! * lambda[c]!;
        gl += errL[i]! * v;
      }
      let go = 0;
      for (let c = 0; c < T0; c++) {
        let v = -xk[N0 * C1 + c]!;
        for (let i = 0; i < N0; i++) v += xk[i * C1 + c]! * omega[i]!;
        go += errO[c]! * v;
      }
      grad[k] = -(gl / N0 + go / T0);
    }
    const alpha = 1 / t;
    for (let k = 0; k < K; k++) beta[k] = beta[k]! - alpha * grad[k]!;
    setYb();
    prev = cur;
    cur = update();
  }
  // τ̂ on the adjusted outcome Y − Σ β_k X_k
  const Yadj = Float64Array.from(p.Y);
  for (let k = 0; k < K; k++) {
    const bk = beta[k]!;
    const xk = X[k]!;
    for (let j = 0; j < Yadj.length; j++) Yadj[j] = Yadj[j]! - bk * xk[j]!;
  }
  const estimate = sdidTau({ ...p, Y: Yadj }, omega, lambda);
  const betaOrig = Float64Array.from(beta, (b, k) => b / scale[k]!);
  return { estimate, omega, lambda, beta: betaOrig, iterations: t, value: cur };
}
