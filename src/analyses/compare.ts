/**
 * `did compare` analysis: the five staggered-DID event-study estimators on one dataset, each through its
 * own analysis (so every number equals the one its own command prints): TWFE event study (`did event`,
 * overall = the static `did twfe` coefficient), Callaway–Sant'Anna dynamic aggregation (`did cs`, overall =
 * `ATT::dynamic`), Sun–Abraham (`did sunab`, overall = `aggregations.ATT`), Borusyak–Jaravel–Spiess
 * imputation (`did imputation`, overall = `att`; leads from its pre-trend regression) and stacked DID
 * (`did stacked`, WFH weights, overall = `avg_post`). Each overall ATT is the `headline` its analysis names,
 * each row rel::k one of its `event_rows`.
 */
import { estimationError, KeytechError, usageError } from "../core/errors.js";
import { eventWindow, headlineRow, makeResult, type EstimateRow, type KeytechResult } from "../core/result.js";
import type { LongPanelInput } from "../estimators/cs/cs-panel.js";
import { csAnalysis, CS_HEADLINE } from "./cs.js";
import type { CompareEntry, CompareEstimator, CompareResult } from "../core/report-data.js";
import { eventAnalysis, type Endpoints } from "./event.js";
import { imputationAnalysis, IMPUTATION_HEADLINE, loadStaggered, type DidColumns, type LoadedStaggered } from "./imputation.js";
import { stackedAnalysis, STACKED_HEADLINE } from "./stacked.js";
import { sunabAnalysis, SUNAB_HEADLINE } from "./sunab.js";
import { twfeAnalysis, TWFE_HEADLINE } from "./twfe.js";

export const COMPARE_ESTIMATORS = ["twfe", "cs", "sunab", "imputation", "stacked"] as const satisfies readonly CompareEstimator[];
export type { CompareEstimator };

export const ESTIMATOR_LABEL: Record<CompareEstimator, string> = {
  twfe: "TWFE",
  cs: "Callaway–Sant'Anna",
  sunab: "Sun–Abraham",
  imputation: "Imputation (BJS)",
  stacked: "Stacked",
};

// the event-time helpers live with the result type (core/result.ts) and the estimators' analyses; re-exported here
export { eventPoints, eventRows, relOf, type EventPoint } from "../core/result.js";
export { csEventRows } from "./cs.js";
export { withImputationLeads } from "./imputation.js";

