/**
 * `did compare` analysis: the five staggered-DID event-study estimators on one dataset, each through its
 * own analysis (so every number equals the one its own command prints): TWFE event study (`did event`,
 * overall = the static `did twfe` coefficient), Callaway–Sant'Anna dynamic aggregation (`did cs`, overall =
 * `ATT::dynamic`), Sun–Abraham (`did sunab`, overall = `aggregations.ATT`), Borusyak–Jaravel–Spiess
 * imputation (`did imputation`, overall = `att`; leads from its pre-trend regression) and stacked DID
 * (`did stacked`, WFH weights, overall = `avg_post`). Also home of the helpers that turn those results into
 * event-time rows `rel::k` and figure points, shared with the study's event-study block.
 */
import { pnorm } from "../core/distributions.js";
import { estimationError, KeytechError, usageError } from "../core/errors.js";
import type { EstimateRow, KeytechResult } from "../core/result.js";
import { keytechVersion } from "../core/version.js";
import type { LongPanelInput } from "../estimators/cs/cs-panel.js";
import { csAnalysis } from "./cs.js";
import { eventAnalysis, type Endpoints } from "./event.js";
import { imputationAnalysis, loadStaggered, type DidColumns, type LoadedStaggered } from "./imputation.js";
import { stackedAnalysis } from "./stacked.js";
import { sunabAnalysis } from "./sunab.js";
import { twfeAnalysis } from "./twfe.js";

export const COMPARE_ESTIMATORS = ["twfe", "cs", "sunab", "imputation", "stacked"] as const;
export type CompareEstimator = (typeof COMPARE_ESTIMATORS)[number];

export const ESTIMATOR_LABEL: Record<CompareEstimator, string> = {
  twfe: "TWFE",
  cs: "Callaway–Sant'Anna",
  sunab: "Sun–Abraham",
  imputation: "Imputation (BJS)",
  stacked: "Stacked",
};

/** One point of an event-study figure (estimate and 95% CI at relative period `rel`). */
export interface EventPoint {
  rel: number;
  estimate: number;
  lo: number;
  hi: number;
}

/** The relative period of a term `rel::k`, or null. */
export function relOf(term: string): number | null {
  const m = /^rel::(-?\d+)$/.exec(term);
  return m ? Number(m[1]) : null;
}

/**
 * Callaway–Sant'Anna dynamic aggregation θ(e) as rows `rel::e` (normal inference, as did: z = θ/se,
 * p = 2Φ(−|z|); the CI is did's, pointwise or uniform).
 */
export function csEventRows(r: KeytechResult): EstimateRow[] {
  type By = { e: number; estimate: number | null; std_error: number | null; conf_low: number | null; conf_high: number | null };
  const by = ((r.aggregations as { dynamic?: { by?: By[] } } | undefined)?.dynamic?.by) ?? [];
  return by.map((b) => {
    const z = b.estimate != null && b.std_error ? b.estimate / b.std_error : null;
    return { term: `rel::${b.e}`, estimate: b.estimate, std_error: b.std_error, statistic: z, p_value: z === null ? null : 2 * pnorm(-Math.abs(z)), conf_low: b.conf_low, conf_high: b.conf_high };
  });
}

/** Event-time rows `rel::k`, lo ≤ k ≤ hi, of a result (in increasing k). */
export function eventRows(rows: EstimateRow[], lo: number, hi: number): EstimateRow[] {
  return rows.filter((e) => { const k = relOf(e.term); return k !== null && k >= lo && k <= hi; }).sort((a, b) => relOf(a.term)! - relOf(b.term)!);
}

/** Figure points of rows `rel::k` in [lo, hi]; the reference period is drawn at 0 when it has no estimate. */
export function eventPoints(rows: EstimateRow[], ref: number, lo: number, hi: number): EventPoint[] {
  const pts: EventPoint[] = [];
  for (const e of eventRows(rows, lo, hi)) if (e.estimate !== null) pts.push({ rel: relOf(e.term)!, estimate: e.estimate, lo: e.conf_low ?? NaN, hi: e.conf_high ?? NaN });
  if (!pts.some((p) => p.rel === ref)) pts.push({ rel: ref, estimate: 0, lo: 0, hi: 0 });
  return pts.sort((a, b) => a.rel - b.rel);
}

