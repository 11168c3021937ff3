/**
 * `did imputation` with the covariance of its estimates (att, rel::e): the BJS result plus `vcov_matrix`
 * from a fit that keeps the implied weights. Moved out of the CLI, which ran the second fit itself.
 */
import type { KeytechResult } from "../core/result.js";
import { imputationFit } from "../estimators/imputation.js";
import { imputationVcovMatrix } from "../inference/imputation-vcov.js";
import { imputationAnalysis, type ImputationAnalysisOptions, type LoadedStaggered } from "./imputation.js";

export function imputationAnalysisWithVcov(d: LoadedStaggered, o: ImputationAnalysisOptions = {}): KeytechResult {
  const res = imputationAnalysis(d, o);
  res.vcov_matrix = imputationVcovMatrix(imputationFit(d.input, { horizons: o.horizons ?? null, keepWeights: true }), d.input);
  return res;
}
