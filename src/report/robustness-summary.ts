/**
 * The robustness checks in one table, as journals print them: one column per check (alternative
 * outcomes, index control, unit trends, stacked DID, concurrent programs, triple difference, sample
 * exclusions), the headline coefficient with its SE, and rows saying what each column changes —
 * outcome, controls, fixed effects, sample — plus N and adjusted R².
 */
import { termLabel } from "../core/labels.js";
import type { BlockRecord, StudyRun } from "../core/report-data.js";
import { estimateCell, seNote, type TableData } from "./tables.js";

/** Blocks of the summary, in the report's order, and what each column changes. */
const CHECKS: Record<
  string,
  { check: string; outcome?: boolean; controls: (m: string, vars: Record<string, string>) => string; fe: string; sample: (m: string, label: string) => string }
> = {
  alt_outcomes: { check: "Alternative outcome", outcome: true, controls: () => "yes", fe: "unit, time", sample: () => "full" },
  digital_index: { check: "Index control", controls: () => "yes + index", fe: "unit, time", sample: () => "full" },
  county_trends: { check: "Unit trends", controls: () => "yes", fe: "unit, time, unit trends", sample: () => "full" },
  stacked: { check: "Stacked DID", controls: () => "yes", fe: "unit × stack, time × stack", sample: () => "stacked clean controls" },
  other_policies: {
    check: "Concurrent programs",
    controls: (m, vars) =>
      `yes + ${m
        .split("+")
        .map((p) => termLabel(p, vars))
        .join(", ")}`,
    fe: "unit, time",
    sample: () => "full",
  },
  ddd: { check: "Triple difference", controls: () => "yes", fe: "unit, time", sample: () => "both treated groups" },
  exclusions: { check: "Sample exclusion", controls: () => "yes", fe: "unit, time", sample: (_m, label) => label.replace(/^\(\d+\)\s*/, "") },
};

/** The summary table of a run's robustness blocks (null when fewer than two columns ran). */
export function robustnessSummary(run: StudyRun): TableData | null {
  const vars = run.labels?.variables ?? {};
  const cols: { b: BlockRecord; m: NonNullable<BlockRecord["output"]>["models"][number] }[] = [];
  for (const b of run.blocks) if (b.status === "ok" && CHECKS[b.id] && b.output) for (const m of b.output.models) cols.push({ b, m });
  if (cols.length < 2) return null;
  const unit = run.labels?.unit ?? "unit",
    time = run.labels?.time ?? "time";
  const words = (s: string) => s.replace(/\bunit\b/g, unit).replace(/\btime\b/g, time);
  const row = (label: string, f: (c: (typeof cols)[number]) => string) => ({ label, cells: cols.map(f) });
  const model = cols.map((c) => ({ ...c.m, label: `(${cols.indexOf(c) + 1})` }));
  return {
    header: cols.map((c, j) => `(${j + 1}) ${CHECKS[c.b.id]!.check}`),
    rows: [{ term: termLabel("treat_post", vars), cells: cols.map((c) => estimateCell(c.m.result.estimates.find((e) => e.term === "treat_post"))) }],
    stats: [
      row("Table", (c) => c.b.table ?? c.b.id),
      row("Outcome", (c) => (CHECKS[c.b.id]!.outcome ? c.m.label.replace(/^\(\d+\)\s*/, "") : run.outcome.label)),
      row("Controls", (c) =>
        run.model.controls.length
          ? CHECKS[c.b.id]!.controls(c.m.name, vars)
          : CHECKS[c.b.id]!.controls(c.m.name, vars)
              .replace(/^yes( \+ )?/, "")
              .trim() || "no",
      ),
      row("Fixed effects", (c) => words(CHECKS[c.b.id]!.fe)),
      row("Sample", (c) => CHECKS[c.b.id]!.sample(c.m.name, c.m.label)),
      row("N", (c) => (c.m.result.nobs ? String(c.m.result.nobs) : "")),
      row("Adj. R²", (c) => {
        const v = c.m.result.fit?.adj_r2;
        return typeof v === "number" && Number.isFinite(v) ? v.toFixed(4) : "";
      }),
    ],
    note: `${seNote(model)} The coefficient is Treat × Post in every column; in the triple difference it is Program × Post × Treated group (the treated group's extra effect), in stacked DID the static stacked coefficient. Each check's own table follows.`,
  };
}
