/**
 * The `vcov` block of results whose inference is not a variance: randomisation (placebo pilots,
 * permutations), so that every result says in `vcov.type` which standard errors it carries.
 */
import type { KeytechResult } from "../core/result.js";

/** Mark `res` (no standard errors; p-values from `draws` re-draws) unless it already names its variance. */
export function withRandomisationInference(res: KeytechResult, what: string, draws: number): KeytechResult {
  if (!res.vcov) res.vcov = { type: "none", inference: `randomisation: ${draws} ${what}`, replications: draws };
  return res;
}
