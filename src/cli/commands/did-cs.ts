/**
 * `keytech did cs`: Callaway–Sant'Anna group-time ATTs and their aggregations (docs/CONTRACT.md).
 * Also exports the column-flag reader shared by the other staggered-DID commands of this family.
 */
import type { Command } from "commander";
import { usageError } from "../../core/errors.js";
import { sha256File } from "../../core/hash.js";
import { readTable, type ColumnRequest } from "../../data/read.js";
import type { Column } from "../../data/table.js";
import type { LongPanelInput } from "../../estimators/cs-panel.js";
import { csCompute } from "../../study/analyses/cs.js";
import { csDynamicVcov } from "../../inference/cs-aggregate.js";
import { action, emit } from "../run.js";

export interface DidColumnFlags {
  data: string;
  y: string;
  /** optional only where `didColumnOptions(cmd, { unitOptional: true })` (repeated cross sections) */
  unit: string;
  time: string;
  cohort: string;
  x?: string;
  weights?: string;
  cluster?: string;
  json?: boolean;
}

export const list = (s: string | undefined): string[] => (s ?? "").split(",").map((v) => v.trim()).filter((v) => v.length > 0);

/** Add the shared column flags (--data --y --unit --time --cohort [--x] [--weights] [--cluster] [--json]). */
export function didColumnOptions(cmd: Command, o: { unitOptional?: boolean } = {}): Command {
  const c = cmd
    .requiredOption("--data <file>", "data file (.csv, .tsv, .parquet): one row per unit and period")
    .requiredOption("--y <col>", "outcome column");
  if (o.unitOptional) c.option("--unit <col>", "unit id column (not needed with --panel false)");
  else c.requiredOption("--unit <col>", "unit id column");
  return c
    .requiredOption("--time <col>", "period column (numeric)")
    .requiredOption("--cohort <col>", "first treated period column (0 or empty = never treated)")
    .option("--x <cols>", "covariates, comma separated")
    .option("--weights <col>", "sampling weights (constant within unit)")
    .option("--cluster <col>", "cluster variable (the unit or a coarser level)")
    .option("--json", "print one JSON document");
}

const values = (c: Column): ArrayLike<string | number> => (c.kind === "num" ? c.values : (c.values as (string | number)[]));

/** Read the columns the flags name into a long panel input, with the file hash for provenance. */
export async function readDidInput(o: DidColumnFlags, extra: string[] = []): Promise<{ input: LongPanelInput; inputs: Record<string, string>; extra: Map<string, Column> }> {
  const xs = list(o.x);
  const req: ColumnRequest[] = [
    { column: o.y, type: "number" },
    ...(o.unit ? [{ column: o.unit, type: "auto" as const }] : []),
    { column: o.time, type: "number" },
    { column: o.cohort, type: "number" },
    ...xs.map((c) => ({ column: c, type: "number" as const })),
    ...(o.weights ? [{ column: o.weights, type: "number" as const }] : []),
    ...(o.cluster ? [{ column: o.cluster, type: "auto" as const }] : []),
    ...extra.map((c) => ({ column: c, type: "auto" as const })),
  ];
  const seen = new Set<string>();
  const uniq = req.filter((r) => (seen.has(r.column) ? false : (seen.add(r.column), true)));
  const t = await readTable(o.data, uniq);
  const col = (name: string): Column => t.columns.get(name)!;
  const num = (name: string): Float64Array => {
    const c = col(name);
    if (c.kind !== "num") throw usageError(`column '${name}' must be numeric`);
    return c.values;
  };
  const input: LongPanelInput = {
    file: o.data,
    names: { y: o.y, unit: o.unit ?? "row", time: o.time, cohort: o.cohort, weights: o.weights, cluster: o.cluster },
    y: num(o.y), unit: o.unit ? values(col(o.unit)) : Int32Array.from({ length: num(o.y).length }, (_, r) => r), time: num(o.time), cohort: num(o.cohort),
    x: xs.map((c) => ({ name: c, values: num(c) })),
    weights: o.weights ? num(o.weights) : undefined,
    cluster: o.cluster ? values(col(o.cluster)) : undefined,
    rowNumbers: t.rowNumbers,
  };
  const ex = new Map<string, Column>();
  for (const c of extra) ex.set(c, col(c));
  return { input, inputs: { [o.data]: await sha256File(o.data) }, extra: ex };
}

interface CsFlags extends DidColumnFlags {
  control: string;
  method: string;
  base: string;
  anticipation: string;
  bootstrap?: string;
  seed?: string;
  alpha: string;
  minE?: string;
  maxE?: string;
  balanceE?: string;
  allowUnbalanced?: boolean;
  panel: string;
  rcIf: string;
  groupWif: string;
}

const intFlag = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  const k = Number(v);
  if (!Number.isInteger(k)) throw usageError(`${name} must be an integer, got '${v}'`);
  return k;
};

const fmt = (v: number | null | undefined, d = 5): string => (v === null || v === undefined ? "NA" : v.toFixed(d));

