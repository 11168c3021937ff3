/**
 * `keytech fepois --data F --formula "y ~ x | fe1 + fe2" [--offset EXPR] …`: Poisson PPML with fixed effects
 * (fixest `fepois`), with the regression flags of `feols` that apply to a GLM (--vcov, --cluster, --weights,
 * --level, --json, --out) and `--drop-singletons`. The analysis is src/analyses/fepois.ts.
 */
import type { Command } from "commander";
import { z } from "zod";
import { usageError } from "../../core/errors.js";
import type { KeytechResult } from "../../core/result.js";
import { fepoisAnalysis, type FepoisAnalysisOptions } from "../../analyses/fepois.js";
import { coefficientBlock } from "../../report/coefficients.js";
import { addData, addJson, addLevel, addVcov, describeVcov, level, list, parseOptions, plainFixedEffects, vcovRegression } from "../flags.js";
import { action, emitResult } from "../run.js";

function num(v: number | null | undefined, d: number): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "NA";
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-4 || a >= 1e7) ? v.toExponential(d - 1) : v.toFixed(d);
}

function pval(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return "NA";
  return p < 2.2e-16 ? "< 2.2e-16" : p < 1e-4 ? p.toExponential(2) : p.toFixed(4);
}

/** The human table of a fepois result (z statistics, deviance, pseudo R², the dropped rows). */
export function renderFepois(r: KeytechResult): string {
  const m = r.model ?? {};
  const fit = r.fit as Record<string, number | boolean>;
  const lines: string[] = [];
  lines.push(`keytech fepois (Poisson, log link): ${m.formula}${m.offset ? `   offset: ${m.offset}` : ""}`);
  lines.push(
    `Observations: ${r.nobs}   Fixed effects: ${
      Object.entries(m.fixef_sizes ?? {})
        .map(([k, v]) => `${k} (${v})`)
        .join(", ") || "none"
    }`,
  );
  lines.push(`Standard errors: ${describeVcov(r.vcov as Parameters<typeof describeVcov>[0])}`, "");
  lines.push(...coefficientBlock(r, "z", { num, pval }));
  lines.push(
    `Deviance: ${num(fit.deviance as number, 6)}   Log-likelihood: ${num(fit.loglik as number, 6)}   Pseudo R²: ${num(fit.pseudo_r2 as number, 5)}   BIC: ${num(fit.bic as number, 6)}`,
    `IRLS iterations: ${fit.iterations}${fit.converged ? "" : " (not converged)"}`,
  );
  const d = r.dropped;
  lines.push(
    `Dropped rows: ${d.missing} with missing or non-finite values, ${d.fe_all_zero as number} in all-zero fixed-effect groups, ${d.singletons} singletons; collinear: ${d.collinear.length ? d.collinear.join(", ") : "none"}`,
  );
  for (const wmsg of r.warnings ?? []) lines.push(`Warning: ${wmsg}`);
  return lines.join("\n") + "\n";
}

const schema = z.object({
  data: z.string(),
  formula: z.string(),
  offset: z.string().optional(),
  vcov: vcovRegression.optional(),
  cluster: list.optional(),
  weights: z.string().optional(),
  level,
  dropSingletons: z.boolean().optional(),
  json: z.boolean().optional(),
  out: z.string().optional(),
});

/** Flags → analysis options (usage errors for bad values). */
export function fepoisOptionsFrom(raw: unknown): FepoisAnalysisOptions {
  const f = parseOptions(schema, raw, "fepois");
  const o: FepoisAnalysisOptions = { data: f.data, formula: f.formula };
  if (f.offset !== undefined) o.offset = f.offset;
  let cluster = f.cluster?.length ? f.cluster : undefined;
  if (f.vcov === "twoway") {
    const two = plainFixedEffects(f.formula).slice(0, 2);
    if (cluster || two.length < 2 || two.some((x) => x === null))
      throw usageError("--vcov twoway clusters by the first two fixed effects (columns, as fixest); for other columns use --vcov cluster --cluster a,b");
    cluster = two as string[];
  }
  if (f.vcov !== undefined) o.vcov = f.vcov === "hetero" ? "hc1" : f.vcov === "twoway" ? "cluster" : f.vcov;
  if (cluster) o.cluster = cluster;
  if (f.weights) o.weights = f.weights;
  if (f.level !== 0.95) o.level = f.level;
  if (f.dropSingletons) o.dropSingletons = true;
  return o;
}

/** Register `keytech fepois` (flags as in docs/CONTRACT.md). */
export function registerFepois(program: Command): void {
  const cmd = addData(
    program.command("fepois").description("Poisson PPML with high-dimensional fixed effects (fixest fepois; fixest-style formula)"),
    "CSV or Parquet file",
  )
    .requiredOption("--formula <f>", 'formula, e.g. "y ~ x1 + log(x2) | fe1 + fe2" (y ≥ 0)')
    .option("--offset <expr>", "offset with coefficient 1: a column or a transform, e.g. 'log(population)'");
  addVcov(
    cmd,
    "variance: iid (default unless --cluster is given, as fixest), hetero (= hc1), cluster (by --cluster, else by the first fixed effect, as fixest), twoway (the first two fixed effects)",
  )
    .option("--weights <col>", "observation weights column")
    .option("--drop-singletons", 'also drop observations alone in a fixed-effect group (fixest fixef.rm = "both"; default: only all-zero groups)');
  addLevel(cmd);
  addJson(cmd, "print the JSON result on stdout")
    .option("--out <file>", "also write the JSON result to this file")
    .action(
      action(async (raw: unknown) => {
        const o = fepoisOptionsFrom(raw);
        const r = await fepoisAnalysis(o);
        await emitResult(r, raw as { json?: boolean; out?: string }, () => renderFepois(r));
      }),
    );
}
