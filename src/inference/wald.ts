/**
 * Joint Wald test of H0: β_j = 0 for the named terms (fixest `wald()`):
 * W = β_S' V_SS⁻¹ β_S; F form stat = W/q with p from F(q, df2), df2 = the VCOV's t degrees of freedom
 * (G_min − 1 when clustered with t.df = "min", else n − K); χ² form p from χ²(q).
 */
import type { FeolsFit } from "../estimators/feols.js";
import type { VcovResult } from "./vcov.js";
import { invSPD, subMatrix } from "../core/linalg.js";
import { pchisq, pf } from "../core/distributions.js";
import { usageError } from "../core/errors.js";

export interface WaldResult {
  terms: string[];
  /** F statistic W/q */
  stat: number;
  df1: number;
  df2: number;
  p_value: number;
  /** χ² statistic W and its p-value */
  chi2: number;
  chi2_p_value: number;
}

export function waldTest(fit: FeolsFit, vc: VcovResult, terms: string[]): WaldResult {
  const idx = terms.map((t) => {
    const j = fit.coefNames.indexOf(t);
    if (j < 0) throw usageError(`Wald test: term "${t}" is not an estimated coefficient (have: ${fit.coefNames.join(", ")})`);
    return j;
  });
  const q = idx.length;
  if (q === 0) throw usageError("Wald test needs at least one term");
  const Vi = invSPD(subMatrix(vc.V, idx, idx));
  let W = 0;
  for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) W += fit.coef[idx[a]!]! * Vi.data[a * q + b]! * fit.coef[idx[b]!]!;
  const stat = W / q;
  return { terms, stat, df1: q, df2: vc.df, p_value: 1 - pf(stat, q, vc.df), chi2: W, chi2_p_value: 1 - pchisq(W, q) };
}
