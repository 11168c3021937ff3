/**
 * Shared helpers for blocks: the TWFE fit used by most blocks (HDFE OLS from src/estimators/feols.ts with
 * the cluster-robust VCOV of src/inference/vcov.ts, fixest defaults), loading optional analyses, and small
 * data transforms (winsorising, leads, principal components).
 */
import * as feolsModule from "../../estimators/feols.js";
import * as vcovModule from "../../inference/vcov.js";
import type { FeolsFit, FeolsInput, FixedEffectInput } from "../../estimators/feols.js";
import type { VcovResult, VcovSpec } from "../../inference/vcov.js";
import { qt, twoSidedT } from "../../core/distributions.js";
import { inputError } from "../../core/errors.js";
import { fepois } from "../../estimators/fepois.js";
import { fepoisVcov, zTable } from "../../inference/fepois-vcov.js";
import { makeResult, vcovMatrixBlock, type EstimateRow, type HeadlineSpec, type KeytechResult } from "../../core/result.js";
import { symEigen, mat } from "../../core/linalg.js";
import { quantile7 } from "../../core/stats.js";
import { notAvailable, type BlockContext } from "./types.js";
import type { StudyData } from "./data.js";
import { fitBlock, vcovBlock } from "../analyses/result-parts.js";

type FeolsFn = (input: FeolsInput) => FeolsFit;
type VcovFn = (fit: FeolsFit, spec: VcovSpec) => VcovResult;

/** The HDFE OLS and VCOV functions if they are on this build, else "not available". */
export function hdfe(): { feols: FeolsFn; computeVcov: VcovFn } {
  const feols = (feolsModule as unknown as Record<string, unknown>).feols;
  const computeVcov = (vcovModule as unknown as Record<string, unknown>).computeVcov;
  if (typeof feols !== "function") notAvailable("the HDFE regression feols() (src/estimators/feols.ts) is not on this build yet");
  if (typeof computeVcov !== "function") notAvailable("computeVcov() (src/inference/vcov.ts) is not on this build yet");
  return { feols: feols as FeolsFn, computeVcov: computeVcov as VcovFn };
}

/** Load src/study/analyses/<name>.js, or throw "not available" naming the missing file. */
export async function analysis<T = Record<string, unknown>>(name: string): Promise<T> {
  const path = `../analyses/${name}.js`;
  try {
    return (await import(path)) as T;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" && String((e as Error).message).includes(`analyses/${name}.js`)) {
      notAvailable(`the analysis src/study/analyses/${name}.ts is not on this build yet`);
    }
    throw e;
  }
}

/** A function exported by an analysis module, or "not available". */
export function exported<F>(mod: Record<string, unknown>, fn: string, file: string): F {
  const f = mod[fn];
  if (typeof f !== "function") notAvailable(`src/study/analyses/${file}.ts does not export ${fn}() yet`);
  return f as F;
}

/** The overall effect of the study's TWFE models: the Treat × Post coefficient. */
const TREAT_POST_HEADLINE: HeadlineSpec = { term: "treat_post", label: "the treat_post coefficient" };