/** BJS leads for the window: k = −lo … 1 except the reference period (pre-trend terms pre::−k). */
export function imputationLeads(lo: number, ref: number): number[] {
  const leads: number[] = [];
  for (let k = -lo; k >= 1; k--) if (-k !== ref) leads.push(k);
  return leads;
}

/** Imputation result with its pre-trend lead coefficients renamed `rel::−k` and put first. */
export function withImputationLeads(r: KeytechResult): KeytechResult {
  const pre = (r.pretrends as { estimates?: EstimateRow[] } | undefined)?.estimates ?? [];
  return { ...r, estimates: [...pre.map((e) => ({ ...e, term: e.term.replace(/^pre::/, "rel::") })), ...r.estimates] };
}

export interface CompareOptions {
  columns: DidColumns;
  /** [first, last] event time shown (and estimated: TWFE endpoints, stacked window, BJS horizons/leads) */
  window: [number, number];
  ref: number;
  /** Callaway–Sant'Anna comparison group */
  control: "never" | "notyet";
  /** TWFE event study: outside-window convention (default bin) */
  endpoints?: Endpoints;
  estimators?: CompareEstimator[];
  /** the `did cs` input read from the same file (the CLI reads it exactly as `did cs` does) */
  csInput: LongPanelInput;
  /** file hashes for provenance */
  inputs: Record<string, string>;
}

export interface CompareEntry {
  estimator: CompareEstimator;
  label: string;
  status: "ok" | "failed";
  error?: string;
  control_group: string;
  /** what the overall ATT row is for this estimator */
  overall_definition: string;
  /** the overall ATT (term "ATT") */
  overall: EstimateRow | null;
  /** rows rel::k in the window */
  event_time: EstimateRow[];
  nobs: number | null;
  /** the full results of the estimator's own analysis (CONTRACT schema) */
  results: KeytechResult[];
}

export interface CompareResult extends KeytechResult {
  window: [number, number];
  ref: number;
  comparison: CompareEntry[];
}

function controlGroup(est: CompareEstimator, o: CompareOptions): string {
  switch (est) {
    case "twfe": return "not-yet and never treated (implicit)";
    case "cs": return o.control === "never" ? "never treated" : "not yet treated";
    case "sunab": return "never treated";
    case "imputation": return "untreated observations";
    case "stacked": return `clean: never or treated after a+${o.window[1]}`;
  }
}

const OVERALL: Record<CompareEstimator, string> = {
  twfe: "static TWFE treat_post",
  cs: "dynamic aggregation (mean of θ(e), e ≥ 0)",
  sunab: "ATT over post cells (cell shares)",
  imputation: "mean over treated observations",
  stacked: "avg_post (mean of δ_e, 0 ≤ e ≤ last)",
};

const asAtt = (r: EstimateRow | undefined): EstimateRow | null => (r ? { ...r, term: "ATT" } : null);

