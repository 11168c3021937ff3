/**
 * The one table renderer. Any result(s) become TableData — the models side by side (estimate with
 * significance stars, SE in parentheses below), then statistics rows and a note — and `renderTable` writes
 * it as Markdown, LaTeX, CSV or HTML. Builders: `tableData` / `statsTableData` (a study block's models:
 * Tables 1–5, robustness and endogeneity tables), `regressionTableData` (`keytech table`: the economist's
 * multi-model table with Controls and FE Yes/No rows, the seed paper's Table 1), and, elsewhere,
 * `compareTableData` (did compare) and `robustnessSummary`. Two layouts: "block" (the study report's
 * tables) and "regression" (aligned Markdown, booktabs LaTeX, a plain-grid CSV).
 */
import type { EstimateRow, KeytechResult, VcovInfo } from "../core/result.js";
import { termLabel } from "../core/labels.js";
import { csvField, escapeHtml as esc, stars } from "./text.js";
import type { BlockModel, BlockOutput } from "../core/report-data.js";

/** The output formats of every table. */
export type TableFormat = "md" | "latex" | "csv" | "html";

export interface TableCell {
  est: string;
  se: string;
}

export interface TableData {
  header: string[];
  /** further header rows under `header` (regression layout: the outcome of each model) */
  subheader?: string[][];
  rows: { term: string; cells: TableCell[] }[];
  stats: { label: string; cells: string[] }[];
  /** the footnote: which standard errors the columns carry, and the stars (regression layout: one line per note) */
  note: string;
  /** cells are plain text (no SE line under each row) */
  plain?: boolean;
  /** "block" (default): the study's tables; "regression": `keytech table` */
  layout?: "block" | "regression";
  /** the caption (the `caption` argument of renderTable, when given, wins) */
  caption?: string;
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
  const lo = Math.min(...xs),
    hi = Math.max(...xs);
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
    se =
      "in parentheses: " +
      models.map((m) => `${m.label.startsWith("(") ? m.label.split(" ")[0] : m.label} ${seDescription(m.result.vcov) || "none"}`).join("; ");
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
    stats: [
      ...(out.extraRows ?? []),
      { label: "N", cells: t.header.map((_, j) => (j === 0 && out.models[0]?.result.nobs ? String(out.models[0].result.nobs) : "")) },
    ].filter((s) => s.cells.some((c) => c !== "")),
    note:
      t.note ??
      seNote(out.models)
        .replace(" in parentheses", "")
        .replace(/ \* p<0\.1.*$/, "") + " * p<0.1, ** p<0.05, *** p<0.01 (on the effect).",
    plain: true,
  };
}

