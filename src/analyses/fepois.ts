/**
 * Poisson PPML with fixed effects (fixest `fepois`): read, listwise deletion, transforms, fit, variance and
 * the CONTRACT result. Moved out of the CLI (src/cli/commands/fepois.ts) so that the command only parses
 * flags; it uses the shared helpers of the model-input module.
 */
import { inputError, usageError } from "../core/errors.js";
import { makeResult, type KeytechResult } from "../core/result.js";
import { fileRow, getColumn, numeric, selectRows } from "../data/table.js";
import { parseExpression, parseFormula } from "../formula/parse.js";
import { fixedEffectLabel, termLabel } from "../formula/ast.js";
import { buildDesign, evalExpr } from "../formula/design.js";
import { fepois } from "../estimators/fepois.js";
import { fepoisVcov, zTable } from "../inference/fepois-vcov.js";
import type { SscOptions, VcovSpec } from "../inference/vcov.js";
import { checkWeights, formulaSample, vcovSpec, type RegressionOptions } from "./model-input.js";

export interface FepoisAnalysisOptions {
  data: string;
  formula: string;
  /** expression added to the linear predictor with coefficient 1, e.g. "log(population)" (fixest `offset = ~log(population)`) */
  offset?: string;
  vcov?: "iid" | "hc1" | "cluster";
  cluster?: string[];
  weights?: string;
  level?: number;
  /** also remove singletons (fixest fixef.rm = "both"); default: only all-zero FE groups ("perfect") */
  dropSingletons?: boolean;
  ssc?: SscOptions;
  /** IRLS deviance tolerance (default 1e-8, fixest glm.tol) */
  glmTol?: number;
}

/**
 * Read, clean and fit a Poisson FE model; the CONTRACT result. Rows with a missing value in a used column are
 * dropped (dropped.missing); rows where a transform (log(x), I(a / b), the offset …) is not finite are dropped
 * and counted as missing too, by term in dropped.missing_by_column (fixest: "observations removed because of NA
 * and infinite values"); negative outcomes are refused naming the file row; observations of FE groups whose
 * outcomes are all zero are removed and counted in dropped.fe_all_zero (levels per FE in dropped.fe_levels_removed).
 */