/** Run the chosen estimators; an estimator that fails is reported (status "failed") and the others still run. */
export async function compareAnalysis(o: CompareOptions): Promise<CompareResult> {
  const [lo, hi] = o.window;
  const ests = o.estimators ?? [...COMPARE_ESTIMATORS];
  if (!ests.length) throw usageError("--estimators needs at least one of " + COMPARE_ESTIMATORS.join(", "));
  if (o.ref < lo || o.ref > hi) throw usageError(`--ref ${o.ref} is outside --window ${lo}:${hi}`);
  if (ests.includes("stacked") && o.ref !== -1) throw usageError(`stacked DID uses event time −1 as the reference, not ${o.ref}: use --ref -1 or leave stacked out of --estimators`);
  const c = o.columns;
  // read and check the panel once up front: a bad file or column stops here, before any estimator runs
  const loaded: LoadedStaggered = await loadStaggered(c);
  const entries: CompareEntry[] = [];
  const warnings: string[] = [];
  for (const est of ests) {
    const entry: CompareEntry = { estimator: est, label: ESTIMATOR_LABEL[est], status: "ok", control_group: controlGroup(est, o), overall_definition: OVERALL[est], overall: null, event_time: [], nobs: null, results: [] };
    try {
      switch (est) {
        case "twfe": {
          const cols = { data: c.data, y: c.y, unit: c.unit, time: c.time, cohort: c.cohort, x: c.x ?? [], ...(c.cluster ? { cluster: [c.cluster] } : {}) };
          const ev = await eventAnalysis({ ...cols, window: o.window, ref: [o.ref], endpoints: o.endpoints ?? "bin" });
          const st = await twfeAnalysis(cols);
          entry.results = [ev, st];
          entry.event_time = eventRows(ev.estimates, lo, hi);
          entry.overall = asAtt(st.estimates.find((e) => e.term === "treat_post"));
          entry.nobs = ev.nobs;
          break;
        }
        case "cs": {
          const r = csAnalysis(o.csInput, { control: o.control, inputs: o.inputs });
          entry.results = [r];
          entry.event_time = eventRows(csEventRows(r), lo, hi);
          entry.overall = asAtt(r.estimates.find((e) => e.term === "ATT::dynamic"));
          entry.nobs = r.nobs;
          break;
        }
        case "sunab": {
          const d = loaded;
          const inp = d.input;
          const r = sunabAnalysis({
            y: { name: c.y, values: inp.y }, unit: { name: c.unit, codes: inp.unit, nLevels: inp.nUnits }, time: { name: c.time, values: inp.time },
            cohort: { name: c.cohort, values: inp.cohort }, x: inp.x ?? [], clusters: [inp.cluster], refPeriod: o.ref, missingDropped: d.missing,
            inputs: d.inputs, options: { y: c.y, unit: c.unit, time: c.time, cohort: c.cohort, x: c.x ?? [], cluster: [inp.cluster.name] },
          });
          entry.results = [r];
          entry.event_time = eventRows(r.estimates, lo, hi);
          entry.overall = asAtt((r.aggregations as { ATT: EstimateRow }).ATT);
          entry.nobs = r.nobs;
          break;
        }
        case "imputation": {
          const horizons = Array.from({ length: Math.max(hi + 1, 0) }, (_, k) => k);
          const r = imputationAnalysis(loaded, { horizons, pretrends: imputationLeads(lo, o.ref) });
          entry.results = [r];
          entry.event_time = eventRows(withImputationLeads(r).estimates, lo, hi);
          entry.overall = asAtt(r.estimates.find((e) => e.term === "att"));
          entry.nobs = r.nobs;
          break;
        }
        case "stacked": {
          if (lo > -1 || hi < 0) throw usageError(`the stacked window ${lo}:${hi} must include event time −1 (the reference) and 0`);
          const r = stackedAnalysis(loaded, { kPre: -lo, kPost: hi, weights: "wfh" });
          entry.results = [r];
          entry.event_time = eventRows(r.estimates, lo, hi);
          entry.overall = asAtt(r.estimates.find((e) => e.term === "avg_post"));
          entry.nobs = r.nobs;
          break;
        }
      }
      for (const r of entry.results) for (const w of r.warnings ?? []) warnings.push(`${entry.label}: ${w}`);
    } catch (e) {
      if (e instanceof KeytechError && e.kind === "usage") throw e;
      entry.status = "failed";
      entry.error = (e as Error).message;
      warnings.push(`${entry.label} failed: ${entry.error}`);
    }
    entries.push(entry);
  }
  if (!entries.some((e) => e.status === "ok")) throw estimationError(`every estimator failed: ${entries.map((e) => `${e.label}: ${e.error}`).join("; ")}`);
  const estimates: EstimateRow[] = [];
  for (const e of entries) {
    if (e.overall) estimates.push({ ...e.overall, term: `${e.estimator}:ATT` });
    for (const r of e.event_time) estimates.push({ ...r, term: `${e.estimator}:${r.term}` });
  }
  const result: CompareResult = {
    keytech: keytechVersion(),
    command: "did compare",
    estimates,
    nobs: o.csInput.y.length,
    dropped: { singletons: 0, missing: 0, collinear: [] },
    window: o.window,
    ref: o.ref,
    comparison: entries,
    provenance: {
      seed: null,
      inputs: o.inputs,
      options: { y: c.y, unit: c.unit, time: c.time, cohort: c.cohort, x: c.x ?? [], cluster: c.cluster ?? c.unit, window: `${lo}:${hi}`, ref: o.ref, control: o.control, endpoints: o.endpoints ?? "bin", estimators: ests },
    },
  };
  if (warnings.length) result.warnings = warnings;
  return result;
}
