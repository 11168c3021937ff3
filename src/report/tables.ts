/**
 * Block tables: the models of a block side by side (estimate with significance stars, SE in parentheses
 * below), plus N, adjusted R² and within R², in Markdown, LaTeX, CSV and HTML. Used for every block
 * table of the report (Tables 1–5, robustness and endogeneity tables).
 */
import type { EstimateRow, VcovInfo } from "../core/result.js";
import { termLabel } from "../core/labels.js";
import { csvField, escapeHtml as esc, stars } from "./text.js";
import type { BlockModel, BlockOutput } from "../core/report-data.js";

export type TableFormat = "md" | "latex" | "csv" | "html";

export interface TableCell {
  est: string;
  se: string;
}

export interface TableData {
  header: string[];
  rows: { term: string; cells: TableCell[] }[];
  stats: { label: string; cells: string[] }[];
  /** the footnote: which standard errors the columns carry, and the stars */
  note: string;
  /** cells are plain text (no SE line under each row) */
  plain?: boolean;
}

/**
 * How one result's standard errors were computed, in words (from its `vcov` block), as a phrase without
 * cluster counts (`kind`) plus the counts, so columns that differ only in their counts share one phrase.
 */
export function seParts(v: VcovInfo | undefined): { kind: string; counts: number[] } {
  if (!v) return { kind: "", counts: [] };
  const cl = v.clusters ? Object.entries(v.clusters) : [];
  const by = cl.length ? ` clustered by ${cl.map(([k]) => k).join(" and ")}` : "";
  const counts = cl.map(([, g]) => g);
  const reps = typeof v.replications === "number" ? v.replications : typeof v.reps === "number" ? v.reps : null;
  switch (v.type) {
    case "cluster":
      return { kind: `standard errors${by || " clustered"}`, counts };
    case "influence function":
      return { kind: `standard errors from the influence functions${by}`, counts };
    case "placebo":
      return { kind: `placebo standard errors (${reps ?? "?"} replications)`, counts: [] };
    case "bootstrap":
      return { kind: `bootstrap standard errors (${reps ?? "?"} draws${by ? `, resampling ${cl.map(([k]) => k).join(" and ")}` : ""})`, counts };
    case "jackknife":
      return { kind: "jackknife standard errors", counts: [] };
    case "hc1":
    case "hetero":
      return { kind: "heteroskedasticity-robust (HC1) standard errors", counts: [] };
    case "iid":
      return { kind: "IID standard errors", counts: [] };
    case "none":
      return { kind: "", counts: [] };
    default:
      return { kind: `${v.type} standard errors${by}`, counts };
  }
}

/** `seParts` as one phrase ("standard errors clustered by county (435 clusters)"); "" without SEs. */
export function seDescription(v: VcovInfo | undefined): string {
  const { kind, counts } = seParts(v);
  return kind && counts.length ? `${kind} (${counts.join(" × ")} clusters)` : kind;
}

function countRange(xs: number[]): string {
  const lo = Math.min(...xs), hi = Math.max(...xs);
  return lo === hi ? `${lo}` : `${lo}–${hi}`;
}

