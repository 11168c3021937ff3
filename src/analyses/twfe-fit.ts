/**
 * The TWFE fit the study blocks and the mechanism analyses share, on a DID panel: y ~ x | unit + time
 * (optionally unit-specific trends, or PPML), HDFE OLS from src/estimators/feols.ts with the
 * cluster-robust VCOV of src/inference/vcov.ts (fixest defaults), clustered by the panel's cluster.
 * Rows with a missing value in y or any regressor are dropped and counted (`dropped.missing`), as fixest.
 */
import { qt, twoSidedT } from "../core/distributions.js";
import { inputError } from "../core/errors.js";
import { makeResult, vcovMatrixBlock, type EstimateRow, type HeadlineSpec, type KeytechResult } from "../core/result.js";
import { quantile7 } from "../core/stats.js";
import type { DidPanel } from "../data/panel.js";
import { feols, type FixedEffectInput } from "../estimators/feols.js";
import { fepois } from "../estimators/fepois.js";
import { fepoisVcov, zTable } from "../inference/fepois-vcov.js";
import { computeVcov } from "../inference/vcov.js";
import { fitBlock, vcovBlock } from "./result-parts.js";

/** The study's model as the analyses on a DID panel take it: outcome, treatment regressor and controls. */
export interface PanelModel {
  outcome: string;
  /** the D regressor (default treat_post) */
  treat?: string;
  controls: string[];
}

/** A numeric column of the panel, or an input error naming it. */
export function panelColumn(d: DidPanel, name: string): Float64Array {
  const v = d.num[name];
  if (!v) throw inputError(`column '${name}' is not a numeric column of the panel`, { column: name });
  return v;
}

export interface TwfeSpec {
  y: Float64Array;
  yName: string;
  x: { name: string; values: Float64Array }[];
  /** further used variables: rows where one is missing are dropped and counted, as for y and x (fixest) */
  used?: Float64Array[];
  /** rows to use (1 = keep); default all */
  mask?: Uint8Array;
  /** unit-specific linear time trends */
  unitTrends?: boolean;
  /** fixed effects: default unit + time */
  fe?: ("unit" | "time")[];
  command: string;
  options?: Record<string, unknown>;
  /** "poisson": PPML with the same fixed effects and clusters (fixest fepois; z inference) */
  family?: "gaussian" | "poisson";
  /** the overall effect (default: treat_post, left out when not estimated; null: none) */
  headline?: HeadlineSpec | null;
}

/** The overall effect of the study's TWFE models: the Treat × Post coefficient. */
const TREAT_POST_HEADLINE: HeadlineSpec = { term: "treat_post", label: "the treat_post coefficient" };

function recode(codes: Int32Array, rows: Int32Array): { codes: Int32Array; nLevels: number } {
  const map = new Map<number, number>();
  const out = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const c = codes[rows[k]!]!;
    let v = map.get(c);
    if (v === undefined) map.set(c, (v = map.size));
    out[k] = v;
  }
  return { codes: out, nLevels: map.size };
}

/**
 * y ~ x | unit + time (optionally unit-specific trends), cluster by the spec's cluster column.
 * SE: fixest's cluster-robust VCOV (small-sample corrections, t(G−1)); CI = b ± t_{0.975,df}·se.
 */
export function fitTwfe(d: DidPanel, s: TwfeSpec): KeytechResult {
  const rowsArr: number[] = [];
  let missing = 0;
  for (let i = 0; i < d.n; i++) {
    if (s.mask && !s.mask[i]) continue;
    let ok = Number.isFinite(s.y[i]!);
    for (const x of s.x) if (!Number.isFinite(x.values[i]!)) ok = false;
    for (const u of s.used ?? []) if (!Number.isFinite(u[i]!)) ok = false;
    if (ok) rowsArr.push(i);
    else missing++;
  }
  const rows = Int32Array.from(rowsArr);
  const take = (v: Float64Array) => Float64Array.from(rows, (i) => v[i]!);
  const fes: FixedEffectInput[] = [];
  const feList = s.fe ?? ["unit", "time"];
  if (feList.includes("unit")) {
    const u = recode(d.unit.codes, rows);
    const fe: FixedEffectInput = { name: d.unitName, codes: u.codes, nLevels: u.nLevels };
    if (s.unitTrends) {
      const t0 = d.times[0]!;
      fe.slopes = [{ name: d.timeName, values: Float64Array.from(rows, (i) => d.time[i]! - t0) }];
    }
    fes.push(fe);
  }
  if (feList.includes("time")) {
    const t = recode(d.timeCodes, rows);
    fes.push({ name: d.timeName, codes: t.codes, nLevels: t.nLevels });
  }
  if (s.family === "poisson") return fitPoissonRows(d, s, rows, fes, missing, feList);
  const fit = feols({ y: take(s.y), yName: s.yName, x: s.x.map((x) => ({ name: x.name, values: take(x.values) })), fixedEffects: fes });
  const cl = recode(d.cluster.codes, rows);
  const keepRows = fit.keep ? Int32Array.from(fit.keep, (k) => k) : null;
  const clCodes = keepRows ? recode(cl.codes, keepRows) : cl;
  const vc = computeVcov(fit, { type: "cluster", clusters: [{ name: d.cluster.name, codes: clCodes.codes, nLevels: clCodes.nLevels }] });
  const crit = qt(0.975, vc.df);
  const k = fit.coefNames.length;
  const estimates: EstimateRow[] = fit.coefNames.map((term, j) => {
    const b = fit.coef[j]!;
    const se = Math.sqrt(vc.V.data[j * k + j]!);
    const t = b / se;
    return { term, estimate: b, std_error: se, statistic: t, p_value: twoSidedT(t, vc.df), conf_low: b - crit * se, conf_high: b + crit * se };
  });
  return makeResult({
    headline: s.headline === undefined ? TREAT_POST_HEADLINE : s.headline,
    command: s.command,
    estimates,
    nobs: fit.nobs,
    fit: fitBlock(fit),
    vcov: vcovBlock(vc),
    dropped: { singletons: fit.singletonsRemoved, missing, collinear: fit.droppedCollinear },
    provenance: {
      seed: null,
      inputs: d.inputs,
      options: { y: s.yName, x: s.x.map((x) => x.name), fe: feList, unit_trends: !!s.unitTrends, cluster: d.cluster.name, ...(s.options ?? {}) },
    },
    vcov_matrix: vcovMatrixBlock(fit.coefNames, vc.V),
  });
}