export async function fepoisAnalysis(o: FepoisAnalysisOptions): Promise<KeytechResult> {
  const f = parseFormula(o.formula);
  if (f.fixedEffects.some((fe) => fe.slopes.length))
    throw usageError("fepois does not support varying slopes fe[x] (yet); use plain fixed effects or combine them with '^'");
  const off = o.offset !== undefined ? parseExpression(o.offset) : null;
  const sample = await formulaSample(o.data, f, o, off ? [off] : []);
  const { hash, log, warnings } = sample;
  let t = sample.t;
  if (t.nrows === 0) throw inputError("no rows left after dropping missing and non-finite values", { file: o.data });
  const y = numeric(t, f.lhs);
  for (let i = 0; i < y.length; i++)
    if (y[i]! < 0)
      throw inputError(`the Poisson outcome must be zero or positive, found ${y[i]}`, { file: o.data, row: fileRow(t, i), column: getColumn(t, f.lhs).source });
  let weights = o.weights ? checkWeights(t, o.weights) : undefined;
  if (weights) {
    // fixest removes observations with a zero weight before estimation ("removed because of 0-weight")
    let z = 0;
    for (let i = 0; i < weights.length; i++) if (weights[i] === 0) z++;
    if (z) {
      const keep = new Int32Array(weights.length - z);
      for (let i = 0, m = 0; i < weights.length; i++) if (weights[i] !== 0) keep[m++] = i;
      t = selectRows(t, keep);
      weights = checkWeights(t, o.weights!);
      log.zero_weight = z;
      warnings.push(`${z} observation${z === 1 ? "" : "s"} removed because of 0-weight`);
      if (t.nrows === 0) throw inputError("every observation has weight 0", { file: o.data, column: o.weights });
    }
  }
  const design = buildDesign(f, t, weights ? { weights } : {});
  if (design.intercept === false) throw usageError("fepois without fixed effects always has an intercept; drop '- 1' / '+ 0'");
  const regOpts: RegressionOptions = {};
  if (o.vcov) regOpts.vcov = o.vcov;
  if (o.cluster) regOpts.cluster = o.cluster;
  // fixest: vcov = "cluster" without a cluster variable clusters by the first fixed effect (a^b included)
  const fe0 = design.fixedEffects[0];
  const spec: VcovSpec =
    o.vcov === "cluster" && !o.cluster?.length && fe0
      ? { type: "cluster", clusters: [{ name: fe0.name, codes: fe0.codes, nLevels: fe0.nLevels }] }
      : vcovSpec(t, regOpts, null);
  const fit = fepois({
    y: design.y,
    yName: design.yName,
    x: design.x,
    fixedEffects: design.fixedEffects,
    ...(weights ? { weights } : {}),
    ...(off ? { offset: evalExpr(off.expr, t) } : {}),
    removeSingletons: !!o.dropSingletons,
    ...(o.glmTol !== undefined ? { glmTol: o.glmTol } : {}),
  });
  if (fit.coef.length === 0)
    throw inputError(`every regressor was dropped as collinear with the fixed effects (${fit.droppedCollinear.join(", ")}); nothing to estimate`);
  const vc = fepoisVcov(fit, spec, o.ssc ?? {});
  const rows = zTable(fit, vc, o.level ?? 0.95);
  if (!fit.converged) warnings.push(`IRLS did not converge in ${fit.iterations} iterations (final deviance ${fit.deviance}); estimates may be inaccurate`);
  if (fit.droppedCollinear.length) warnings.push(`dropped as collinear: ${fit.droppedCollinear.join(", ")}`);
  if (fit.feAllZeroRemoved)
    warnings.push(
      `${Object.entries(fit.feLevelsRemoved)
        .filter(([, v]) => v > 0)
        .map(([k, v]) => `${v} ${k}`)
        .join(", ")} fixed-effect level(s) (${fit.feAllZeroRemoved} observations) removed because of only 0 outcomes`,
    );
  const { missing, missingByColumn, ...rest } = log;
  const options: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && k !== "data") options[k] = v;
  const result: KeytechResult = makeResult({
    command: "fepois",
    headline: rows[0] ? { term: rows[0].term, label: "the first regressor" } : null,
    estimates: rows,
    nobs: fit.nobs,
    fit: {
      r2: null,
      adj_r2: null,
      within_r2: null,
      deviance: fit.deviance,
      loglik: fit.loglik,
      ll_null: fit.llNull,
      pseudo_r2: fit.pseudoR2,
      adj_pseudo_r2: fit.adjPseudoR2,
      sq_cor: fit.sqCor,
      aic: fit.aic,
      bic: fit.bic,
      iterations: fit.iterations,
      converged: fit.converged,
      nparams: fit.nparams,
    },
    vcov: { type: vc.type, ...(vc.clusters ? { clusters: vc.clusters } : {}), small_sample: vc.smallSample, df: null, distribution: "normal" },
    dropped: {
      singletons: fit.singletonsRemoved,
      missing,
      collinear: fit.droppedCollinear,
      fe_all_zero: fit.feAllZeroRemoved,
      fe_levels_removed: fit.feLevelsRemoved,
      ...(Object.keys(missingByColumn).length ? { missing_by_column: missingByColumn } : {}),
      ...rest,
    },
    provenance: { seed: null, inputs: { [o.data]: await hash }, options },
    model: {
      family: "poisson",
      link: "log",
      depvar: f.lhs,
      formula: o.formula,
      offset: off ? off.label : null,
      fixed_effects: f.fixedEffects.map(fixedEffectLabel),
      fixef_sizes: Object.fromEntries(fit.fixedEffects.map((fe) => [fe.name, fe.nLevels])),
      controls: f.terms.map(termLabel),
    },
  });
  if (warnings.length) result.warnings = warnings;
  return result;
}
