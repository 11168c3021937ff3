/** `keytech did imputation`: Borusyak–Jaravel–Spiess imputation estimator (docs/CONTRACT.md). */
import type { Command } from "commander";
import { usageError } from "../../core/errors.js";
import type { KeytechResult } from "../../core/result.js";
import { imputationAnalysis, loadStaggered, parseIntRange, type DidColumns } from "../../study/analyses/imputation.js";
import { action, emit } from "../run.js";
import { imputationFit } from "../../estimators/imputation.js";
import { imputationVcovMatrix } from "../../inference/imputation-vcov.js";

export interface DidColumnFlags {
  data: string;
  y: string;
  unit: string;
  time: string;
  cohort: string;
  x?: string;
  cluster?: string;
  json?: boolean;
}

/** The column flags shared by the staggered-DID commands. */
export function addColumnFlags(cmd: Command): Command {
  return cmd
    .requiredOption("--data <file>", "panel data file (CSV, TSV or Parquet), one row per unit and period")
    .requiredOption("--y <col>", "outcome column")
    .requiredOption("--unit <col>", "unit id column")
    .requiredOption("--time <col>", "period column (integer)")
    .requiredOption("--cohort <col>", "first treated period (0 or empty = never treated)")
    .option("--x <cols>", "covariates, comma separated")
    .option("--cluster <col>", "cluster variable (default: the unit)")
    .option("--json", "print one JSON document");
}

export function columnsOf(o: DidColumnFlags): DidColumns {
  const x = (o.x ?? "").split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  const c: DidColumns = { data: o.data, y: o.y, unit: o.unit, time: o.time, cohort: o.cohort, x };
  if (o.cluster) c.cluster = o.cluster;
  return c;
}

/** Human table of a result's estimates (and extra blocks rendered by the caller). */
export function estimateTable(res: KeytechResult, title: string): string {
  const f = (v: number | null | undefined, d = 4) => (v === null || v === undefined ? "NA" : v.toFixed(d));
  const lines = [title, `  ${"term".padEnd(16)} ${"estimate".padStart(10)} ${"std.error".padStart(10)} ${"p".padStart(8)}   95% CI`];
  for (const e of res.estimates)
    lines.push(`  ${e.term.padEnd(16)} ${f(e.estimate).padStart(10)} ${f(e.std_error).padStart(10)} ${f(e.p_value, 4).padStart(8)}   [${f(e.conf_low)}, ${f(e.conf_high)}]`);
  lines.push(`  observations: ${res.nobs}`);
  for (const w of res.warnings ?? []) lines.push(`  note: ${w}`);
  return lines.join("\n") + "\n";
}

interface Flags extends DidColumnFlags { horizons?: string; pretrends?: string }

export function registerDidImputation(did: Command): void {
  addColumnFlags(did.command("imputation").description("Borusyak–Jaravel–Spiess imputation estimator: overall ATT and event-time effects with conservative SEs"))
    .option("--horizons <h>", "event-time horizons e ≥ 0 to report, e.g. 0:5 or 0,1,2 (default: all)")
    .option("--pretrends <K>", "pre-trend test with K leads (OLS on untreated observations, cluster-robust Wald)", "0")
    .action(action(async (o: Flags) => {
      const horizons = o.horizons ? parseIntRange(o.horizons, "--horizons") : null;
      if (horizons && horizons.some((e) => e < 0)) throw usageError("--horizons are event times e ≥ 0 (use --pretrends for leads)");
      const K = Number(o.pretrends ?? "0");
      if (!Number.isInteger(K) || K < 0) throw usageError(`--pretrends must be a non-negative integer, got '${o.pretrends}'`);
      const d = await loadStaggered(columnsOf(o));
      const res = imputationAnalysis(d, { horizons, pretrends: K });
      // covariance of the estimates (att, rel::e): a second fit keeping the implied weights
      // (TODO(lead): return it from imputationAnalysis instead)
      res.vcov_matrix = imputationVcovMatrix(imputationFit(d.input, { horizons, keepWeights: true }), d.input);
      emit(res, Boolean(o.json), () => {
        let s = estimateTable(res, `Imputation estimator (Borusyak, Jaravel & Spiess 2024), outcome ${o.y}`);
        const pre = res.pretrends;
        if (pre) {
          s += estimateTable({ ...res, estimates: pre.estimates ?? [], warnings: [] }, "Pre-trend test (untreated observations, lead indicators)").split("\n").filter((l) => !l.includes("observations:")).join("\n");
          if (pre.wald) s += `  joint Wald F(${pre.wald.df1}, ${pre.wald.df2}) = ${pre.wald.stat.toFixed(4)}, p = ${pre.wald.p_value.toFixed(4)}\n`;
        }
        return s;
      });
    }));
}
