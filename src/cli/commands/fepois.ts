/**
 * `keytech fepois --data F --formula "y ~ x | fe1 + fe2" [--offset EXPR] …`: Poisson PPML with fixed effects
 * (fixest `fepois`), with the regression flags of `feols` that apply to a GLM (--vcov, --cluster, --weights,
 * --level, --json, --out) and `--drop-singletons`. The analysis lives here (read, listwise deletion, transforms,
 * fit, variance, CONTRACT result) because src/study is not this command's to change; it uses only the
 * shared helpers of src/study/analyses/model-input.ts.
 */
import type { Command } from "commander";
import { inputError, usageError } from "../../core/errors.js";
import { writeFileAtomic } from "../../core/atomic.js";
import { makeResult, resultToJson, type KeytechResult } from "../../core/result.js";
import { fileRow, getColumn, numeric, selectRows } from "../../data/table.js";
import { parseExpression, parseFormula } from "../../formula/parse.js";
import { exprColumns, fixedEffectLabel, formulaColumns, termLabel } from "../../formula/ast.js";
import { buildDesign, evalExpr, transformRows } from "../../formula/design.js";
import { fepois } from "../../estimators/fepois.js";
import { fepoisVcov, zTable } from "../../inference/fepois-vcov.js";
import type { SscOptions, VcovSpec } from "../../inference/vcov.js";
import { checkWeights, dropMissingInto, readWithHash, requests, vcovSpec, type RegressionOptions, type SampleLog } from "../../study/analyses/model-input.js";
import { stars } from "../../report/text.js";
import { action, emit } from "../run.js";
import { checkJsonOut, listFlag, numberFlag } from "./feols.js";

export interface FepoisAnalysisOptions {
  data: string;
  formula: string;
  /** expression added to the linear predictor with coefficient 1, e.g. "log(population)" (fixest `offset = ~log(population)`) */
  offset?: string;
  vcov?: "iid" | "hc1" | "cluster";
  cluster?: string[];
  weights?: string;
  level?: number;
  /** also remove singletons (fixest fixef.rm = "both"); default: only all-zero FE groups ("perfect") */
  dropSingletons?: boolean;
  ssc?: SscOptions;
  /** IRLS deviance tolerance (default 1e-8, fixest glm.tol) */
  glmTol?: number;
}

/**
 * Read, clean and fit a Poisson FE model; the CONTRACT result. Rows with a missing value in a used column are
 * dropped (dropped.missing); rows where a transform (log(x), I(a / b), the offset …) is not finite are dropped
 * and counted as missing too, by term in dropped.missing_by_column (fixest: "observations removed because of NA
 * and infinite values"); negative outcomes are refused naming the file row; observations of FE groups whose
 * outcomes are all zero are removed and counted in dropped.fe_all_zero (levels per FE in dropped.fe_levels_removed).
 */
