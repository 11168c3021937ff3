/**
 * Outputs of `did compare`: the comparison table (one column per estimator; rows = overall ATT and each
 * event time, estimate with stars and SE in parentheses; N and control group) in Markdown, LaTeX, HTML
 * and CSV through the block-table renderer, the overlay event-study figure (the study report's figure
 * builder, SVG + PNG), and the JSON document — all written atomically to one folder.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../core/atomic.js";
import { eventPoints, resultToJson } from "../core/result.js";
import type { CompareResult } from "../core/report-data.js";
import { eventStudyFigure, writeFigure, type EventSeries, type VlSpec } from "./figures/index.js";
import { escapeHtml as esc, estimateCell, renderTable, seDescription, type TableData, type TableFormat } from "./tables.js";

/** Table data of a comparison: rows "ATT (overall)" and "e = k" for every k of the window. */
export function compareTableData(r: CompareResult): TableData {
  const [lo, hi] = r.window;
  const entries = r.comparison;
  const rows: TableData["rows"] = [{ term: "ATT (overall)", cells: entries.map((e) => estimateCell(e.overall ?? undefined)) }];
  for (let k = lo; k <= hi; k++) {
    rows.push({
      term: `e = ${k}`,
      cells: entries.map((e) => {
        const c = estimateCell(e.event_time.find((x) => x.term === `rel::${k}`));
        return c.est === "" && k === r.ref && e.status === "ok" ? { est: "0 (ref.)", se: "" } : c;
      }),
    });
  }
  const stats: TableData["stats"] = [
    { label: "N", cells: entries.map((e) => (e.nobs != null ? String(e.nobs) : "")) },
    { label: "Control group", cells: entries.map((e) => e.control_group) },
    { label: "Overall ATT", cells: entries.map((e) => e.overall_definition) },
  ];
  if (entries.some((e) => e.status !== "ok")) stats.push({ label: "Status", cells: entries.map((e) => (e.status === "ok" ? "ok" : "failed (see warnings)")) });
  const se = entries.map((e) => `${e.label}: ${seDescription(e.results[0]?.vcov)}`);
  return { header: entries.map((e) => e.label), rows, stats, note: `Standard errors in parentheses — ${se.join("; ")}. * p<0.1, ** p<0.05, *** p<0.01.` };
}

/** The comparison table in one format. */
export function compareTable(r: CompareResult, format: TableFormat): string {
  const y = String(r.provenance.options.y ?? "");
  return renderTable(compareTableData(r), format, `Staggered DID estimators compared: ${y}, event times ${r.window[0]}…${r.window[1]} (reference ${r.ref})`);
}

/** Overlay event-study figure (the figure of the study report's event-study block). */
export function compareFigure(r: CompareResult): VlSpec {
  const [lo, hi] = r.window;
  const series: EventSeries[] = r.comparison
    .filter((e) => e.status === "ok")
    .map((e) => ({ estimator: e.label, points: eventPoints(e.event_time, r.ref, lo, hi) }));
  const y = String(r.provenance.options.y ?? "the outcome");
  return eventStudyFigure(series, {
    title: `Event study: ${r.comparison
      .filter((e) => e.status === "ok")
      .map((e) => e.label)
      .join(", ")}`,
    yTitle: `Effect on ${y} (95% CI)`,
    xTitle: "Periods relative to treatment",
  });
}

export interface CompareFiles {
  tables: string[];
  figures: string[];
  json: string;
}

const TABLE_FILES: [TableFormat, string][] = [
  ["md", "md"],
  ["latex", "tex"],
  ["csv", "csv"],
];

/**
 * Write DIR/compare.{md,tex,csv,html}, DIR/event_study_compare.{svg,png} and DIR/compare.json. The HTML
 * file is one self-contained page: the table and the figure (inline SVG).
 */
export async function writeCompareOutputs(r: CompareResult, dir: string): Promise<CompareFiles> {
  const files: CompareFiles = { tables: [], figures: [], json: join(dir, "compare.json") };
  for (const [fm, ext] of TABLE_FILES) {
    const p = join(dir, `compare.${ext}`);
    await writeFileAtomic(p, compareTable(r, fm));
    files.tables.push(p);
  }
  const fig = await writeFigure(compareFigure(r), dir, "event_study_compare");
  files.figures.push(...fig.files);
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>keytech did compare</title>
<style>body{font-family:DejaVu Sans,Arial,sans-serif;max-width:1100px;margin:1rem auto;color:#222}table{border-collapse:collapse;font-size:.88rem}th,td{padding:.15rem .6rem;text-align:right}th:first-child{text-align:left}thead th{border-bottom:1px solid #333;border-top:2px solid #333}tr.se td{color:#555;font-size:.82rem}tfoot tr:first-child th,tfoot tr:first-child td{border-top:1px solid #333}caption{text-align:left;font-weight:600}.tnote{font-size:.78rem;color:#555}svg{max-width:100%;height:auto}</style></head>
<body>${compareTable(r, "html")}
<figure>${fig.svg}<figcaption>Overlay event study (files: event_study_compare.svg, .png)</figcaption></figure>
${(r.warnings ?? []).length ? `<ul>${(r.warnings ?? []).map((w) => `<li>${esc(w)}</li>`).join("")}</ul>` : ""}
<p class="tnote">keytech ${esc(r.keytech)} · ${Object.entries(r.provenance.inputs)
    .map(([k, v]) => `${esc(k)}: ${esc(v)}`)
    .join(" · ")}</p>
</body></html>
`;
  const hp = join(dir, "compare.html");
  await writeFileAtomic(hp, html);
  files.tables.push(hp);
  await writeFileAtomic(files.json, resultToJson({ ...r, files }));
  return files;
}