/** Collect the rows of a block's table (key terms first, then every other term unless keyTerms given). */
export function tableData(out: BlockOutput, vars: Record<string, string> = {}): TableData {
  const models: BlockModel[] = out.models;
  const terms: string[] = [];
  const seen = new Set<string>();
  const all = models.flatMap((m) => m.result.estimates.map((e) => e.term));
  for (const t of out.keyTerms ?? [])
    if (all.includes(t) && !seen.has(t)) {
      terms.push(t);
      seen.add(t);
    }
  if (!out.keyTerms)
    for (const t of all)
      if (!seen.has(t)) {
        terms.push(t);
        seen.add(t);
      }
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
export function renderTable(t: TableData, format: TableFormat, caption = t.caption ?? ""): string {
  if (t.layout === "regression") return renderRegressionLayout(t, format, caption);
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
      const lines = [
        "% needs \\usepackage{booktabs}",
        "\\begin{table}[htbp]\\centering",
        caption ? `\\caption{${texEsc(caption)}}` : "",
        `\\begin{tabular}{${cols}}`,
        "\\toprule",
      ];
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
      const h = [
        `<table class="reg">`,
        caption ? `<caption>${esc(caption)}</caption>` : "",
        `<thead><tr><th></th>${t.header.map((x) => `<th>${esc(x)}</th>`).join("")}</tr></thead><tbody>`,
      ];
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

export interface RegressionTableOptions {
  format?: TableFormat;
  /** terms to show, in this order: exact names or /regex/ (default: every term, in order of appearance) */
  keep?: string[];
  /** display labels for terms, fixed effects and outcomes */
  labels?: Record<string, string>;
  /** decimals for estimates and SEs (default 4) */
  digits?: number;
  /** column titles (default: the outcome of each model) */
  titles?: string[];
  /** extra rows, e.g. {label: "Sample", values: ["All", "Trimmed"]} */
  extraRows?: { label: string; values: string[] }[];
  caption?: string;
}

/** The regression layout as a grid of printed cells. */
interface Grid {
  head: string[][];
  /** coefficient rows: [label, cells…]; each coefficient has an estimate row and an SE row */
  body: string[][];
  foot: string[][];
  notes: string[];
  caption?: string;
}

/** A number with `digits` decimals; "-0.000" printed as "0.000". */
function fmtSigned(v: number | null | undefined, digits: number): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "";
  const s = v.toFixed(digits);
  return /^-0\.0*$/.test(s) ? s.slice(1) : s;
}

/** An integer with thousands separators (9,570). */
export function fmtInt(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function matchesKeep(term: string, keep: string[]): number {
  for (let j = 0; j < keep.length; j++) {
    const k = keep[j]!;
    if (k.length > 2 && k.startsWith("/") && k.endsWith("/")) {
      if (new RegExp(k.slice(1, -1)).test(term)) return j;
    } else if (k === term) return j;
  }
  return -1;
}

function meta(m: KeytechResult): NonNullable<KeytechResult["model"]> {
  return m.model ?? {};
}

function regressionSeNote(models: KeytechResult[]): string {
  const kinds = new Set<string>();
  for (const m of models) {
    const v = m.vcov;
    if (!v) continue;
    if (v.type === "cluster") kinds.add(`clustered by ${Object.keys(v.clusters ?? {}).join(" and ")}`);
    else if (v.type === "hc1") kinds.add("heteroskedasticity-robust (HC1)");
    else if (v.type === "iid") kinds.add("iid");
    else kinds.add(v.type);
  }
  return kinds.size ? `Standard errors in parentheses (${[...kinds].join("; ")}).` : "Standard errors in parentheses.";
}

/** The `keytech table` of `models` (result JSON documents): one column per model, in the regression layout. */
export function regressionTableData(models: KeytechResult[], o: RegressionTableOptions = {}): TableData {
  const digits = o.digits ?? 4;
  const label = (s: string) => o.labels?.[s] ?? s;
  const k = models.length;
  const header = models.map((_, j) => `(${j + 1})`);
  const titles = models.map((m, j) => o.titles?.[j] ?? label(meta(m).depvar ?? ""));

  // terms in order of first appearance (or keep order)
  let terms: string[] = [];
  for (const m of models) for (const e of m.estimates) if (!terms.includes(e.term)) terms.push(e.term);
  if (o.keep?.length) {
    const keep = o.keep;
    terms = terms.filter((t) => matchesKeep(t, keep) >= 0).sort((a, b) => matchesKeep(a, keep) - matchesKeep(b, keep));
  }
  const shown = new Set(terms);
  const rows: TableData["rows"] = terms.map((t) => ({
    term: label(t),
    cells: models.map((m) => {
      const e: EstimateRow | undefined = m.estimates.find((r) => r.term === t);
      return {
        est: e ? fmtSigned(e.estimate, digits) + stars(e.p_value) : "",
        se: e && e.std_error !== null && Number.isFinite(e.std_error) ? `(${fmtSigned(e.std_error, digits)})` : "",
      };
    }),
  }));

  const foot: TableData["stats"] = [];
  const row = (lab: string, cells: string[]) => foot.push({ label: lab, cells });
  const hidden = models.map((m) => {
    const c = meta(m).controls;
    const pool = c ?? m.estimates.map((e) => e.term);
    return pool.some((x) => !shown.has(x));
  });
  if (hidden.some((h) => h))
    row(
      "Controls",
      hidden.map((h) => (h ? "Yes" : "No")),
    );
  const fes: string[] = [];
  for (const m of models) for (const f of meta(m).fixed_effects ?? []) if (!fes.includes(f)) fes.push(f);
  for (const f of fes)
    row(
      `${label(f)} FE`,
      models.map((m) => ((meta(m).fixed_effects ?? []).includes(f) ? "Yes" : "No")),
    );
  for (const r of o.extraRows ?? [])
    row(
      r.label,
      Array.from({ length: k }, (_, j) => r.values[j] ?? ""),
    );
  row(
    "N",
    models.map((m) => fmtInt(m.nobs)),
  );
  row(
    "Adj. R²",
    models.map((m) => fmtSigned(m.fit?.adj_r2 ?? null, 4)),
  );
  const t: TableData = {
    header,
    subheader: [titles],
    rows,
    stats: foot,
    note: [regressionSeNote(models), "*** p<0.01, ** p<0.05, * p<0.1."].join("\n"),
    layout: "regression",
  };
  if (o.caption) t.caption = o.caption;
  return t;
}

/** TableData in the regression layout as the grid of printed cells. */
function gridOf(t: TableData): Grid {
  const head = [["", ...t.header], ...(t.subheader ?? []).map((r) => ["", ...r])];
  const body = t.rows.flatMap((r) => [
    [r.term, ...r.cells.map((c) => c.est)],
    ["", ...r.cells.map((c) => c.se)],
  ]);
  return { head, body, foot: t.stats.map((s) => [s.label, ...s.cells]), notes: t.note.split("\n") };
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, "\\|");
}

function renderMd(g: Grid): string {
  const rows = [...g.head, ...g.body, ...g.foot];
  const widths = rows[0]!.map((_, j) => Math.max(3, ...rows.map((r) => mdEscape(r[j] ?? "").length)));
  const line = (r: string[]) => "| " + r.map((c, j) => (j === 0 ? mdEscape(c).padEnd(widths[j]!) : mdEscape(c).padStart(widths[j]!))).join(" | ") + " |";
  const out: string[] = [];
  if (g.caption) out.push(`**${g.caption}**`, "");
  out.push(line(g.head[0]!));
  out.push("|" + widths.map((w, j) => (j === 0 ? ":" + "-".repeat(w + 1) : "-".repeat(w + 1) + ":")).join("|") + "|");
  for (const r of [...g.head.slice(1), ...g.body]) out.push(line(r));
  out.push(line(g.head[0]!.map(() => "")));
  for (const r of g.foot) out.push(line(r));
  out.push("", ...g.notes.map((n) => `_${n}_`));
  return out.join("\n") + "\n";
}

function texEscape(s: string): string {
  return s
    .replace(/\\/g, "\\textbackslash{}")
    .replace(/([&%$#_{}])/g, "\\$1")
    .replace(/~/g, "\\textasciitilde{}")
    .replace(/\^/g, "\\textasciicircum{}")
    .replace(/R²/g, "$R^2$");
}

function texCell(c: string): string {
  const m = /^(.*?)(\*{1,3})$/.exec(c);
  if (m) return `${texEscape(m[1]!)}$^{${m[2]}}$`;
  return texEscape(c);
}

function renderLatex(g: Grid): string {
  const k = g.head[0]!.length - 1;
  const row = (r: string[]) => r.map((c, j) => (j === 0 ? texEscape(c) : texCell(c))).join(" & ") + " \\\\";
  const out = ["\\begin{table}[htbp]", "\\centering"];
  if (g.caption) out.push(`\\caption{${texEscape(g.caption)}}`);
  out.push(`\\begin{tabular}{l${"c".repeat(k)}}`, "\\toprule");
  for (const r of g.head) out.push(row(r));
  out.push("\\midrule");
  for (const r of g.body) out.push(row(r));
  out.push("\\midrule");
  for (const r of g.foot) out.push(row(r));
  out.push("\\bottomrule", "\\end{tabular}");
  out.push(`\\par\\smallskip\\footnotesize ${g.notes.map(texEscape).join(" ")}`);
  out.push("\\end{table}");
  return out.join("\n") + "\n";
}

function renderHtml(g: Grid): string {
  const row = (r: string[], tag: string) =>
    "<tr>" + r.map((c, j) => `<${j === 0 && tag === "td" ? 'th scope="row"' : tag}>${esc(c)}</${j === 0 && tag === "td" ? "th" : tag}>`).join("") + "</tr>";
  const out = ['<table class="regression-table">'];
  if (g.caption) out.push(`<caption>${esc(g.caption)}</caption>`);
  out.push("<thead>", ...g.head.map((r) => row(r, "th")), "</thead>");
  out.push("<tbody>", ...g.body.map((r, i) => row(r, "td").replace("<tr>", i % 2 === 1 ? '<tr class="se">' : "<tr>")), "</tbody>");
  out.push(
    "<tfoot>",
    ...g.foot.map((r) => row(r, "td")),
    `<tr class="notes"><td colspan="${g.head[0]!.length}">${g.notes.map(esc).join(" ")}</td></tr>`,
    "</tfoot>",
  );
  out.push("</table>");
  return out.join("\n") + "\n";
}

function renderCsv(g: Grid): string {
  return [...g.head, ...g.body, ...g.foot].map((r) => r.map(csvField).join(",")).join("\n") + "\n";
}

function renderRegressionLayout(t: TableData, format: TableFormat, caption: string): string {
  const g = gridOf(t);
  if (caption) g.caption = caption;
  switch (format) {
    case "md":
      return renderMd(g);
    case "latex":
      return renderLatex(g);
    case "html":
      return renderHtml(g);
    case "csv":
      return renderCsv(g);
  }
}

/** The multi-model regression table of `models` (KeytechResult JSON documents) in the chosen format. */
export function renderRegressionTable(models: KeytechResult[], opts: RegressionTableOptions = {}): string {
  if (models.length === 0) throw new Error("renderRegressionTable: no models");
  return renderTable(regressionTableData(models, opts), opts.format ?? "md");
}

export { escapeHtml } from "./text.js";
export { stars };
