/**
 * Covariance of the imputation estimates (`vcov_matrix` of `did imputation`), the cross-moment of BJS's
 * conservative variance: with S^a_g = Σ_{it∈g} v^a_it ε̃^a_it the cluster sums of estimate a (implied
 * weights v^a, residuals recentred with estimate a's own τ̄^a_{cohort, e}, as `imputationFit`),
 * Cov(a, b) = Σ_g S^a_g S^b_g, so the diagonal is the reported SE².
 */
import type { ImputationFit, StaggeredInput } from "../estimators/imputation.js";
import type { VcovMatrixBlock } from "./cs-aggregate.js";

/** Needs a fit made with `keepWeights: true`. */
export function imputationVcovMatrix(fit: ImputationFit, input: StaggeredInput): VcovMatrixBlock {
  if (!fit.weights) throw new Error("imputationVcovMatrix needs imputationFit(…, { keepWeights: true })");
  const clu = input.cluster ?? { name: "unit", codes: input.unit, nLevels: input.nUnits };
  const n0 = fit.untreatedRows.length,
    n1 = fit.treatedRows.length;
  const cellOf = new Int32Array(n1);
  const keys = new Map<string, number>();
  for (let b = 0; b < n1; b++) {
    const i = fit.treatedRows[b]!;
    const key = `${input.cohort[i]!}|${input.time[i]! - input.cohort[i]!}`;
    let c = keys.get(key);
    if (c === undefined) keys.set(key, (c = keys.size));
    cellOf[b] = c;
  }
  const S = fit.weights.map((v) => {
    const num = new Float64Array(keys.size),
      den = new Float64Array(keys.size);
    for (let b = 0; b < n1; b++) {
      const w = v[n0 + b]!;
      num[cellOf[b]!]! += w * w * fit.tau[b]!;
      den[cellOf[b]!]! += w * w;
    }
    const s = new Float64Array(clu.nLevels);
    for (let a = 0; a < n0; a++) s[clu.codes[fit.untreatedRows[a]!]!]! += v[a]! * fit.residuals[a]!;
    for (let b = 0; b < n1; b++) {
      const c = cellOf[b]!;
      const tbar = den[c]! > 0 ? num[c]! / den[c]! : 0;
      s[clu.codes[fit.treatedRows[b]!]!]! += v[n0 + b]! * (fit.tau[b]! - tbar);
    }
    return s;
  });
  const matrix = S.map((a) =>
    S.map((b) => {
      let t = 0;
      for (let g = 0; g < a.length; g++) t += a[g]! * b[g]!;
      return t;
    }),
  );
  return { terms: fit.estimates.map((e) => e.term), matrix };
}
