/**
 * `did ddd` analysis: triple difference with a second treated group (METHODS.md §4.6) — β (`treat_post` =
 * D·Digital, the net effect of the digital pilot), γ (`pilot_post`, any pilot × post) and β + γ
 * (`digital_total`, the digital pilots' total effect), SEs clustered by unit (or `--cluster`) with fixest's
 * small-sample corrections. The same terms as the study's robustness-7 block.
 */
import { makeResult, type KeytechResult } from "../core/result.js";
import { estimationError } from "../core/errors.js";
import { dddFit } from "../estimators/ddd.js";
import { coefTable, computeVcov } from "../inference/vcov.js";
import type { LoadedStaggered } from "./imputation.js";
import { linearCombination } from "./stacked.js";
import { fitBlock, vcovBlock } from "./result-parts.js";

export function dddAnalysis(d: LoadedStaggered, group2: string, o: { level?: number } = {}): KeytechResult {
  const inp = d.input;
  const level = o.level ?? 0.95;
  const g2 = d.extra[group2];
  if (!g2) throw new Error(`internal: column ${group2} was not loaded`);
  let nd = 0,
    n2 = 0;
  for (let i = 0; i < inp.y.length; i++) {
    if (inp.cohort[i]! > 0) nd++;
    if (g2[i]! > 0) n2++;
  }
  if (nd === 0) throw estimationError(`no row has a positive cohort in '${d.columns.cohort}': the digital group is empty`);
  if (n2 === 0) throw estimationError(`no row has a positive cohort in '${group2}': the second treated group is empty`);
  const fit = dddFit(inp, g2);
  for (const t of ["treat_post", "pilot_post"])
    if (!fit.coefNames.includes(t))
      throw estimationError(
        `the term ${t} is collinear with the fixed effects (or the other term): the two groups' timing does not identify the triple difference`,
      );
  const vc = computeVcov(fit, { type: "cluster", clusters: [inp.cluster] });
  const estimates = coefTable(fit, vc, level);
  const k = fit.coef.length;
  estimates.splice(
    2,
    0,
    linearCombination(
      "digital_total",
      fit.coef,
      vc.V.data,
      k,
      new Map([
        [0, 1],
        [1, 1],
      ]),
      vc.df,
      level,
    ),
  );
  return makeResult({
    command: "did ddd",
    headline: { term: "treat_post", label: "the treated group's extra effect (Program × Post × Treated group)" },
    estimates,
    nobs: fit.nobs,
    fit: fitBlock(fit),
    vcov: vcovBlock(vc),
    dropped: { singletons: fit.singletonsRemoved, missing: d.missing, collinear: fit.droppedCollinear },
    provenance: {
      seed: null,
      inputs: d.inputs,
      options: {
        y: d.columns.y,
        unit: d.columns.unit,
        time: d.columns.time,
        cohort: d.columns.cohort,
        group2,
        x: d.columns.x ?? [],
        cluster: inp.cluster.name,
        level,
      },
    },
  });
}
