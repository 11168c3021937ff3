/**
 * `did cs` with the covariance of its dynamic aggregation: the Callaway–Sant'Anna result plus
 * `vcov_matrix` over the `rel::e` rows (analytic, from the influence functions), which `did honest` reads.
 * Moved out of the CLI (it computed the covariance after the analysis).
 */
import type { KeytechResult } from "../core/result.js";
import type { LongPanelInput } from "../estimators/cs/cs-panel.js";
import { csDynamicVcov } from "../inference/cs-aggregate.js";
import { csCompute, type CsAnalysisOptions } from "./cs.js";

export function csAnalysisWithVcov(input: LongPanelInput, opts: CsAnalysisOptions): KeytechResult {
  const comp = csCompute(input, opts);
  const res = comp.result;
  res.vcov_matrix = csDynamicVcov(comp.fit, comp.gram, {
    minE: opts.minE,
    maxE: opts.maxE,
    balanceE: opts.balanceE ?? null,
    naRm: true,
    didGroupWif: opts.didGroupWif ?? true,
  });
  return res;
}
