/** `keytech feols --data F --formula "y ~ x | fe1 + fe2" …` and the regression flags shared with `did twfe/event`. */
import type { Command } from "commander";
import { usageError } from "../../core/errors.js";
import { writeFileAtomic } from "../../core/atomic.js";
import { resultToJson, type KeytechResult } from "../../core/result.js";
import { feolsAnalysis } from "../../study/analyses/feols.js";
import type { RegressionOptions } from "../../study/analyses/model-input.js";
import { renderCoefficients } from "../../report/regression-table.js";
import { action, emit } from "../run.js";

export interface RegressionFlags {
  vcov?: string;
  cluster?: string;
  weights?: string;
  winsor?: string;
  trim?: string;
  quantileType?: string;
  keepSingletons?: boolean;
  level?: string;
  json?: boolean;
  out?: string;
  bootstrap?: string;
  reps?: string;
  seed?: string;
  wildWeights?: string;
  bootTerm?: string;
}

/** Flags every regression command takes. */
export function addRegressionOptions(cmd: Command): Command {
  return cmd
    .option("--vcov <type>", "variance: iid, hc1 or cluster")
    .option("--cluster <cols>", "cluster column(s), comma-separated for multiway clustering")
    .option("--weights <col>", "observation weights column")
    .option("--winsor <p>", "winsorise the outcome at the p and 1-p quantiles (e.g. 0.05)")
    .option("--trim <p>", "drop rows whose outcome lies outside the p and 1-p quantiles")
    .option("--quantile-type <t>", "quantile definition for --winsor/--trim: 7 (R, default) or 2 (Stata _pctile)")
    .option("--keep-singletons", "keep observations alone in a fixed-effect group (default: drop them, as fixest and reghdfe)")
    .option("--level <l>", "confidence level for intervals", "0.95")
    .option("--bootstrap <type>", "wild: wild cluster restricted bootstrap p-value and CI (first cluster variable)")
    .option("--reps <n>", "bootstrap draws (default 9999)")
    .option("--seed <s>", "bootstrap seed (required with --bootstrap)")
    .option("--wild-weights <w>", "rademacher (default), webb or mammen")
    .option("--boot-term <term>", "coefficient to bootstrap (default: treat_post / the first regressor)")
    .option("--json", "print the JSON result on stdout")
    .option("--out <file>", "also write the JSON result to this file");
}

/** A number flag, or a usage error naming it. */
export function numberFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === "" || !Number.isFinite(x)) throw usageError(`--${name} must be a number, got '${v}'`);
  return x;
}

/** Comma-separated column list. */
export function listFlag(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const xs = v.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  return xs.length ? xs : undefined;
}

export function regressionOptionsFrom(f: RegressionFlags): RegressionOptions {
  const o: RegressionOptions = {};
  if (f.vcov !== undefined) {
    const v = f.vcov.toLowerCase();
    const map: Record<string, RegressionOptions["vcov"]> = { iid: "iid", hc1: "hc1", hetero: "hc1", cluster: "cluster" };
    if (!map[v]) throw usageError(`--vcov must be iid, hc1 or cluster, got '${f.vcov}'`);
    o.vcov = map[v];
  }
  const cl = listFlag(f.cluster);
  if (cl) o.cluster = cl;
  if (f.weights) o.weights = f.weights;
  const w = numberFlag("winsor", f.winsor);
  if (w !== undefined) o.winsor = w;
  const t = numberFlag("trim", f.trim);
  if (t !== undefined) o.trim = t;
  if (f.quantileType !== undefined) {
    if (f.quantileType !== "2" && f.quantileType !== "7") throw usageError(`--quantile-type must be 7 or 2, got '${f.quantileType}'`);
    o.quantileType = Number(f.quantileType) as 2 | 7;
  }
  if (f.keepSingletons) o.keepSingletons = true;
  const level = numberFlag("level", f.level);
  if (level !== undefined) {
    if (!(level > 0 && level < 1)) throw usageError(`--level must be between 0 and 1, got ${level}`);
    if (level !== 0.95) o.level = level;
  }
  if (f.bootstrap !== undefined) {
    if (f.bootstrap !== "wild") throw usageError(`--bootstrap must be 'wild', got '${f.bootstrap}'`);
    const seed = numberFlag("seed", f.seed);
    if (seed === undefined || !Number.isInteger(seed)) throw usageError("--bootstrap wild needs --seed S (an integer) so that the result can be reproduced");
    const reps = numberFlag("reps", f.reps) ?? 9999;
    if (!Number.isInteger(reps) || reps < 1) throw usageError(`--reps must be a positive integer, got '${f.reps}'`);
    const w = (f.wildWeights ?? "rademacher").toLowerCase();
    if (w !== "rademacher" && w !== "webb" && w !== "mammen") throw usageError(`--wild-weights must be rademacher, webb or mammen, got '${f.wildWeights}'`);
    o.bootstrap = { reps, seed, weights: w };
    if (f.bootTerm) o.bootstrap.term = f.bootTerm;
  } else if (f.reps !== undefined || f.wildWeights !== undefined || f.bootTerm !== undefined) {
    throw usageError("--reps, --wild-weights and --boot-term need --bootstrap wild");
  }
  return o;
}

/** `--out` of a command that writes a JSON result: an extension other than .json is refused (an .xlsx or .csv would hold JSON text). */
export function checkJsonOut(out: string): string {
  const m = /(\.[^./\\]+)$/.exec(out);
  if (m && m[1]!.toLowerCase() !== ".json")
    throw usageError(`--out ${out}: the result is written as JSON, so the file name must end in .json (got '${m[1]}'); use --out NAME.json, and keytech table NAME.json --out T.csv for a table`);
  return out;
}

/** Print (and optionally save) a regression result. */
export async function emitRegression(r: KeytechResult, f: RegressionFlags): Promise<void> {
  if (f.out) await writeFileAtomic(checkJsonOut(f.out), resultToJson(r));
  if (f.json) for (const w of r.warnings ?? []) process.stderr.write(`keytech: warning: ${w}\n`); // the human table prints them
  emit(r, Boolean(f.json), () => renderCoefficients(r));
}

export function registerFeols(program: Command): void {
  const cmd = program
    .command("feols")
    .description("OLS with high-dimensional fixed effects (fixest-style formula)")
    .requiredOption("--data <file>", "CSV or Parquet file")
    .requiredOption("--formula <f>", 'formula, e.g. "y ~ x1 + x2 | fe1 + fe2"');
  addRegressionOptions(cmd).action(
    action(async (f: RegressionFlags & { data: string; formula: string }) => {
      const r = await feolsAnalysis({ data: f.data, formula: f.formula, ...regressionOptionsFrom(f) });
      await emitRegression(r, f);
    }),
  );
}