export async function fepoisAnalysis(o: FepoisAnalysisOptions): Promise<KeytechResult> {
  const f = parseFormula(o.formula);
  if (f.fixedEffects.some((fe) => fe.slopes.length)) throw usageError("fepois does not support varying slopes fe[x] (yet); use plain fixed effects or combine them with '^'");
  const off = o.offset !== undefined ? parseExpression(o.offset) : null;
  const cols = formulaColumns(f);
  const offCols = off ? [...exprColumns(off.expr)] : [];
  const reqs = requests([...cols.numeric, ...offCols, o.weights], [...cols.factor, ...(o.cluster ?? [])]);
  const { table, hash } = await readWithHash(o.data, reqs);
  const log: SampleLog = { missing: 0, missingByColumn: {} };
  let t = dropMissingInto(table, reqs.map((r) => r.column), log);
  const warnings: string[] = [];
  const tr = transformRows(f, t, off ? [off] : []);
  if (tr.keep) {
    t = selectRows(t, tr.keep);
    log.missing += tr.dropped;
    for (const [k, v] of Object.entries(tr.byTerm)) log.missingByColumn[k] = (log.missingByColumn[k] ?? 0) + v;
    const what = tr.anyNaN && tr.anyInf ? "NA and infinite values" : tr.anyNaN ? "NA values" : "infinite values";
    warnings.push(`${tr.dropped} observation${tr.dropped === 1 ? "" : "s"} removed because of ${what} (${Object.entries(tr.byTerm).map(([k, v]) => `${k}: ${v}`).join(", ")})`);
  }
  if (t.nrows === 0) throw inputError("no rows left after dropping missing and non-finite values", { file: o.data });
  const y = numeric(t, f.lhs);
  for (let i = 0; i < y.length; i++)
    if (y[i]! < 0) throw inputError(`the Poisson outcome must be zero or positive, found ${y[i]}`, { file: o.data, row: fileRow(t, i), column: getColumn(t, f.lhs).source });
  let weights = o.weights ? checkWeights(t, o.weights) : undefined;
  if (weights) {
    // fixest removes observations with a zero weight before estimation ("removed because of 0-weight")
    let z = 0;
    for (let i = 0; i < weights.length; i++) if (weights[i] === 0) z++;
    if (z) {
      const keep = new Int32Array(weights.length - z);
      for (let i = 0, m = 0; i < weights.length; i++) if (weights[i] !== 0) keep[m++] = i;
      t = selectRows(t, keep);
      weights = checkWeights(t, o.weights!);
      log.zero_weight = z;
      warnings.push(`${z} observation${z === 1 ? "" : "s"} removed because of 0-weight`);
      if (t.nrows === 0) throw inputError("every observation has weight 0", { file: o.data, column: o.weights });
    }
  }
  const design = buildDesign(f, t, weights ? { weights } : {});
  if (design.intercept === false) throw usageError("fepois without fixed effects always has an intercept; drop '- 1' / '+ 0'");
  const regOpts: RegressionOptions = {};
  if (o.vcov) regOpts.vcov = o.vcov;
  if (o.cluster) regOpts.cluster = o.cluster;
  // fixest: vcov = "cluster" without a cluster variable clusters by the first fixed effect (a^b included)
  const fe0 = design.fixedEffects[0];
  const spec: VcovSpec =
    o.vcov === "cluster" && !o.cluster?.length && fe0 ? { type: "cluster", clusters: [{ name: fe0.name, codes: fe0.codes, nLevels: fe0.nLevels }] } : vcovSpec(t, regOpts, null);
  const fit = fepois({
    y: design.y,
    yName: design.yName,
    x: design.x,
    fixedEffects: design.fixedEffects,
    ...(weights ? { weights } : {}),
    ...(off ? { offset: evalExpr(off.expr, t) } : {}),
    removeSingletons: !!o.dropSingletons,
    ...(o.glmTol !== undefined ? { glmTol: o.glmTol } : {}),
  });
  if (fit.coef.length === 0) throw inputError(`every regressor was dropped as collinear with the fixed effects (${fit.droppedCollinear.join(", ")}); nothing to estimate`);
  const vc = fepoisVcov(fit, spec, o.ssc ?? {});
  const rows = zTable(fit, vc, o.level ?? 0.95);
  if (!fit.converged) warnings.push(`IRLS did not converge in ${fit.iterations} iterations (final deviance ${fit.deviance}); estimates may be inaccurate`);
  if (fit.droppedCollinear.length) warnings.push(`dropped as collinear: ${fit.droppedCollinear.join(", ")}`);
  if (fit.feAllZeroRemoved)
    warnings.push(
      `${Object.entries(fit.feLevelsRemoved).filter(([, v]) => v > 0).map(([k, v]) => `${v} ${k}`).join(", ")} fixed-effect level(s) (${fit.feAllZeroRemoved} observations) removed because of only 0 outcomes`,
    );
  const { missing, missingByColumn, ...rest } = log;
  const options: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && k !== "data") options[k] = v;
  const result: KeytechResult = makeResult({
    command: "fepois",
    headline: rows[0] ? { term: rows[0].term, label: "the first regressor" } : null,
    estimates: rows,
    nobs: fit.nobs,
    fit: {
      r2: null,
      adj_r2: null,
      within_r2: null,
      deviance: fit.deviance,
      loglik: fit.loglik,
      ll_null: fit.llNull,
      pseudo_r2: fit.pseudoR2,
      adj_pseudo_r2: fit.adjPseudoR2,
      sq_cor: fit.sqCor,
      aic: fit.aic,
      bic: fit.bic,
      iterations: fit.iterations,
      converged: fit.converged,
      nparams: fit.nparams,
    },
    vcov: { type: vc.type, ...(vc.clusters ? { clusters: vc.clusters } : {}), small_sample: vc.smallSample, df: null, distribution: "normal" },
    dropped: {
      singletons: fit.singletonsRemoved,
      missing,
      collinear: fit.droppedCollinear,
      fe_all_zero: fit.feAllZeroRemoved,
      fe_levels_removed: fit.feLevelsRemoved,
      ...(Object.keys(missingByColumn).length ? { missing_by_column: missingByColumn } : {}),
      ...rest,
    },
    provenance: { seed: null, inputs: { [o.data]: hash }, options },
    model: {
      family: "poisson",
      link: "log",
      depvar: f.lhs,
      formula: o.formula,
      offset: off ? off.label : null,
      fixed_effects: f.fixedEffects.map(fixedEffectLabel),
      fixef_sizes: Object.fromEntries(fit.fixedEffects.map((fe) => [fe.name, fe.nLevels])),
      controls: f.terms.map(termLabel),
    },
  });
  if (warnings.length) result.warnings = warnings;
  return result;
}

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
  lines.push(`Observations: ${r.nobs}   Fixed effects: ${Object.entries(m.fixef_sizes ?? {}).map(([k, v]) => `${k} (${v})`).join(", ") || "none"}`);
  const v = r.vcov!;
  const desc = v.type === "cluster" ? `clustered by ${Object.entries(v.clusters ?? {}).map(([k, g]) => `${k} (${g} clusters)`).join(" and ")}` : v.type === "hc1" ? "heteroskedasticity-robust" : "iid";
  lines.push(`Standard errors: ${desc}`, "");
  const header = ["term", "estimate", "std.error", "z value", "Pr(>|z|)", "", "95% CI"];
  const rows = r.estimates.map((e) => [e.term, num(e.estimate, 6), num(e.std_error, 6), num(e.statistic, 3), pval(e.p_value), stars(e.p_value), `[${num(e.conf_low, 4)}, ${num(e.conf_high, 4)}]`]);
  const all = [header, ...rows];
  const w = header.map((_, j) => Math.max(...all.map((row) => row[j]!.length)));
  for (const row of all) lines.push(row.map((c, j) => (j === 0 || j === 5 ? c.padEnd(w[j]!) : c.padStart(w[j]!))).join("  ").trimEnd());
  lines.push("---", "Signif. codes: *** 0.01, ** 0.05, * 0.1");
  lines.push(
    `Deviance: ${num(fit.deviance as number, 6)}   Log-likelihood: ${num(fit.loglik as number, 6)}   Pseudo R²: ${num(fit.pseudo_r2 as number, 5)}   BIC: ${num(fit.bic as number, 6)}`,
    `IRLS iterations: ${fit.iterations}${fit.converged ? "" : " (not converged)"}`,
  );
  const d = r.dropped;
  lines.push(`Dropped rows: ${d.missing} with missing or non-finite values, ${d.fe_all_zero as number} in all-zero fixed-effect groups, ${d.singletons} singletons; collinear: ${d.collinear.length ? d.collinear.join(", ") : "none"}`);
  for (const wmsg of r.warnings ?? []) lines.push(`Warning: ${wmsg}`);
  return lines.join("\n") + "\n";
}

