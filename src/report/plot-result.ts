/**
 * `keytech plot RESULT.json`: a figure of any keytech result, like fixest's iplot/coefplot. A result
 * with event-time terms (`rel::K` of did event / sunab / imputation / stacked, or Callaway–Sant'Anna's
 * dynamic aggregation) becomes an event-study plot with 95% CIs and the reference period at 0 (for the
 * regression event studies); any other result becomes a coefficient plot of its terms (optionally only
 * those matching `keep`).
 */
import type { EstimateRow, KeytechResult } from "../core/result.js";
import { termLabel } from "../core/labels.js";
import { coefFigure, eventStudyFigure, type VlSpec } from "./figures/index.js";

export interface PlotOptions {
  title?: string;
  /** reference period drawn at 0 for regression event studies (default −1) */
  ref?: number;
  /** only terms whose name matches */
  keep?: RegExp;
  /** event plot even with one event-time term, or a coefficient plot of an event study */
  kind?: "auto" | "event" | "coef";
}

const REL = /^rel::(-?\d+)$/;

/** Event-time rows of a result: its rel::K terms, or CS's dynamic aggregation. */
export function eventTimeRows(r: KeytechResult): { rows: { rel: number; estimate: number; lo: number; hi: number }[]; regression: boolean } {
  const own = r.estimates.filter((e) => REL.test(e.term) && e.estimate !== null);
  if (own.length)
    return {
      rows: own.map((e) => ({ rel: Number(REL.exec(e.term)![1]), estimate: e.estimate!, lo: e.conf_low ?? Number.NaN, hi: e.conf_high ?? Number.NaN })),
      regression: true,
    };
  const by = r.aggregations?.dynamic?.by ?? [];
  return {
    rows: by
      .filter((b) => b.estimate !== null)
      .map((b) => ({
        rel: b.e,
        estimate: b.estimate!,
        lo: b.conf_low ?? (b.std_error != null ? b.estimate! - 1.959964 * b.std_error : Number.NaN),
        hi: b.conf_high ?? (b.std_error != null ? b.estimate! + 1.959964 * b.std_error : Number.NaN),
      })),
    regression: false,
  };
}

/** The vega-lite spec of a result's figure (see the file comment). */
export function resultFigure(r: KeytechResult, o: PlotOptions = {}): { spec: VlSpec; kind: "event" | "coef"; points: number } {
  const y = String(r.provenance?.options?.y ?? r.model?.depvar ?? "the outcome");
  const ev = eventTimeRows(r);
  const rows = o.keep ? ev.rows.filter((p) => o.keep!.test(`rel::${p.rel}`)) : ev.rows;
  const kind = o.kind === "coef" ? "coef" : o.kind === "event" || rows.length >= 2 ? "event" : "coef";
  if (kind === "event") {
    const ref = o.ref ?? -1;
    const pts = [...rows];
    if (ev.regression && !pts.some((p) => p.rel === ref)) pts.push({ rel: ref, estimate: 0, lo: 0, hi: 0 });
    pts.sort((a, b) => a.rel - b.rel);
    const spec = eventStudyFigure([{ estimator: r.command, points: pts }], {
      title: o.title ?? `${r.command}: effect on ${y} by event time`,
      yTitle: `Effect on ${y} (95% CI)`,
      xTitle: "Periods relative to treatment",
    });
    return { spec, kind, points: pts.length };
  }
  const est: EstimateRow[] = r.estimates.filter((e) => e.estimate !== null && (!o.keep || o.keep.test(e.term)));
  const spec = coefFigure(
    est.map((e) => ({ label: termLabel(e.term), estimate: e.estimate!, lo: e.conf_low ?? e.estimate!, hi: e.conf_high ?? e.estimate! })),
    { title: o.title ?? `${r.command}: ${y}` },
  );
  return { spec, kind, points: est.length };
}