export interface TwfeSpec {
  y: Float64Array;
  yName: string;
  x: { name: string; values: Float64Array }[];
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
export function fitTwfe(ctx: BlockContext, s: TwfeSpec): KeytechResult {
  const { feols, computeVcov } = hdfe();
  const d = ctx.data;
  const rowsArr: number[] = [];
  let missing = 0;
  for (let i = 0; i < d.n; i++) {
    if (s.mask && !s.mask[i]) continue;
    let ok = Number.isFinite(s.y[i]!);
    for (const x of s.x) if (!Number.isFinite(x.values[i]!)) ok = false;
    if (ok) rowsArr.push(i);
    else missing++;
  }
  const rows = Int32Array.from(rowsArr);
  const take = (v: Float64Array) => Float64Array.from(rows, (i) => v[i]!);
  const fes: FixedEffectInput[] = [];
  const feList = s.fe ?? ["unit", "time"];
  if (feList.includes("unit")) {
    const u = recode(d.unitCodes, rows);
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
  if (s.family === "poisson") return fitPoissonRows(ctx, s, rows, fes, missing, feList);
  const fit = feols({ y: take(s.y), yName: s.yName, x: s.x.map((x) => ({ name: x.name, values: take(x.values) })), fixedEffects: fes });
  const cl = recode(d.clusterCodes, rows);
  const keepRows = fit.keep ? Int32Array.from(fit.keep, (k) => k) : null;
  const clCodes = keepRows ? recode(cl.codes, keepRows) : cl;
  const vc = computeVcov(fit, { type: "cluster", clusters: [{ name: ctx.spec.model.cluster, codes: clCodes.codes, nLevels: clCodes.nLevels }] });
  const crit = qt(0.975, vc.df);
  const k = fit.coefNames.length;
  const estimates: EstimateRow[] = fit.coefNames.map((term, j) => {
    const b = fit.coef[j]!;
    const se = Math.sqrt(vc.V.data[j * k + j]!);
    const t = b / se;
    return { term, estimate: b, std_error: se, statistic: t, p_value: twoSidedT(t, vc.df), conf_low: b - crit * se, conf_high: b + crit * se };
  });
  return makeResult({
    command: s.command,
    headline: s.headline === undefined ? TREAT_POST_HEADLINE : s.headline,
    estimates,
    nobs: fit.nobs,
    fit: fitBlock(fit),
    vcov: vcovBlock(vc),
    dropped: { singletons: fit.singletonsRemoved, missing, collinear: fit.droppedCollinear },
    provenance: { seed: null, inputs: ctx.data.inputHashes, options: { y: s.yName, x: s.x.map((x) => x.name), fe: feList, unit_trends: !!s.unitTrends, cluster: ctx.spec.model.cluster, ...(s.options ?? {}) } },
    vcov_matrix: vcovMatrixBlock(fit.coefNames, vc.V),
  });
}

/** The Poisson (PPML) version of fitTwfe on the chosen rows: fixest fepois, clustered VCOV, z tests. */
function fitPoissonRows(ctx: BlockContext, s: TwfeSpec, rows: Int32Array, fes: FixedEffectInput[], missing: number, feList: string[]): KeytechResult {
  const d = ctx.data;
  const take = (v: Float64Array) => Float64Array.from(rows, (i) => v[i]!);
  const y = take(s.y);
  for (let k = 0; k < y.length; k++) if (y[k]! < 0) throw inputError(`the Poisson model needs a non-negative outcome; ${s.yName} is ${y[k]} here`, { file: ctx.spec.inputs.panel.file, column: s.yName });
  const fit = fepois({ y, yName: s.yName, x: s.x.map((x) => ({ name: x.name, values: take(x.values) })), fixedEffects: fes });
  const cl = recode(d.clusterCodes, rows);
  const clCodes = fit.keep ? recode(cl.codes, fit.keep) : cl;
  const vc = fepoisVcov(fit, { type: "cluster", clusters: [{ name: ctx.spec.model.cluster, codes: clCodes.codes, nLevels: clCodes.nLevels }] });
  const warnings: string[] = [];
  if (fit.feAllZeroRemoved) warnings.push(`${fit.feAllZeroRemoved} observations in fixed-effect levels with only zero outcomes removed (${Object.entries(fit.feLevelsRemoved).filter(([, v]) => v > 0).map(([k, v]) => `${v} ${k}`).join(", ")}), as fixest's fepois does`);
  if (!fit.converged) warnings.push(`IRLS did not converge in ${fit.iterations} iterations`);
  return makeResult({
    command: "fepois",
    headline: s.headline === undefined ? TREAT_POST_HEADLINE : s.headline,
    estimates: zTable(fit, vc),
    nobs: fit.nobs,
    fit: { r2: null, adj_r2: null, within_r2: null, pseudo_r2: fit.pseudoR2, deviance: fit.deviance, loglik: fit.loglik, iterations: fit.iterations },
    vcov: { type: vc.type, ...(vc.clusters ? { clusters: vc.clusters } : {}), small_sample: vc.smallSample, df: null, distribution: "normal" },
    dropped: { singletons: 0, missing, collinear: fit.droppedCollinear, fe_all_zero: fit.feAllZeroRemoved },
    provenance: { seed: null, inputs: ctx.data.inputHashes, options: { y: s.yName, x: s.x.map((x) => x.name), fe: feList, family: "poisson", cluster: ctx.spec.model.cluster, ...(s.options ?? {}) } },
    ...(warnings.length ? { warnings } : {}),
  });
}

/** Controls of the main model as regressors. */
export function controls(ctx: BlockContext): { name: string; values: Float64Array }[] {
  return ctx.spec.model.controls.map((c) => ({ name: c, values: column(ctx.data, c) }));
}

export function column(d: StudyData, name: string): Float64Array {
  const v = d.num[name];
  if (!v) throw new Error(`column "${name}" is not a numeric column of the panel`);
  return v;
}

/**
 * A block's list of panel columns: the spec's list when given; else the default columns measured from
 * the patents (those the measure stage produced); else "not available", saying which key to set.
 */
export function columnsOrMeasured(ctx: BlockContext, given: string[], measured: string[], key: string, what: string): string[] {
  if (given.length) return given;
  const have = measured.filter((c) => ctx.data.num[c]);
  if (have.length) return have;
  notAvailable(`no ${what}: list panel columns in ${key}${measured.length ? ", or give inputs.patents to measure them" : ""}`);
}

/** The D regressor (treat_post). */
export function treat(ctx: BlockContext): { name: string; values: Float64Array } {
  return { name: "treat_post", values: column(ctx.data, "treat_post") };
}

/** Winsorise at the p and 1−p quantiles (type 7) over finite values. */
export function winsorize(v: Float64Array, p: number): Float64Array {
  const f = Array.from(v).filter(Number.isFinite);
  const lo = quantile7(f, p), hi = quantile7(f, 1 - p);
  return Float64Array.from(v, (x) => (Number.isFinite(x) ? Math.min(hi, Math.max(lo, x)) : x));
}

/** y_{i,t+k} within unit (NaN where the unit has no row at t+k). */
export function lead(d: StudyData, v: Float64Array, k = 1): Float64Array {
  const out = new Float64Array(d.n).fill(NaN);
  const at = new Map<string, number>();
  for (let i = 0; i < d.n; i++) at.set(d.unitCodes[i] + ":" + d.time[i], i);
  for (let i = 0; i < d.n; i++) {
    const j = at.get(d.unitCodes[i] + ":" + (d.time[i]! + k));
    if (j !== undefined) out[i] = v[j]!;
  }
  return out;
}

/** First principal component of standardised columns (sign: positive loading on the first column). */
export function firstPrincipalComponent(cols: Float64Array[]): { score: Float64Array; loadings: number[]; share: number } {
  const n = cols[0]!.length, p = cols.length;
  const z = cols.map((c) => {
    let m = 0, cnt = 0;
    for (const x of c) if (Number.isFinite(x)) { m += x; cnt++; }
    m /= cnt;
    let s = 0;
    for (const x of c) if (Number.isFinite(x)) s += (x - m) ** 2;
    const sd = Math.sqrt(s / (cnt - 1));
    return Float64Array.from(c, (x) => (x - m) / sd);
  });
  const R = mat(p, p);
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) {
    let s = 0, cnt = 0;
    for (let i = 0; i < n; i++) { const v = z[a]![i]! * z[b]![i]!; if (Number.isFinite(v)) { s += v; cnt++; } }
    R.data[a * p + b] = s / (cnt - 1);
  }
  const { values, vectors } = symEigen(R);
  let best = 0;
  for (let j = 1; j < p; j++) if (values[j]! > values[best]!) best = j;
  let load = Array.from({ length: p }, (_, a) => vectors.data[a * p + best]!);
  if (load[0]! < 0) load = load.map((x) => -x);
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) { let s = 0; for (let a = 0; a < p; a++) s += load[a]! * z[a]![i]!; score[i] = s; }
  let tot = 0;
  for (let j = 0; j < p; j++) tot += values[j]!;
  return { score, loadings: load, share: values[best]! / tot };
}

/** Row of a result by term. */
export function term(r: KeytechResult, name: string): EstimateRow | undefined {
  return r.estimates.find((e) => e.term === name);
}

/** Unit-level split at the median of the unit mean of a column: 1 = above median. */
export function medianSplit(d: StudyData, v: Float64Array): Uint8Array {
  const sum = new Float64Array(d.units.length), cnt = new Float64Array(d.units.length);
  for (let i = 0; i < d.n; i++) if (Number.isFinite(v[i]!)) { sum[d.unitCodes[i]!]! += v[i]!; cnt[d.unitCodes[i]!]! += 1; }
  const means = Array.from(sum, (s, u) => s / cnt[u]!);
  const med = quantile7(means.filter(Number.isFinite), 0.5);
  return Uint8Array.from(d.unitCodes, (u) => (means[u]! > med ? 1 : 0));
}