interface FepoisFlags {
  data: string;
  formula: string;
  offset?: string;
  vcov?: string;
  cluster?: string;
  weights?: string;
  level?: string;
  dropSingletons?: boolean;
  json?: boolean;
  out?: string;
}

/** Flags → analysis options (usage errors for bad values). */
export function fepoisOptionsFrom(f: FepoisFlags): FepoisAnalysisOptions {
  const o: FepoisAnalysisOptions = { data: f.data, formula: f.formula };
  if (f.offset !== undefined) o.offset = f.offset;
  if (f.vcov !== undefined) {
    const map: Record<string, FepoisAnalysisOptions["vcov"]> = { iid: "iid", hc1: "hc1", hetero: "hc1", cluster: "cluster" };
    const v = map[f.vcov.toLowerCase()];
    if (!v) throw usageError(`--vcov must be iid, hetero (hc1) or cluster, got '${f.vcov}'`);
    o.vcov = v;
  }
  const cl = listFlag(f.cluster);
  if (cl) o.cluster = cl;
  if (f.weights) o.weights = f.weights;
  const level = numberFlag("level", f.level);
  if (level !== undefined) {
    if (!(level > 0 && level < 1)) throw usageError(`--level must be between 0 and 1, got ${level}`);
    if (level !== 0.95) o.level = level;
  }
  if (f.dropSingletons) o.dropSingletons = true;
  return o;
}

/** Register `keytech fepois` (flags as in docs/CONTRACT.md). */
export function registerFepois(program: Command): void {
  program
    .command("fepois")
    .description("Poisson PPML with high-dimensional fixed effects (fixest fepois; fixest-style formula)")
    .requiredOption("--data <file>", "CSV or Parquet file")
    .requiredOption("--formula <f>", 'formula, e.g. "y ~ x1 + log(x2) | fe1 + fe2" (y ≥ 0)')
    .option("--offset <expr>", "offset with coefficient 1: a column or a transform, e.g. 'log(population)'")
    .option("--vcov <type>", "variance: iid (default), hetero (= hc1) or cluster (by --cluster, else by the first fixed effect, as fixest)")
    .option("--cluster <cols>", "cluster column(s), comma-separated for multiway clustering")
    .option("--weights <col>", "observation weights column")
    .option("--drop-singletons", "also drop observations alone in a fixed-effect group (fixest fixef.rm = \"both\"; default: only all-zero groups)")
    .option("--level <l>", "confidence level for intervals", "0.95")
    .option("--json", "print the JSON result on stdout")
    .option("--out <file>", "also write the JSON result to this file")
    .action(
      action(async (f: FepoisFlags) => {
        const r = await fepoisAnalysis(fepoisOptionsFrom(f));
        if (f.out) await writeFileAtomic(checkJsonOut(f.out), resultToJson(r));
        emit(r, Boolean(f.json), () => renderFepois(r));
      }),
    );
}
