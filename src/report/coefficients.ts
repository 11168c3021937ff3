/**
 * The plain-text coefficient print-out of one estimation (what `keytech feols` and `keytech did …` print
 * on the terminal): not a table format, so not part of the table renderer (tables.ts).
 */
import type { KeytechResult } from "../core/result.js";
import { fmtInt } from "./tables.js";
import { stars } from "./text.js";

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
  const m = r.model ?? {};
  const lines: string[] = [];
  lines.push(`keytech ${r.command}${m.formula ? ": " + m.formula : ""}`);
  const fit = r.fit ?? {};
  lines.push(`Observations: ${fmtInt(r.nobs)}   R²: ${num(fit.r2, 4)}   Adj. R²: ${num(fit.adj_r2, 4)}   Within R²: ${num(fit.within_r2, 4)}`);
  const v = r.vcov;
  if (v) {
    const desc =
      v.type === "cluster"
        ? `clustered by ${Object.entries(v.clusters ?? {})
            .map(([k, g]) => `${k} (${g} clusters)`)
            .join(" and ")}`
        : v.type === "hc1"
          ? "heteroskedasticity-robust (HC1)"
          : "iid";
    lines.push(`Standard errors: ${desc}`);
  }
  lines.push("");
  lines.push(...coefficientBlock(r, "t"));
  const pw = r.pretrend_wald;
  if (pw) lines.push(`Pre-trend Wald test (leads jointly 0): F(${pw.df1}, ${pw.df2}) = ${num(pw.stat, 4)}, p = ${pval(pw.p)}`);
  const bs = r.bootstrap;
  if (bs) {
    const ci = bs.conf_low !== null && bs.conf_high !== null ? `, ${Math.round(bs.level * 100)}% CI [${num(bs.conf_low, 4)}, ${num(bs.conf_high, 4)}]` : "";
    lines.push(
      `Wild cluster bootstrap (${bs.weights}, ${bs.enumerated ? "all " + bs.reps + " sign vectors" : bs.reps + " draws"}) for ${bs.term}: p = ${pval(bs.p_value)}${ci}`,
    );
  }
  const d = r.dropped;
  const extra = Object.entries(d)
    .filter(([k, val]) => !["singletons", "missing", "collinear", "missing_by_column"].includes(k) && typeof val === "number")
    .map(([k, val]) => `${val} ${k.replace(/_/g, " ")}`);
  lines.push(
    `Dropped rows: ${d.missing} with missing values, ${d.singletons} singletons${extra.length ? ", " + extra.join(", ") : ""}; collinear: ${d.collinear.length ? d.collinear.join(", ") : "none"}`,
  );
  for (const wmsg of r.warnings ?? []) lines.push(`Warning: ${wmsg}`);
  return lines.join("\n") + "\n";
}

/**
 * The aligned coefficient block of a regression print-out, as fixest's summary: term, estimate, std. error,
 * the t (or z) statistic, its p-value, significance stars and the 95% CI; then the legend.
 */
export function coefficientBlock(
  r: KeytechResult,
  stat: "t" | "z",
  fmt: { num: (v: number | null | undefined, digits: number) => string; pval: (p: number | null) => string } = { num, pval },
): string[] {
  const { num: n, pval: pv } = fmt;
  const header = ["term", "estimate", "std.error", `${stat} value`, `Pr(>|${stat}|)`, "", "95% CI"];
  const rows = r.estimates.map((e) => [
    e.term,
    n(e.estimate, 6),
    n(e.std_error, 6),
    n(e.statistic, 3),
    pv(e.p_value),
    stars(e.p_value),
    `[${n(e.conf_low, 4)}, ${n(e.conf_high, 4)}]`,
  ]);
  const all = [header, ...rows];
  const w = header.map((_, j) => Math.max(...all.map((row) => row[j]!.length)));
  const lines = all.map((row) =>
    row
      .map((c, j) => (j === 0 || j === 5 ? c.padEnd(w[j]!) : c.padStart(w[j]!)))
      .join("  ")
      .trimEnd(),
  );
  lines.push("---", "Signif. codes: *** 0.01, ** 0.05, * 0.1");
  return lines;
}