/** BJS leads for the window: k = −lo … 1 except the reference period (pre-trend terms pre::−k). */
export function imputationLeads(lo: number, ref: number): number[] {
  const leads: number[] = [];
  for (let k = -lo; k >= 1; k--) if (-k !== ref) leads.push(k);
  return leads;
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

export type { CompareEntry, CompareResult } from "../core/report-data.js";

function controlGroup(est: CompareEstimator, o: CompareOptions): string {
  switch (est) {
    case "twfe":
      return "not-yet and never treated (implicit)";
    case "cs":
      return o.control === "never" ? "never treated" : "not yet treated";
    case "sunab":
      return "never treated";
    case "imputation":
      return "untreated observations";
    case "stacked":
      return `clean: never or treated after a+${o.window[1]}`;
  }
}

/** The overall ATT of each estimator: the headline its own analysis names (for the static TWFE, of `did twfe`). */
const OVERALL: Record<CompareEstimator, string> = {
  twfe: TWFE_HEADLINE.label,
  cs: CS_HEADLINE.label,
  sunab: SUNAB_HEADLINE.label,
  imputation: IMPUTATION_HEADLINE.label,
  stacked: STACKED_HEADLINE.label,
};

/** The headline of a result as the row "ATT". */
const asAtt = (r: KeytechResult): EstimateRow | null => {
  const h = headlineRow(r);
  return h ? { ...h, term: "ATT" } : null;
};

/** Run the chosen estimators; an estimator that fails is reported (status "failed") and the others still run. */
export async function compareAnalysis(o: CompareOptions): Promise<CompareResult> {
  const [lo, hi] = o.window;
  const ests = o.estimators ?? [...COMPARE_ESTIMATORS];
  if (!ests.length) throw usageError("--estimators needs at least one of " + COMPARE_ESTIMATORS.join(", "));
  if (o.ref < lo || o.ref > hi) throw usageError(`--ref ${o.ref} is outside --window ${lo}:${hi}`);
  if (ests.includes("stacked") && o.ref !== -1)
    throw usageError(`stacked DID uses event time −1 as the reference, not ${o.ref}: use --ref -1 or leave stacked out of --estimators`);
  const c = o.columns;
  // read and check the panel once up front: a bad file or column stops here, before any estimator runs
  const loaded: LoadedStaggered = await loadStaggered(c);
  const entries: CompareEntry[] = [];
  const warnings: string[] = [];
  for (const est of ests) {
    const entry: CompareEntry = {
      estimator: est,
      label: ESTIMATOR_LABEL[est],
      status: "ok",
      control_group: controlGroup(est, o),
      overall_definition: OVERALL[est],
      overall: null,
      event_time: [],
      nobs: null,
      results: [],
    };
    try {
      switch (est) {
        case "twfe": {
          const cols = { data: c.data, y: c.y, unit: c.unit, time: c.time, cohort: c.cohort, x: c.x ?? [], ...(c.cluster ? { cluster: [c.cluster] } : {}) };
          const ev = await eventAnalysis({ ...cols, window: o.window, ref: [o.ref], endpoints: o.endpoints ?? "bin" });
          const st = await twfeAnalysis(cols);
          entry.results = [ev, st];
          entry.event_time = eventWindow(ev, lo, hi);
          entry.overall = asAtt(st);
          entry.nobs = ev.nobs;
          break;
        }
        case "cs": {
          const r = csAnalysis(o.csInput, { control: o.control, inputs: o.inputs });
          entry.results = [r];
          entry.event_time = eventWindow(r, lo, hi);
          entry.overall = asAtt(r);
          entry.nobs = r.nobs;
          break;
        }
        case "sunab": {
          const d = loaded;
          const inp = d.input;
          const r = sunabAnalysis({
            y: { name: c.y, values: inp.y },
            unit: { name: c.unit, codes: inp.unit, nLevels: inp.nUnits },
            time: { name: c.time, values: inp.time },
            cohort: { name: c.cohort, values: inp.cohort },
            x: inp.x ?? [],
            clusters: [inp.cluster],
            refPeriod: o.ref,
            missingDropped: d.missing,
            inputs: d.inputs,
            options: { y: c.y, unit: c.unit, time: c.time, cohort: c.cohort, x: c.x ?? [], cluster: [inp.cluster.name] },
          });
          entry.results = [r];
          entry.event_time = eventWindow(r, lo, hi);
          entry.overall = asAtt(r);
          entry.nobs = r.nobs;
          break;
        }
        case "imputation": {
          const horizons = Array.from({ length: Math.max(hi + 1, 0) }, (_, k) => k);
          const r = imputationAnalysis(loaded, { horizons, pretrends: imputationLeads(lo, o.ref) });
          entry.results = [r];
          entry.event_time = eventWindow(r, lo, hi);
          entry.overall = asAtt(r);
          entry.nobs = r.nobs;
          break;
        }
        case "stacked": {
          if (lo > -1 || hi < 0) throw usageError(`the stacked window ${lo}:${hi} must include event time −1 (the reference) and 0`);
          const r = stackedAnalysis(loaded, { kPre: -lo, kPost: hi, weights: "wfh" });
          entry.results = [r];
          entry.event_time = eventWindow(r, lo, hi);
          entry.overall = asAtt(r);
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
  const result: CompareResult = makeResult({
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
      options: {
        y: c.y,
        unit: c.unit,
        time: c.time,
        cohort: c.cohort,
        x: c.x ?? [],
        cluster: c.cluster ?? c.unit,
        window: `${lo}:${hi}`,
        ref: o.ref,
        control: o.control,
        endpoints: o.endpoints ?? "bin",
        estimators: ests,
      },
    },
  });
  if (warnings.length) result.warnings = warnings;
  return result;
}
