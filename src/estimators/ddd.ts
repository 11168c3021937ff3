/**
 * Triple difference for staggered pilots with a second treated group (seed robustness 7, METHODS.md §4.6):
 *   Y_it = β·D_it·Digital_i + γ·D_it + X'θ + α_i + λ_t + ε,
 * D_it = "pilot × post" for every pilot (digital, cohort G, or the second group, cohort G2: D = 1 once
 * t ≥ G or t ≥ G2), Digital_i = 1[G_i > 0]; the term D·Digital is 1[G_i > 0, t ≥ G_i] (a unit in both
 * groups gets D from its first pilot date and D·Digital from G). The two-way interactions are absorbed:
 * pilot × Digital by the unit FE, pilot × post is D. β (term `treat_post`: D·Digital is the digital
 * pilots' own treat_post, as in `did twfe`) is the net effect of the digital pilot over a pilot in
 * general; γ (`pilot_post`, D) the effect of being a (non-digital) pilot.
 */
import { feols, type FeolsFit } from "./feols.js";
import { timeCodes, type StaggeredInput } from "./imputation.js";

export interface DddRegressors {
  /** D·Digital (term treat_post) */
  ddd: Float64Array;
  /** D: any pilot, post (term pilot_post) */
  treatPost: Float64Array;
}

/** Build D·Digital and D from the two cohort columns (0 = not a pilot of that kind). */
export function dddRegressors(time: Float64Array, cohort: Float64Array, cohort2: Float64Array): DddRegressors {
  const n = time.length;
  const ddd = new Float64Array(n),
    treatPost = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = time[i]!,
      g = cohort[i]!,
      g2 = cohort2[i]!;
    const d1 = g > 0 && t >= g,
      d2 = g2 > 0 && t >= g2;
    ddd[i] = d1 ? 1 : 0;
    treatPost[i] = d1 || d2 ? 1 : 0;
  }
  return { ddd, treatPost };
}

/** Fit the triple-difference regression (unit + period FEs) by feols. */
export function dddFit(input: StaggeredInput, cohort2: Float64Array): FeolsFit {
  const r = dddRegressors(input.time, input.cohort, cohort2);
  const tc = timeCodes(input.time);
  return feols({
    y: input.y,
    yName: input.yName ?? "y",
    x: [{ name: "treat_post", values: r.ddd }, { name: "pilot_post", values: r.treatPost }, ...(input.x ?? [])],
    fixedEffects: [
      { name: "unit", codes: input.unit, nLevels: input.nUnits },
      { name: "time", codes: tc.codes, nLevels: tc.levels.length },
    ],
  });
}
