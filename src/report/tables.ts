/**
 * Block tables: the models of a block side by side (estimate with significance stars, SE in parentheses
 * below), plus N, adjusted R² and within R², in Markdown, LaTeX, CSV and HTML. Used for every block
 * table of the report (Tables 1–5, robustness and endogeneity tables).
 */
import type { EstimateRow } from "../core/result.js";
import { csvField, escapeHtml as esc, stars } from "./text.js";
import type { BlockModel, BlockOutput } from "../study/blocks/types.js";

export type TableFormat = "md" | "latex" | "csv" | "html";

export interface TableCell {
  est: string;
  se: string;
}

export interface TableData {
  header: string[];
  rows: { term: string; cells: TableCell[] }[];
  stats: { label: string; cells: string[] }[];
}

export function fmt(x: number | null | undefined, digits = 4): string {
  if (x == null || !Number.isFinite(x)) return "";
  return x.toFixed(digits);
}

/** A table cell: estimate with stars, SE in parentheses (empty when there is no estimate). */
export function estimateCell(e: EstimateRow | undefined): TableCell {
  if (!e || e.estimate == null) return { est: "", se: "" };
  return { est: fmt(e.estimate) + stars(e.p_value), se: e.std_error == null ? "" : `(${fmt(e.std_error)})` };
}

/** Collect the rows of a block's table (key terms first, then every other term unless keyTerms given). */
export function tableData(out: BlockOutput): TableData {
  const models: BlockModel[] = out.models;
  const terms: string[] = [];
  const seen = new Set<string>();
  const all = models.flatMap((m) => m.result.estimates.map((e) => e.term));
  for (const t of out.keyTerms ?? []) if (all.includes(t) && !seen.has(t)) { terms.push(t); seen.add(t); }
  if (!out.keyTerms) for (const t of all) if (!seen.has(t)) { terms.push(t); seen.add(t); }
  const rows = terms.map((t) => ({
    term: t,
    cells: models.map((m) => estimateCell(m.result.estimates.find((r) => r.term === t))),
  }));
  const stats = [
    ...(out.extraRows ?? []),
    { label: "N", cells: models.map((m) => (m.result.nobs ? String(m.result.nobs) : "")) },
    { label: "Adj. R²", cells: models.map((m) => fmt(m.result.fit?.adj_r2 as number | null | undefined)) },
    { label: "Within R²", cells: models.map((m) => fmt(m.result.fit?.within_r2 as number | null | undefined)) },
  ].filter((s) => s.cells.some((c) => c !== ""));
  return { header: models.map((m) => m.label), rows, stats };
}

function texEsc(s: string): string {
  return s.replace(/([&%$#_{}])/g, "\\$1").replaceAll("²", "$^2$").replaceAll("×", "$\\times$").replaceAll("−", "-").replaceAll("–", "--");
}

/** Render a table in one format. */
export function renderTable(t: TableData, format: TableFormat, caption = ""): string {
  const note = "Cluster-robust standard errors in parentheses. * p<0.1, ** p<0.05, *** p<0.01.";
  switch (format) {
    case "md": {
      const lines = [`| | ${t.header.join(" | ")} |`, `|---|${t.header.map(() => "---:").join("|")}|`];
      for (const r of t.rows) {
        lines.push(`| ${r.term} | ${r.cells.map((c) => c.est).join(" | ")} |`);
        lines.push(`| | ${r.cells.map((c) => c.se).join(" | ")} |`);
      }
      for (const s of t.stats) lines.push(`| ${s.label} | ${s.cells.join(" | ")} |`);
      return (caption ? `**${caption}**\n\n` : "") + lines.join("\n") + `\n\n${note}\n`;
    }
    case "latex": {
      const cols = "l" + "c".repeat(t.header.length);
      const lines = ["\\begin{table}[htbp]\\centering", caption ? `\\caption{${texEsc(caption)}}` : "", `\\begin{tabular}{${cols}}`, "\\hline"];
      lines.push(" & " + t.header.map(texEsc).join(" & ") + " \\\\", "\\hline");
      for (const r of t.rows) {
        lines.push(texEsc(r.term) + " & " + r.cells.map((c) => c.est.replace(/(\*+)$/, "$^{$1}$")).join(" & ") + " \\\\");
        lines.push(" & " + r.cells.map((c) => c.se).join(" & ") + " \\\\");
      }
      lines.push("\\hline");
      for (const s of t.stats) lines.push(texEsc(s.label) + " & " + s.cells.map(texEsc).join(" & ") + " \\\\");
      lines.push("\\hline", "\\end{tabular}", `\\par\\footnotesize ${texEsc(note)}`, "\\end{table}");
      return lines.filter((l) => l !== "").join("\n") + "\n";
    }
    case "csv": {
      const lines = [["term", "statistic", ...t.header].map(csvField).join(",")];
      for (const r of t.rows) {
        lines.push([r.term, "estimate", ...r.cells.map((c) => c.est)].map(csvField).join(","));
        lines.push([r.term, "std_error", ...r.cells.map((c) => c.se.replace(/[()]/g, ""))].map(csvField).join(","));
      }
      for (const s of t.stats) lines.push([s.label, "", ...s.cells].map(csvField).join(","));
      return lines.join("\n") + "\n";
    }
    case "html": {
      const h = [`<table class="reg">`, caption ? `<caption>${esc(caption)}</caption>` : "", `<thead><tr><th></th>${t.header.map((x) => `<th>${esc(x)}</th>`).join("")}</tr></thead><tbody>`];
      for (const r of t.rows) {
        h.push(`<tr class="est"><th>${esc(r.term)}</th>${r.cells.map((c) => `<td>${esc(c.est)}</td>`).join("")}</tr>`);
        h.push(`<tr class="se"><th></th>${r.cells.map((c) => `<td>${esc(c.se)}</td>`).join("")}</tr>`);
      }
      h.push(`</tbody><tfoot>`);
      for (const s of t.stats) h.push(`<tr><th>${esc(s.label)}</th>${s.cells.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`);
      h.push(`</tfoot></table><p class="tnote">${esc(note)}</p>`);
      return h.join("");
    }
  }
}

export { escapeHtml } from "./text.js";
export { stars };
