/** Pieces of the CONTRACT result JSON shared by every regression-based analysis. */
import type { KeytechResult, VcovInfo } from "../core/result.js";
import type { FeolsFit } from "../estimators/feols.js";
import type { VcovResult } from "../inference/vcov.js";

/** The `fit` block: R², adjusted R², within R². */
export function fitBlock(fit: FeolsFit): NonNullable<KeytechResult["fit"]> {
  return { r2: fit.r2, adj_r2: fit.adjR2, within_r2: fit.withinR2 };
}

/** The `vcov` block: type, cluster sizes (when clustered), the small-sample rule and the t degrees of freedom. */
export function vcovBlock(vc: VcovResult): VcovInfo {
  return { type: vc.type, ...(vc.clusters ? { clusters: vc.clusters } : {}), small_sample: vc.smallSample, df: vc.df };
}
