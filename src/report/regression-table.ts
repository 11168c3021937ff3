/**
 * Regression tables as economists lay them out (the seed paper's Table 1): one column per model, the
 * coefficient with significance stars (*** p < 0.01, ** p < 0.05, * p < 0.1) and its standard error in
 * parentheses below, rows "Controls" and one per fixed effect with Yes/No, N and adjusted R². Rendered
 * as Markdown, LaTeX (booktabs), HTML or CSV. Also the single-model coefficient table that estimation
 * commands print.
 */
import type { EstimateRow, KeytechResult } from "../core/result.js";
import { csvField, escapeHtml, stars } from "./text.js";

export { stars };

export type TableFormat = "md" | "latex" | "html" | "csv";

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

interface Grid {
  head: string[][];
  /** coefficient rows: [label, cells…]; each coefficient has an estimate row and an SE row */
  body: string[][];
  foot: string[][];
  notes: string[];
  caption?: string;
}

function fmt(v: number | null | undefined, digits: number): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "";
  const s = v.toFixed(digits);
  return /^-0\.0*$/.test(s) ? s.slice(1) : s;
}

function fmtInt(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
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

interface ModelMeta {
  depvar?: string;
  fixed_effects?: string[];
  controls?: string[];
}

function meta(m: KeytechResult): ModelMeta {
  return (m.model as ModelMeta | undefined) ?? {};
}

function seNote(models: KeytechResult[]): string {
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

function buildGrid(models: KeytechResult[], o: RegressionTableOptions): Grid {
  const digits = o.digits ?? 4;
  const label = (s: string) => o.labels?.[s] ?? s;
  const k = models.length;
  const head: string[][] = [["", ...models.map((_, j) => `(${j + 1})`)]];
  head.push(["", ...models.map((m, j) => o.titles?.[j] ?? label(meta(m).depvar ?? ""))]);

  // terms in order of first appearance (or keep order)
  let terms: string[] = [];
  for (const m of models) for (const e of m.estimates) if (!terms.includes(e.term)) terms.push(e.term);
  if (o.keep?.length) {
    const keep = o.keep;
    terms = terms.filter((t) => matchesKeep(t, keep) >= 0).sort((a, b) => matchesKeep(a, keep) - matchesKeep(b, keep));
  }
  const shown = new Set(terms);
  const body: string[][] = [];
  for (const t of terms) {
    const est: string[] = [label(t)], se: string[] = [""];
    for (const m of models) {
      const e: EstimateRow | undefined = m.estimates.find((r) => r.term === t);
      est.push(e ? fmt(e.estimate, digits) + stars(e.p_value) : "");
      se.push(e && e.std_error !== null && Number.isFinite(e.std_error) ? `(${fmt(e.std_error, digits)})` : "");
    }
    body.push(est, se);
  }

  const foot: string[][] = [];
  const hidden = models.map((m) => {
    const c = meta(m).controls;
    const pool = c ?? m.estimates.map((e) => e.term);
    return pool.some((x) => !shown.has(x));
  });
  if (hidden.some((h) => h)) foot.push(["Controls", ...hidden.map((h) => (h ? "Yes" : "No"))]);
  const fes: string[] = [];
  for (const m of models) for (const f of meta(m).fixed_effects ?? []) if (!fes.includes(f)) fes.push(f);
  for (const f of fes) foot.push([`${label(f)} FE`, ...models.map((m) => ((meta(m).fixed_effects ?? []).includes(f) ? "Yes" : "No"))]);
  for (const r of o.extraRows ?? []) foot.push([r.label, ...Array.from({ length: k }, (_, j) => r.values[j] ?? "")]);
  foot.push(["N", ...models.map((m) => fmtInt(m.nobs))]);
  foot.push(["Adj. R²", ...models.map((m) => fmt(m.fit?.adj_r2 ?? null, 4))]);
  const notes = [seNote(models), "*** p<0.01, ** p<0.05, * p<0.1."];
  const g: Grid = { head, body, foot, notes };
  if (o.caption) g.caption = o.caption;
  return g;
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
  const row = (r: string[], tag: string) => "<tr>" + r.map((c, j) => `<${j === 0 && tag === "td" ? "th scope=\"row\"" : tag}>${escapeHtml(c)}</${j === 0 && tag === "td" ? "th" : tag}>`).join("") + "</tr>";
  const out = ['<table class="regression-table">'];
  if (g.caption) out.push(`<caption>${escapeHtml(g.caption)}</caption>`);
  out.push("<thead>", ...g.head.map((r) => row(r, "th")), "</thead>");
  out.push("<tbody>", ...g.body.map((r, i) => row(r, "td").replace("<tr>", i % 2 === 1 ? '<tr class="se">' : "<tr>")), "</tbody>");
  out.push("<tfoot>", ...g.foot.map((r) => row(r, "td")), `<tr class="notes"><td colspan="${g.head[0]!.length}">${g.notes.map(escapeHtml).join(" ")}</td></tr>`, "</tfoot>");
  out.push("</table>");
  return out.join("\n") + "\n";
}

function renderCsv(g: Grid): string {
  return [...g.head, ...g.body, ...g.foot].map((r) => r.map(csvField).join(",")).join("\n") + "\n";
}

/** The multi-model regression table of `models` (KeytechResult JSON documents) in the chosen format. */
export function renderRegressionTable(models: KeytechResult[], opts: RegressionTableOptions = {}): string {
  if (models.length === 0) throw new Error("renderRegressionTable: no models");
  const g = buildGrid(models, opts);
  switch (opts.format ?? "md") {
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

function num(v: number | null | undefined, digits: number): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "NA";
  return v.toFixed(digits);
}

function pval(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return "NA";
  return p < 1e-4 ? p.toExponential(2) : p.toFixed(5);
}

/** Plain-text coefficient table for one estimation (what `keytech feols` and `keytech did …` print). */
export function renderCoefficients(r: KeytechResult): string {
  const m = meta(r) as ModelMeta & { formula?: string };
  const lines: string[] = [];
  lines.push(`keytech ${r.command}${m.formula ? ": " + m.formula : ""}`);
  const fit = r.fit ?? {};
  lines.push(`Observations: ${fmtInt(r.nobs)}   R²: ${num(fit.r2 as number, 4)}   Adj. R²: ${num(fit.adj_r2 as number, 4)}   Within R²: ${num(fit.within_r2 as number, 4)}`);
  const v = r.vcov;
  if (v) {
    const desc = v.type === "cluster" ? `clustered by ${Object.entries(v.clusters ?? {}).map(([k, g]) => `${k} (${g} clusters)`).join(" and ")}` : v.type === "hc1" ? "heteroskedasticity-robust (HC1)" : "iid";
    lines.push(`Standard errors: ${desc}`);
  }
  lines.push("");
  const header = ["term", "estimate", "std.error", "t value", "Pr(>|t|)", "", "95% CI"];
  const rows = r.estimates.map((e) => [e.term, num(e.estimate, 6), num(e.std_error, 6), num(e.statistic, 3), pval(e.p_value), stars(e.p_value), `[${num(e.conf_low, 4)}, ${num(e.conf_high, 4)}]`]);
  const all = [header, ...rows];
  const w = header.map((_, j) => Math.max(...all.map((row) => row[j]!.length)));
  for (const row of all) lines.push(row.map((c, j) => (j === 0 || j === 5 ? c.padEnd(w[j]!) : c.padStart(w[j]!))).join("  ").trimEnd());
  lines.push("---", "Signif. codes: *** 0.01, ** 0.05, * 0.1");
  const pw = r.pretrend_wald as { stat: number; p: number; df1: number; df2: number } | null | undefined;
  if (pw) lines.push(`Pre-trend Wald test (leads jointly 0): F(${pw.df1}, ${pw.df2}) = ${num(pw.stat, 4)}, p = ${pval(pw.p)}`);
  const bs = r.bootstrap as { term: string; p_value: number; conf_low: number | null; conf_high: number | null; reps: number; weights: string; enumerated: boolean; level: number } | undefined;
  if (bs) {
    const ci = bs.conf_low !== null && bs.conf_high !== null ? `, ${Math.round(bs.level * 100)}% CI [${num(bs.conf_low, 4)}, ${num(bs.conf_high, 4)}]` : "";
    lines.push(`Wild cluster bootstrap (${bs.weights}, ${bs.enumerated ? "all " + bs.reps + " sign vectors" : bs.reps + " draws"}) for ${bs.term}: p = ${pval(bs.p_value)}${ci}`);
  }
  const d = r.dropped;
  const extra = Object.entries(d)
    .filter(([k, val]) => !["singletons", "missing", "collinear", "missing_by_column"].includes(k) && typeof val === "number")
    .map(([k, val]) => `${val} ${k.replace(/_/g, " ")}`);
  lines.push(`Dropped rows: ${d.missing} with missing values, ${d.singletons} singletons${extra.length ? ", " + extra.join(", ") : ""}; collinear: ${d.collinear.length ? d.collinear.join(", ") : "none"}`);
  for (const wmsg of r.warnings ?? []) lines.push(`Warning: ${wmsg}`);
  return lines.join("\n") + "\n";
}
