/**
 * Variance of a Poisson fixed-effects fit (fepois) with fixest 0.14's conventions for GLMs: the "bread" is
 * the inverse Fisher information B = (X̃'WX̃)⁻¹ of the last IRLS step (W = ω·μ, X̃ the W-demeaned regressors;
 * dispersion fixed at 1), the scores are s_i = w_i r̃_i x̃_i (r̃ the working residuals), and the same ssc()
 * small-sample factors as feols (METHODS.md §5.2) multiply the result:
 * - iid: V = B·(n−1)/(n−K)  (K.fixef = "full": K = nparams);
 * - hetero: V = B(Σ s_i s_i')B · n/(n−1) · (n−1)/(n−K);
 * - cluster (one or more ways): V = B·M·B · G_min/(G_min−1) · (n−1)/(n−K), M the inclusion–exclusion sum of
 *   cluster meats, K with FEs nested in a cluster dimension not counted (K.fixef = "nested").
 * Inference uses the normal distribution (z statistics), as fixest does for the Poisson family.
 */
import type { EstimateRow } from "../core/result.js";
import { mat } from "../core/linalg.js";
import { pnorm, qnorm } from "../core/distributions.js";
import type { FeolsFit } from "../estimators/feols.js";
import type { FepoisFit } from "../estimators/fepois.js";
import { computeVcov, dofK, type SscOptions, type VcovResult, type VcovSpec } from "./vcov.js";

/**
 * The fit as the feols variance code sees it: the last weighted regression with the fepois rows (keep, for
 * mapping cluster codes) and fixed effects.
 */
function asFeols(fit: FepoisFit): FeolsFit {
  return { ...fit.wls, keep: fit.keep, nobs: fit.nobs, fixedEffects: fit.fixedEffects, nparams: fit.nparams };
}

/** VCOV of a fepois fit (see the file comment); `df` is Infinity (normal inference). */
export function fepoisVcov(fit: FepoisFit, spec: VcovSpec, ssc: SscOptions = {}): VcovResult {
  const view = asFeols(fit);
  if (spec.type === "iid") {
    const kAdj = ssc.kAdj ?? true,
      kFixef = ssc.kFixef ?? "nested";
    const K = dofK(view, kFixef, null);
    const n = fit.nobs,
      k = fit.coef.length;
    const cK = kAdj ? (n - 1) / (n - K) : 1;
    const V = mat(k, k);
    for (let i = 0; i < k * k; i++) V.data[i] = fit.bread.data[i]! * cK;
    return {
      V,
      df: Infinity,
      type: "iid",
      smallSample: `inverse information * (n-1)/(n-K), K=${K}; dispersion 1 (Poisson); K.adj=${kAdj}, K.fixef=${kFixef}`,
    };
  }
  const vc = computeVcov(view, spec, ssc);
  return { ...vc, df: Infinity, smallSample: vc.smallSample + "; scores w*r*x (IRLS weights, working residuals); z tests" };
}

/** Coefficient table with z = β/se, p = 2Φ(−|z|), CI β ± Φ⁻¹(1 − (1 − level)/2)·se (fixest's Pr(>|z|)). */
export function zTable(fit: FepoisFit, vc: VcovResult, level = 0.95): EstimateRow[] {
  const k = fit.coef.length;
  const q = qnorm(1 - (1 - level) / 2);
  return fit.coefNames.map((term, j) => {
    const b = fit.coef[j]!;
    const se = Math.sqrt(vc.V.data[j * k + j]!);
    const z = b / se;
    return { term, estimate: b, std_error: se, statistic: z, p_value: 2 * pnorm(-Math.abs(z)), conf_low: b - q * se, conf_high: b + q * se };
  });
}