/** The Poisson (PPML) version of fitTwfe on the chosen rows: fixest fepois, clustered VCOV, z tests. */
function fitPoissonRows(d: DidPanel, s: TwfeSpec, rows: Int32Array, fes: FixedEffectInput[], missing: number, feList: string[]): KeytechResult {
  const take = (v: Float64Array) => Float64Array.from(rows, (i) => v[i]!);
  const y = take(s.y);
  for (let k = 0; k < y.length; k++)
    if (y[k]! < 0) throw inputError(`the Poisson model needs a non-negative outcome; ${s.yName} is ${y[k]} here`, { file: d.file, column: s.yName });
  const fit = fepois({ y, yName: s.yName, x: s.x.map((x) => ({ name: x.name, values: take(x.values) })), fixedEffects: fes });
  const cl = recode(d.cluster.codes, rows);
  const clCodes = fit.keep ? recode(cl.codes, fit.keep) : cl;
  const vc = fepoisVcov(fit, { type: "cluster", clusters: [{ name: d.cluster.name, codes: clCodes.codes, nLevels: clCodes.nLevels }] });
  const warnings: string[] = [];
  if (fit.feAllZeroRemoved)
    warnings.push(
      `${fit.feAllZeroRemoved} observations in fixed-effect levels with only zero outcomes removed (${Object.entries(fit.feLevelsRemoved)
        .filter(([, v]) => v > 0)
        .map(([k, v]) => `${v} ${k}`)
        .join(", ")}), as fixest's fepois does`,
    );
  if (!fit.converged) warnings.push(`IRLS did not converge in ${fit.iterations} iterations`);
  return makeResult({
    headline: s.headline === undefined ? TREAT_POST_HEADLINE : s.headline,
    command: "fepois",
    estimates: zTable(fit, vc),
    nobs: fit.nobs,
    fit: { r2: null, adj_r2: null, within_r2: null, pseudo_r2: fit.pseudoR2, deviance: fit.deviance, loglik: fit.loglik, iterations: fit.iterations },
    vcov: { type: vc.type, ...(vc.clusters ? { clusters: vc.clusters } : {}), small_sample: vc.smallSample, df: null, distribution: "normal" },
    dropped: { singletons: 0, missing, collinear: fit.droppedCollinear, fe_all_zero: fit.feAllZeroRemoved },
    provenance: {
      seed: null,
      inputs: d.inputs,
      options: { y: s.yName, x: s.x.map((x) => x.name), fe: feList, family: "poisson", cluster: d.cluster.name, ...(s.options ?? {}) },
    },
    ...(warnings.length ? { warnings } : {}),
  });
}

/** Unit-level split at the median of the unit mean of a column: 1 = above median. */
export function medianSplit(d: DidPanel, v: Float64Array): Uint8Array {
  const sum = new Float64Array(d.unit.nLevels),
    cnt = new Float64Array(d.unit.nLevels);
  for (let i = 0; i < d.n; i++)
    if (Number.isFinite(v[i]!)) {
      sum[d.unit.codes[i]!]! += v[i]!;
      cnt[d.unit.codes[i]!]! += 1;
    }
  const means = Array.from(sum, (s, u) => s / cnt[u]!);
  const med = quantile7(means.filter(Number.isFinite), 0.5);
  return Uint8Array.from(d.unit.codes, (u) => (means[u]! > med ? 1 : 0));
}
