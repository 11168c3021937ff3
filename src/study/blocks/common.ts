/**
 * Shared helpers for blocks: the study's model and columns, and small data transforms (winsorising, leads,
 * principal components). The TWFE fit itself is src/analyses/twfe-fit.ts (`fitTwfe` on the DID panel).
 */
import type { EstimateRow, KeytechResult } from "../../core/result.js";
import { symEigen, mat } from "../../core/linalg.js";
import { quantile7 } from "../../core/stats.js";
import type { PanelModel } from "../../analyses/twfe-fit.js";
import { notAvailable, type BlockContext } from "./types.js";
import type { StudyData } from "./data.js";

/** The study's model (outcome, controls) as the analyses on the DID panel take it. */
export function studyModel(ctx: BlockContext): PanelModel {
  return { outcome: ctx.spec.outcome.column, controls: ctx.spec.model.controls };
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
  const lo = quantile7(f, p),
    hi = quantile7(f, 1 - p);
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
  const n = cols[0]!.length,
    p = cols.length;
  const z = cols.map((c) => {
    let m = 0,
      cnt = 0;
    for (const x of c)
      if (Number.isFinite(x)) {
        m += x;
        cnt++;
      }
    m /= cnt;
    let s = 0;
    for (const x of c) if (Number.isFinite(x)) s += (x - m) ** 2;
    const sd = Math.sqrt(s / (cnt - 1));
    return Float64Array.from(c, (x) => (x - m) / sd);
  });
  const R = mat(p, p);
  for (let a = 0; a < p; a++)
    for (let b = 0; b < p; b++) {
      let s = 0,
        cnt = 0;
      for (let i = 0; i < n; i++) {
        const v = z[a]![i]! * z[b]![i]!;
        if (Number.isFinite(v)) {
          s += v;
          cnt++;
        }
      }
      R.data[a * p + b] = s / (cnt - 1);
    }
  const { values, vectors } = symEigen(R);
  let best = 0;
  for (let j = 1; j < p; j++) if (values[j]! > values[best]!) best = j;
  let load = Array.from({ length: p }, (_, a) => vectors.data[a * p + best]!);
  if (load[0]! < 0) load = load.map((x) => -x);
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let a = 0; a < p; a++) s += load[a]! * z[a]![i]!;
    score[i] = s;
  }
  let tot = 0;
  for (let j = 0; j < p; j++) tot += values[j]!;
  return { score, loadings: load, share: values[best]! / tot };
}

/** Row of a result by term. */
export function term(r: KeytechResult, name: string): EstimateRow | undefined {
  return r.estimates.find((e) => e.term === name);
}