/** The table footnote: the SE type of every column (one phrase when they agree), then the stars. */
export function seNote(models: BlockModel[]): string {
  const parts = models.map((m) => seParts(m.result.vcov));
  const kinds = [...new Set(parts.map((p) => p.kind))];
  const starsNote = "* p<0.1, ** p<0.05, *** p<0.01.";
  let se: string;
  if (kinds.length === 1) {
    if (!kinds[0]) return "Estimates without standard errors.";
    const counts = parts.flatMap((p) => (p.counts.length === 1 ? [p.counts[0]!] : []));
    se = `${kinds[0]}${counts.length === parts.length ? ` (${countRange(counts)} clusters)` : ""} in parentheses`;
  } else {
    se = "in parentheses: " + models.map((m) => `${m.label.startsWith("(") ? m.label.split(" ")[0] : m.label} ${seDescription(m.result.vcov) || "none"}`).join("; ");
  }
  return `${se.charAt(0).toUpperCase()}${se.slice(1)}. ${starsNote}`;
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

/** A block's `statsTable` (columns = statistics) as table data: one plain line per term. */
export function statsTableData(out: BlockOutput, vars: Record<string, string> = {}): TableData {
  const t = out.statsTable!;
  return {
    header: t.header,
    rows: t.rows.map((r) => ({ term: termLabel(r.term, vars, out.termLabels), cells: r.cells.map((c) => ({ est: c, se: "" })) })),
    stats: [...(out.extraRows ?? []), { label: "N", cells: t.header.map((_, j) => (j === 0 && out.models[0]?.result.nobs ? String(out.models[0].result.nobs) : "")) }].filter((s) => s.cells.some((c) => c !== "")),
    note: t.note ?? seNote(out.models).replace(" in parentheses", "").replace(/ \* p<0\.1.*$/, "") + " * p<0.1, ** p<0.05, *** p<0.01 (on the effect).",
    plain: true,
  };
}

/** Collect the rows of a block's table (key terms first, then every other term unless keyTerms given). */
export function tableData(out: BlockOutput, vars: Record<string, string> = {}): TableData {
  const models: BlockModel[] = out.models;
  const terms: string[] = [];
  const seen = new Set<string>();
  const all = models.flatMap((m) => m.result.estimates.map((e) => e.term));
  for (const t of out.keyTerms ?? []) if (all.includes(t) && !seen.has(t)) { terms.push(t); seen.add(t); }
  if (!out.keyTerms) for (const t of all) if (!seen.has(t)) { terms.push(t); seen.add(t); }
  const rows = terms.map((t) => ({
    term: termLabel(t, vars, out.termLabels),
    cells: models.map((m) => estimateCell(m.result.estimates.find((r) => r.term === t))),
  }));
  const stats = [
    ...(out.extraRows ?? []),
    { label: "N", cells: models.map((m) => (m.result.nobs ? String(m.result.nobs) : "")) },
    { label: "Adj. R²", cells: models.map((m) => fmt(m.result.fit?.adj_r2 as number | null | undefined)) },
    { label: "Within R²", cells: models.map((m) => fmt(m.result.fit?.within_r2 as number | null | undefined)) },
    { label: "Pseudo R²", cells: models.map((m) => fmt(m.result.fit?.pseudo_r2 as number | null | undefined)) },
  ].filter((s) => s.cells.some((c) => c !== ""));
  return { header: models.map((m) => m.label), rows, stats, note: seNote(models) };
}

/** Text for LaTeX (pdflatex-safe): specials escaped, the symbols the tables use as math. */
function texEsc(s: string): string {
  return s
    .replace(/([&%$#_{}])/g, "\\$1")
    .replaceAll("^", "\\textasciicircum{}")
    .replaceAll("²", "$^2$")
    .replaceAll("×", "$\\times$")
    .replaceAll("−", "-")
    .replaceAll("–", "--")
    .replaceAll("Δ", "$\\Delta$")
    .replaceAll("M̄", "$\\bar{M}$")
    .replaceAll("≤", "$\\leq$")
    .replaceAll("≥", "$\\geq$")
    .replaceAll("→", "$\\to$")
    .replaceAll("<", "$<$")
    .replaceAll(">", "$>$");
}

/** Render a table in one format. */
export function renderTable(t: TableData, format: TableFormat, caption = ""): string {
  const note = t.note;
  switch (format) {
    case "md": {
      const lines = [`| | ${t.header.join(" | ")} |`, `|---|${t.header.map(() => "---:").join("|")}|`];
      for (const r of t.rows) {
        lines.push(`| ${r.term} | ${r.cells.map((c) => c.est).join(" | ")} |`);
        if (!t.plain) lines.push(`| | ${r.cells.map((c) => c.se).join(" | ")} |`);
      }
      for (const s of t.stats) lines.push(`| ${s.label} | ${s.cells.join(" | ")} |`);
      return (caption ? `**${caption}**\n\n` : "") + lines.join("\n") + `\n\n${note}\n`;
    }
    case "latex": {
      const cols = "l" + "c".repeat(t.header.length);
      // booktabs rules (\\usepackage{booktabs}) and the note under the tabular, as journals set them
      const lines = ["% needs \\usepackage{booktabs}", "\\begin{table}[htbp]\\centering", caption ? `\\caption{${texEsc(caption)}}` : "", `\\begin{tabular}{${cols}}`, "\\toprule"];
      lines.push(" & " + t.header.map(texEsc).join(" & ") + " \\\\", "\\midrule");
      for (const r of t.rows) {
        lines.push(texEsc(r.term) + " & " + r.cells.map((c) => c.est.replace(/(\*+)$/, "$^{$1}$")).join(" & ") + " \\\\");
        if (!t.plain) lines.push(" & " + r.cells.map((c) => c.se).join(" & ") + " \\\\");
      }
      lines.push("\\midrule");
      for (const s of t.stats) lines.push(texEsc(s.label) + " & " + s.cells.map(texEsc).join(" & ") + " \\\\");
      lines.push("\\bottomrule", "\\end{tabular}", `\\par\\vspace{2pt}\\parbox{\\linewidth}{\\footnotesize \\textit{Notes:} ${texEsc(note)}}`, "\\end{table}");
      return lines.filter((l) => l !== "").join("\n") + "\n";
    }
    case "csv": {
      const lines = [["term", "statistic", ...t.header].map(csvField).join(",")];
      for (const r of t.rows) {
        lines.push([r.term, "estimate", ...r.cells.map((c) => c.est)].map(csvField).join(","));
        if (!t.plain) lines.push([r.term, "std_error", ...r.cells.map((c) => c.se.replace(/[()]/g, ""))].map(csvField).join(","));
      }
      for (const s of t.stats) lines.push([s.label, "", ...s.cells].map(csvField).join(","));
      lines.push(["note", "", note, ...t.header.slice(1).map(() => "")].map(csvField).join(","));
      return lines.join("\n") + "\n";
    }
    case "html": {
      const h = [`<table class="reg">`, caption ? `<caption>${esc(caption)}</caption>` : "", `<thead><tr><th></th>${t.header.map((x) => `<th>${esc(x)}</th>`).join("")}</tr></thead><tbody>`];
      for (const r of t.rows) {
        h.push(`<tr class="est"><th>${esc(r.term)}</th>${r.cells.map((c) => `<td>${esc(c.est)}</td>`).join("")}</tr>`);
        if (!t.plain) h.push(`<tr class="se"><th></th>${r.cells.map((c) => `<td>${esc(c.se)}</td>`).join("")}</tr>`);
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