export function registerDidCs(did: Command): void {
  didColumnOptions(did.command("cs").description("Callaway–Sant'Anna group-time ATTs with simple, dynamic, group and calendar aggregations"), { unitOptional: true })
    .option("--control <c>", "comparison group: never | notyet", "never")
    .option("--method <m>", "2×2 estimator: dr | ipw | reg | dr-imp (improved DR)", "dr")
    .option("--base <b>", "base period: varying | universal", "varying")
    .option("--anticipation <k>", "anticipation periods", "0")
    .option("--bootstrap <n>", "multiplier-bootstrap draws (SEs and uniform bands); default analytic SEs")
    .option("--seed <s>", "bootstrap seed", "1")
    .option("--alpha <a>", "significance level of the confidence intervals", "0.05")
    .option("--min-e <e>", "dynamic aggregation: smallest event time")
    .option("--max-e <e>", "dynamic aggregation: largest event time (also limits simple and group)")
    .option("--balance-e <e>", "dynamic aggregation: only cohorts observed e periods after treatment")
    .option("--group-wif <v>", "group-overall SE: did (as R did computes it) | textbook (WIF with each group's own cohort)", "did")
    .option("--allow-unbalanced", "unbalanced panels: estimate the cells with the repeated-cross-section estimators, unit ids kept (did allow_unbalanced_panel)")
    .option("--panel <bool>", "false: repeated cross sections (every row its own unit; --unit not needed)", "true")
    .option("--rc-if <v>", "repeated-cross-section DR influence function: did (as DRDID drdid_rc computes it) | corrected (sign of the base-period regression term fixed)", "did")
    .action(action(async (o: CsFlags) => {
      const control = o.control === "never" || o.control === "nevertreated" ? "never" : o.control === "notyet" || o.control === "notyettreated" ? "notyet" : null;
      if (!control) throw usageError(`--control must be never or notyet, got '${o.control}'`);
      if (!["dr", "ipw", "reg", "dr-imp"].includes(o.method)) throw usageError(`--method must be dr, ipw, reg or dr-imp, got '${o.method}'`);
      if (!["varying", "universal"].includes(o.base)) throw usageError(`--base must be varying or universal, got '${o.base}'`);
      const anticipation = intFlag(o.anticipation, "--anticipation")!;
      if (anticipation < 0) throw usageError("--anticipation must be ≥ 0");
      const alpha = Number(o.alpha);
      if (!(alpha > 0 && alpha < 1)) throw usageError(`--alpha must be in (0, 1), got '${o.alpha}'`);
      if (!["did", "textbook"].includes(o.groupWif)) throw usageError(`--group-wif must be did or textbook, got '${o.groupWif}'`);
      if (!["true", "false"].includes(o.panel)) throw usageError(`--panel must be true or false, got '${o.panel}'`);
      if (!["did", "corrected"].includes(o.rcIf)) throw usageError(`--rc-if must be did or corrected, got '${o.rcIf}'`);
      const isPanel = o.panel === "true";
      if (isPanel && !o.unit) throw usageError("--unit is required (or --panel false for repeated cross sections)");
      const { input, inputs } = await readDidInput(o);
      const minE = intFlag(o.minE, "--min-e"), maxE = intFlag(o.maxE, "--max-e"), balanceE = intFlag(o.balanceE, "--balance-e") ?? null;
      const comp = csCompute(input, {
        didGroupWif: o.groupWif === "did",
        control, method: o.method as "dr", base: o.base as "varying", anticipation,
        bootstrap: intFlag(o.bootstrap, "--bootstrap") ?? 0, seed: intFlag(o.seed, "--seed") ?? 1, alpha,
        minE, maxE, balanceE,
        allowUnbalanced: Boolean(o.allowUnbalanced), panel: isPanel, rcCorrectedIf: o.rcIf === "corrected", inputs,
      });
      const res = comp.result;
      // covariance of the dynamic aggregation (analytic, from the influence functions), for `did honest`
      res.vcov_matrix = csDynamicVcov(comp.fit, comp.gram, { minE, maxE, balanceE, naRm: true, didGroupWif: o.groupWif === "did" });
      for (const w of res.warnings ?? []) process.stderr.write(`keytech: warning: ${w}\n`);
      emit(res, Boolean(o.json), () => {
        const path = String((res.provenance.options as { estimator_path?: string }).estimator_path ?? "panel");
        const lines = [`Callaway–Sant'Anna (${o.method}, ${control === "never" ? "never-treated" : "not-yet-treated"} controls, ${o.base} base; ${path}), ${String(res.n_units)} ${isPanel ? "units" : "observations"} × ${String(res.n_periods)} periods; SEs: ${res.vcov!.type}`];
        lines.push("", "  group   time   ATT(g,t)     SE");
        for (const c of res.att_gt as { group: number; time: number; estimate: number | null; std_error: number | null }[])
          lines.push(`  ${String(c.group).padEnd(7)} ${String(c.time).padEnd(6)} ${fmt(c.estimate).padStart(9)} ${fmt(c.std_error).padStart(9)}`);
        lines.push("", "  aggregation   ATT         SE         95% CI");
        for (const e of res.estimates) lines.push(`  ${e.term.padEnd(13)} ${fmt(e.estimate).padStart(9)} ${fmt(e.std_error).padStart(9)}   [${fmt(e.conf_low)}, ${fmt(e.conf_high)}]`);
        lines.push("", "  event time   ATT         SE");
        for (const b of res.aggregations?.dynamic?.by ?? []) lines.push(`  ${String(b.e).padEnd(10)} ${fmt(b.estimate).padStart(9)} ${fmt(b.std_error).padStart(9)}`);
        const pt = res.pre_test ?? null;
        if (pt) lines.push("", `  pre-test of parallel trends: W = ${pt.statistic.toFixed(4)}, χ²(${pt.df}), p = ${pt.p_value.toFixed(5)}`);
        return lines.join("\n") + "\n";
      });
    }));
}
