/**
 * The JSON result every estimation command returns (docs/CONTRACT.md, "JSON result"), and the one helper
 * that builds it (`makeResult`). Every result has the estimates, the fit, the covariance, the dropped rows,
 * provenance and warnings; a result with an overall effect names it (`headline`); a result with event-time
 * estimates (terms `rel::k`) lists them typed (`event_rows`). Estimator-specific blocks (att_gt,
 * aggregations, unit_weights, scores …) are optional fields.
 */
import { keytechVersion } from "./version.js";

export interface EstimateRow {
  term: string;
  estimate: number | null;
  std_error: number | null;
  statistic: number | null;
  p_value: number | null;
  conf_low: number | null;
  conf_high: number | null;
  [extra: string]: unknown;
}

export interface VcovInfo {
  type: string;
  clusters?: Record<string, number>;
  small_sample?: string;
  df?: number | null;
  [extra: string]: unknown;
}

export interface Provenance {
  seed: number | null;
  inputs: Record<string, string>;
  options: Record<string, unknown>;
  [extra: string]: unknown;
}

/** The overall effect of a result: its estimate row (the row of `estimates`, or `aggregations.ATT` for Sun–Abraham) and what it is, in words. */
export interface Headline extends EstimateRow {
  label: string;
}

/** Which estimate is the headline: a term of `estimates`, or (`row`) a row kept elsewhere in the result. */
export interface HeadlineSpec {
  term: string;
  label: string;
  row?: EstimateRow | null;
}

/** One event-time estimate: the estimate row `rel::k` with its relative period k (negative = leads). */
export interface EventTimeRow extends EstimateRow {
  rel: number;
}

/** One point of an event-study figure (estimate and 95% CI at relative period `rel`). */
export interface EventPoint {
  rel: number;
  estimate: number;
  lo: number;
  hi: number;
}

/** The `model` block of regression results. */
export interface ModelInfo {
  depvar?: string;
  formula?: string;
  fixed_effects?: string[];
  controls?: string[];
  offset?: string | null;
  fixef_sizes?: Record<string, number>;
  [extra: string]: unknown;
}

/** One row of an aggregation by e (event time), group or calendar time (Callaway–Sant'Anna). */
export interface AggregationRow {
  estimate: number | null;
  std_error: number | null;
  conf_low: number | null;
  conf_high: number | null;
  [key: string]: unknown;
}

/** `aggregations`: Callaway–Sant'Anna simple/dynamic/group/calendar; Sun–Abraham `ATT`. */
export interface Aggregations {
  ATT?: EstimateRow;
  dynamic?: { overall?: AggregationRow; by?: (AggregationRow & { e: number })[]; [k: string]: unknown };
  [k: string]: unknown;
}

/** The wild cluster restricted bootstrap block of feols / did twfe / did event. */
export interface WildBootstrapInfo {
  type: string;
  term: string;
  null: number;
  statistic: number;
  p_value: number;
  p_value_equal_tailed: number;
  conf_low: number | null;
  conf_high: number | null;
  level: number;
  reps: number;
  enumerated: boolean;
  weights: string;
  seed: number;
  /** the cluster variable resampled */
  cluster: string;
  /** its number of clusters */
  clusters: number;
  [k: string]: unknown;
}

/** `pretrends` of did imputation and did stacked: the lead coefficients (imputation) and their joint Wald test. */
export interface PretrendsBlock {
  estimates?: EstimateRow[];
  wald?: { terms?: string[]; stat: number; df1: number; df2: number; p_value: number; [k: string]: unknown } | null;
  [k: string]: unknown;
}

/** The fields every result has (all but the version stamp). */
export interface ResultBody {
  command: string;
  estimates: EstimateRow[];
  nobs: number;
  fit?: { r2?: number | null; adj_r2?: number | null; within_r2?: number | null; pseudo_r2?: number | null; [k: string]: unknown };
  vcov?: VcovInfo;
  dropped: { singletons: number; missing: number; collinear: string[]; [k: string]: unknown };
  provenance: Provenance;
  warnings?: string[];
  model?: ModelInfo;
  /** the covariance of the named estimates */
  vcov_matrix?: VcovMatrixBlock;
  aggregations?: Aggregations;
  pretrends?: PretrendsBlock | null;
  pretrend_wald?: { stat: number; p: number; df1: number; df2: number; [k: string]: unknown } | null;
  bootstrap?: WildBootstrapInfo;
  /** did cs: the pre-test of parallel trends */
  pre_test?: { statistic: number; df: number; p_value: number } | null;
  /** did sdid: the unit and time weights (per cohort when staggered) */
  unit_weights?: { unit: string; weight: number; cohort?: number }[];
  time_weights?: { time: number; weight: number; cohort?: number }[];
  /** did bacon: the 2×2 comparisons and their summary by type */
  comparisons?: { treated: number; control: number; type: string; estimate: number; weight: number }[];
  by_type?: { type: string; weight: number; estimate: number; n: number; [k: string]: unknown }[];
  /** did stacked: the sub-experiments, included or not */
  sub_experiments?: { cohort: number; included: boolean; reason?: string; n_treated: number; n_control: number; control_weight?: number }[];
  [extra: string]: unknown;
}

