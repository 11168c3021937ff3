/**
 * `keytech did cs`: Callaway–Sant'Anna group-time ATTs and their aggregations (docs/CONTRACT.md).
 * Also exports the column flags (and the DID panel they name) shared by the other staggered-DID commands of this family.
 */
import type { Command } from "commander";
import { z } from "zod";
import { usageError } from "../../core/errors.js";
import { readDidPanel, type DidPanelSpec } from "../../data/panel.js";
import { longPanelInput } from "../../analyses/cs.js";
import { csAnalysisWithVcov } from "../../analyses/cs-dynamic.js";
import { alphaOf, alphaToLevel, deprecate, describeVcov, int, level, oneOf, parseOptions, window } from "../flags.js";
import { action, emit, printWarnings } from "../run.js";

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

export const list = (s: string | undefined): string[] =>
  (s ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v.length > 0);

/** Add the shared column flags (--data --y --unit --time --cohort [--x] [--weights] [--cluster] [--json]). */
export function didColumnOptions(cmd: Command, o: { unitOptional?: boolean } = {}): Command {
  const c = cmd.requiredOption("--data <file>", "data file (.csv, .tsv, .parquet): one row per unit and period").requiredOption("--y <col>", "outcome column");
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

/** The DID panel the column flags name (read as is: the estimators check it). */
export function didPanelSpec(o: DidColumnFlags, extra: string[] = []): DidPanelSpec {
  return {
    file: o.data,
    y: o.y,
    unit: o.unit,
    time: o.time,
    cohort: o.cohort,
    x: list(o.x),
    weights: o.weights,
    cluster: o.cluster ? [o.cluster] : [],
    factors: extra,
  };
}

const schema = z.object({
  control: oneOf("--control", ["never", "notyet"] as const, { nevertreated: "never", notyettreated: "notyet" }),
  method: oneOf("--method", ["dr", "ipw", "reg", "dr-imp"] as const),
  base: oneOf("--base", ["varying", "universal"] as const),
  anticipation: int("--anticipation", 0),
  vcov: oneOf("--vcov", ["analytic", "bootstrap"] as const, { "influence-function": "analytic", if: "analytic", multiplier: "bootstrap" }).optional(),
  reps: int("--reps", 1).optional(),
  seed: int("--seed", 0),
  level,
  window: window({ open: true }).optional(),
  balanceE: int("--balance-e").optional(),
  groupWif: oneOf("--group-wif", ["did", "textbook"] as const),
  allowUnbalanced: z.boolean().optional(),
  panel: oneOf("--panel", ["true", "false"] as const),
  rcIf: oneOf("--rc-if", ["did", "corrected"] as const),
  unit: z.string().optional(),
  method_: z.undefined().optional(),
});

const fmt = (v: number | null | undefined, d = 5): string => (v === null || v === undefined ? "NA" : v.toFixed(d));

/** `--min-e E` / `--max-e E` (did's min_e, max_e) → one end of --window. */
const windowEnd = (end: 0 | 1) => (v: string | boolean, aliased: (flag: string) => string | undefined) => {
  const cur = (aliased("--window") ?? ":").split(":");
  cur[end] = String(v);
  return { "--window": cur.join(":") };
};

export function registerDidCs(did: Command): void {
  const cmd = didColumnOptions(did.command("cs").description("Callaway–Sant'Anna group-time ATTs with simple, dynamic, group and calendar aggregations"), {
    unitOptional: true,
  })
    .option("--control <c>", "comparison group: never | notyet", "never")
    .option("--method <m>", "2×2 estimator: dr | ipw | reg | dr-imp (improved DR)", "dr")
    .option("--base <b>", "base period: varying | universal", "varying")
    .option("--anticipation <k>", "anticipation periods", "0")
    .option("--vcov <type>", "analytic (influence-function SEs, the default) | bootstrap (multiplier bootstrap: SEs and uniform bands)")
    .option("--reps <n>", "multiplier-bootstrap draws with --vcov bootstrap (default 1000, as did's biters)")
    .option("--seed <s>", "bootstrap seed", "1")
    .option("--level <l>", "confidence level of the intervals", "0.95")
    .option("--window <a:b>", "event times of the dynamic aggregation, FIRST:LAST (either may be empty; LAST also limits simple and group; did's min_e, max_e)")
    .option("--balance-e <e>", "dynamic aggregation: only cohorts observed e periods after treatment")
    .option("--group-wif <v>", "group-overall SE: did (as R did computes it) | textbook (WIF with each group's own cohort)", "did")
    .option(
      "--allow-unbalanced",
      "unbalanced panels: estimate the cells with the repeated-cross-section estimators, unit ids kept (did allow_unbalanced_panel)",
    )
    .option("--panel <bool>", "false: repeated cross sections (every row its own unit; --unit not needed)", "true")
    .option(
      "--rc-if <v>",
      "repeated-cross-section DR influence function: did (as DRDID drdid_rc computes it) | corrected (sign of the base-period regression term fixed)",
      "did",
    );
  deprecate(cmd, "--bootstrap <n>", ["--vcov", "--reps"], {
    hint: "--vcov bootstrap --reps N",
    map: (v): Record<string, string | boolean> => (String(v).trim() === "0" ? { "--vcov": "analytic" } : { "--vcov": "bootstrap", "--reps": v }),
  });
  deprecate(cmd, "--alpha <a>", "--level", { hint: "--level (= 1 − alpha)", map: (v) => ({ "--level": alphaToLevel("--alpha", String(v)) }) });
  deprecate(cmd, "--min-e <e>", "--window", { hint: "--window FIRST:LAST", map: windowEnd(0) });
  deprecate(cmd, "--max-e <e>", "--window", { hint: "--window FIRST:LAST", map: windowEnd(1) });
  cmd.action(
    action(async (raw: DidColumnFlags) => {
      const o = { ...raw, ...parseOptions(schema, raw, "did cs") };
      const control = o.control;
      const alpha = alphaOf(o.level);
      if (o.reps !== undefined && o.vcov !== "bootstrap") throw usageError("--reps needs --vcov bootstrap");
      const isPanel = o.panel === "true";
      if (isPanel && !o.unit) throw usageError("--unit is required (or --panel false for repeated cross sections)");
      const panel = await readDidPanel(didPanelSpec(o));
      const input = longPanelInput(panel),
        inputs = panel.inputs;
      const minE = typeof o.window?.first === "number" ? o.window.first : undefined,
        maxE = o.window?.last ?? undefined,
        balanceE = o.balanceE ?? null;
      const res = csAnalysisWithVcov(input, {
        didGroupWif: o.groupWif === "did",
        control,
        method: o.method,
        base: o.base,
        anticipation: o.anticipation,
        bootstrap: o.vcov === "bootstrap" ? (o.reps ?? 1000) : 0,
        seed: o.seed,
        alpha,
        minE,
        maxE,
        balanceE,
        allowUnbalanced: Boolean(o.allowUnbalanced),
        panel: isPanel,
        rcCorrectedIf: o.rcIf === "corrected",
        inputs,
      });
      printWarnings(res);
      emit(res, Boolean(o.json), () => {
        const path = String((res.provenance.options as { estimator_path?: string }).estimator_path ?? "panel");
        const lines = [
          `Callaway–Sant'Anna (${o.method}, ${control === "never" ? "never-treated" : "not-yet-treated"} controls, ${o.base} base; ${path}), ${String(res.n_units)} ${isPanel ? "units" : "observations"} × ${String(res.n_periods)} periods; standard errors: ${describeVcov(res.vcov as Parameters<typeof describeVcov>[0])}`,
        ];
        lines.push("", "  group   time   ATT(g,t)     SE");
        for (const c of res.att_gt as { group: number; time: number; estimate: number | null; std_error: number | null }[])
          lines.push(`  ${String(c.group).padEnd(7)} ${String(c.time).padEnd(6)} ${fmt(c.estimate).padStart(9)} ${fmt(c.std_error).padStart(9)}`);
        lines.push("", `  aggregation   ATT         SE         ${Math.round(o.level * 1000) / 10}% CI`);
        for (const e of res.estimates)
          lines.push(`  ${e.term.padEnd(13)} ${fmt(e.estimate).padStart(9)} ${fmt(e.std_error).padStart(9)}   [${fmt(e.conf_low)}, ${fmt(e.conf_high)}]`);
        lines.push("", "  event time   ATT         SE");
        for (const b of res.aggregations?.dynamic?.by ?? [])
          lines.push(`  ${String(b.e).padEnd(10)} ${fmt(b.estimate).padStart(9)} ${fmt(b.std_error).padStart(9)}`);
        const pt = res.pre_test ?? null;
        if (pt) lines.push("", `  pre-test of parallel trends: W = ${pt.statistic.toFixed(4)}, χ²(${pt.df}), p = ${pt.p_value.toFixed(5)}`);
        return lines.join("\n") + "\n";
      });
    }),
  );
}