export interface KeytechResult extends ResultBody {
  keytech: string;
  /** the overall effect, when the estimator family has one */
  headline?: Headline;
  /** the event-time estimates rel::k, in increasing k, when the result has them */
  event_rows?: EventTimeRow[];
}

/** What `makeResult` takes: the result without its version stamp; the headline named by term. */
export interface ResultInit extends ResultBody {
  headline?: HeadlineSpec | null;
  /** event-time rows when they are not the `rel::k` rows of `estimates` (default: those rows) */
  event_rows?: EventTimeRow[];
}

/** The relative period of a term `rel::k`, or null. */
export function relOf(term: string): number | null {
  const m = /^rel::(-?\d+)$/.exec(term);
  return m ? Number(m[1]) : null;
}

/** The rows `rel::k` of `rows` as event-time rows, in increasing k (each row's fields unchanged, `rel` added in front). */
export function eventTimeRows(rows: EstimateRow[]): EventTimeRow[] {
  const out: EventTimeRow[] = [];
  for (const e of rows) {
    const k = relOf(e.term);
    if (k !== null) out.push({ rel: k, ...e });
  }
  return out.sort((a, b) => a.rel - b.rel);
}

/** Event-time rows `rel::k`, lo ≤ k ≤ hi, of a result (in increasing k). */
export function eventRows(rows: EstimateRow[], lo: number, hi: number): EstimateRow[] {
  return rows
    .filter((e) => {
      const k = relOf(e.term);
      return k !== null && k >= lo && k <= hi;
    })
    .sort((a, b) => relOf(a.term)! - relOf(b.term)!);
}

/** A result's event-time rows: its `event_rows`, else the `rel::k` rows of its estimates (did sdid --event). */
export function eventRowsOf(r: KeytechResult): EventTimeRow[] {
  return r.event_rows ?? eventTimeRows(r.estimates);
}

/** A result's event-time rows with lo ≤ k ≤ hi, as estimate rows (without `rel`). */
export function eventWindow(r: KeytechResult, lo: number, hi: number): EstimateRow[] {
  return eventRowsOf(r)
    .filter((e) => e.rel >= lo && e.rel <= hi)
    .map(estimateRowOf);
}

/** Figure points of rows `rel::k` in [lo, hi]; the reference period is drawn at 0 when it has no estimate. */
export function eventPoints(rows: EstimateRow[], ref: number, lo: number, hi: number): EventPoint[] {
  const pts: EventPoint[] = [];
  for (const e of eventRows(rows, lo, hi))
    if (e.estimate !== null) pts.push({ rel: relOf(e.term)!, estimate: e.estimate, lo: e.conf_low ?? NaN, hi: e.conf_high ?? NaN });
  if (!pts.some((p) => p.rel === ref)) pts.push({ rel: ref, estimate: 0, lo: 0, hi: 0 });
  return pts.sort((a, b) => a.rel - b.rel);
}

/** An event-time row without its `rel` (the estimate row as it appears in `estimates`). */
export function estimateRowOf(r: EventTimeRow): EstimateRow {
  const { rel: _rel, ...row } = r;
  return row;
}

/** The headline row of a result without its label (an estimate row as in `estimates`), or null. */
export function headlineRow(r: KeytechResult): EstimateRow | null {
  if (!r.headline) return null;
  const { label: _label, ...row } = r.headline;
  return row;
}

/**
 * The one builder of results: stamps the keytech version first, keeps every field in the order given,
 * resolves the headline (its estimate row, by term) and lists the event-time rows (given, or the `rel::k`
 * rows of `estimates`); `headline` and `event_rows` go last and are left out when there are none.
 */
export function makeResult<T extends ResultInit>(init: T): KeytechResult & Omit<T, "headline" | "event_rows"> {
  const { headline: spec, event_rows: given, ...body } = init as ResultInit;
  const result: KeytechResult = { keytech: keytechVersion(), ...body };
  if (spec) {
    const row = spec.row ?? body.estimates.find((e) => e.term === spec.term);
    if (row) result.headline = { ...row, term: spec.term, label: spec.label };
  }
  const ev = given ?? eventTimeRows(body.estimates);
  if (ev.length) result.event_rows = ev;
  // the fields of T other than headline/event_rows are copied unchanged
  return result as KeytechResult & Omit<T, "headline" | "event_rows">;
}

/** A JSON document that is not an estimation result (patents outputs, study runs, truth files), stamped with the keytech version first. */
export function stampVersion<T extends object>(doc: T): { keytech: string } & T {
  return { keytech: keytechVersion(), ...doc };
}

/** The `vcov_matrix` block of a result: the covariance of the named estimates (row-major, null = NA). */
export interface VcovMatrixBlock {
  terms: string[];
  matrix: (number | null)[][];
}

/** `{terms, matrix}` of a coefficient covariance V (k × k, row-major data) with its coefficient names. */
export function vcovMatrixBlock(terms: string[], V: { data: Float64Array }): VcovMatrixBlock {
  const k = terms.length;
  return { terms, matrix: terms.map((_, i) => Array.from(V.data.subarray(i * k, (i + 1) * k), (x) => (Number.isFinite(x) ? x : null))) };
}

/** JSON with NaN/±Inf written as null (JSON has no NaN). */
export function resultToJson(r: unknown): string {
  return JSON.stringify(r, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2) + "\n";
}
