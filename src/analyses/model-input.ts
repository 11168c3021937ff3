/**
 * Shared steps of the regression analyses (feols, did twfe, did event): reading the columns, listwise
 * deletion with counts, the seed paper's Table-1 outcome variants (winsorise, trim, lead), cluster codes,
 * the fit + variance, and the CONTRACT JSON result.
 */
import { sha256FileAside } from "../data/file-hash.js";
import { inputError, usageError } from "../core/errors.js";
import { makeResult, vcovMatrixBlock, type EstimateRow, type HeadlineSpec, type KeytechResult, type WildBootstrapInfo } from "../core/result.js";
import { readTable, type ColumnRequest } from "../data/read.js";
import { factorize } from "../data/factor.js";
import { dropMissing } from "../data/missing.js";
import { fileRow, getColumn, numeric, selectRows, withNumeric, type Table } from "../data/table.js";
import { shiftWithinUnit, type Panel } from "../data/panel.js";
import { transformRows, type Design } from "../formula/design.js";
import { exprColumns, formulaColumns, type Expr, type Formula } from "../formula/ast.js";
import { feols, type FeolsFit } from "../estimators/feols.js";
import { coefTable, computeVcov, type ClusterInput, type SscOptions, type VcovResult, type VcovSpec } from "../inference/vcov.js";
import { wildClusterBootstrap, type WildWeights } from "../inference/wild-bootstrap.js";
import { fitBlock, vcovBlock } from "./result-parts.js";

export type VcovType = "iid" | "hc1" | "cluster";

/** Options every regression analysis takes. */
export interface RegressionOptions {
  /** variance type; default: cluster when `cluster` is given (DID commands: cluster by unit) */
  vcov?: VcovType;
  /** cluster columns (one or two for multiway) */
  cluster?: string[];
  /** weight column */
  weights?: string;
  ssc?: SscOptions;
  /** confidence level (default 0.95) */
  level?: number;
  /** winsorise the outcome at the p and 1−p quantiles */
  winsor?: number;
  /** drop rows whose outcome is below the p or above the 1−p quantile */
  trim?: number;
  /** quantile definition for winsor/trim: 7 (R default) or 2 (Stata _pctile / winsor2) */
  quantileType?: 2 | 7;
  /** keep singleton observations (default: drop them, as fixest ≥ 0.13 and reghdfe) */
  keepSingletons?: boolean;
  /** wild cluster restricted bootstrap of one coefficient (METHODS §5.3) */
  bootstrap?: { reps: number; seed: number; weights: WildWeights; term?: string };
}

/** Quantile of sorted data: R type 7 (linear interpolation) or type 2 (Stata's _pctile: average at jumps). */
export function quantileSorted(s: Float64Array, p: number, type: 2 | 7): number {
  const n = s.length;
  if (type === 7) {
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, n - 1);
    return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
  }
  const np = n * p;
  const j = Math.floor(np + 1e-9);
  if (Math.abs(np - j) < 1e-9) return j <= 0 ? s[0]! : j >= n ? s[n - 1]! : (s[j - 1]! + s[j]!) / 2;
  return s[Math.min(Math.ceil(np), n) - 1]!;
}

function checkShare(name: string, p: number): void {
  if (!(p > 0 && p < 0.5)) throw usageError(`--${name} must be a share between 0 and 0.5 (e.g. 0.05 for the 5th/95th percentiles), got ${p}`);
}

/** Winsorise y in place at the p / 1−p quantiles; returns the cut points and how many values were changed. */
export function winsorize(y: Float64Array, p: number, type: 2 | 7 = 7): { low: number; high: number; changed: number } {
  checkShare("winsor", p);
  const s = Float64Array.from(y).sort();
  const low = quantileSorted(s, p, type),
    high = quantileSorted(s, 1 - p, type);
  let changed = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i]! < low) {
      y[i] = low;
      changed++;
    } else if (y[i]! > high) {
      y[i] = high;
      changed++;
    }
  }
  return { low, high, changed };
}

/** Rows to keep after trimming y strictly outside [Q(p), Q(1−p)] (ties at the cut points stay). */
export function trimKeep(y: Float64Array, p: number, type: 2 | 7 = 7): { keep: Int32Array; low: number; high: number } {
  checkShare("trim", p);
  const s = Float64Array.from(y).sort();
  const low = quantileSorted(s, p, type),
    high = quantileSorted(s, 1 - p, type);
  const keep = new Int32Array(y.length);
  let m = 0;
  for (let i = 0; i < y.length; i++) if (y[i]! >= low && y[i]! <= high) keep[m++] = i;
  return { keep: keep.slice(0, m), low, high };
}

/** Column requests for a list of names (deduplicated; the first type wins except that "number" is stronger). */
export function requests(numbers: (string | undefined)[], factors: (string | undefined)[]): ColumnRequest[] {
  const out = new Map<string, ColumnRequest>();
  for (const c of numbers) if (c) out.set(c, { column: c, type: "number" });
  for (const c of factors) if (c && !out.has(c)) out.set(c, { column: c, type: "auto" });
  return [...out.values()];
}

/**
 * Read columns, then start hashing the file (for provenance). The hash (a worker thread for large files)
 * starts once the read is done, so that it runs on the core the single-threaded model building and fit leave
 * idle instead of competing with the parser's threads; await `hash` when the result is assembled.
 */
export async function readWithHash(file: string, reqs: ColumnRequest[]): Promise<{ table: Table; hash: Promise<string> }> {
  const table = await readTable(file, reqs);
  return { table, hash: sha256FileAside(file).catch(() => "sha256:unavailable") };
}

export interface SampleLog {
  missing: number;
  missingByColumn: Record<string, number>;
  [k: string]: unknown;
}

/** Listwise deletion on `columns`, accumulating counts into `log`. */
export function dropMissingInto(t: Table, columns: string[], log: SampleLog): Table {
  const d = dropMissing(t, columns);
  log.missing += d.dropped;
  for (const [k, v] of Object.entries(d.byColumn)) log.missingByColumn[k] = (log.missingByColumn[k] ?? 0) + v;
  return d.table;
}

/**
 * Lead the outcome by k periods within unit (fixest `f(y, k)`): rows whose period t + k is absent or
 * missing lose their outcome and are dropped; the count is returned.
 */
export function leadOutcome(t: Table, panel: Panel, y: string, k: number): { table: Table; lost: number } {
  if (!Number.isInteger(k) || k === 0) throw usageError(`--lead must be a non-zero integer number of periods, got ${k}`);
  const led = shiftWithinUnit(panel, numeric(t, y), k);
  let lost = 0;
  const idx = new Int32Array(led.length);
  let m = 0;
  for (let i = 0; i < led.length; i++) {
    if (Number.isNaN(led[i]!)) lost++;
    else idx[m++] = i;
  }
  const keep = idx.subarray(0, m);
  if (keep.length === 0) throw inputError(`no rows left after leading the outcome by ${k} period(s)`, { file: t.file, column: getColumn(t, y).source });
  const t2 = withNumeric(t, y, led, getColumn(t, y).source);
  return { table: selectRows(t2, keep), lost };
}

/** Apply --winsor / --trim to the outcome of the estimation sample. */
export function outcomeVariants(t: Table, y: string, opts: RegressionOptions, log: SampleLog): Table {
  if (opts.winsor !== undefined && opts.trim !== undefined) throw usageError("use either --winsor or --trim, not both");
  const type = opts.quantileType ?? 7;
  if (opts.winsor !== undefined) {
    const v = Float64Array.from(numeric(t, y));
    const w = winsorize(v, opts.winsor, type);
    log.winsorized = { p: opts.winsor, low: w.low, high: w.high, changed: w.changed, quantile_type: type };
    return withNumeric(t, y, v, getColumn(t, y).source);
  }
  if (opts.trim !== undefined) {
    const tr = trimKeep(numeric(t, y), opts.trim, type);
    log.trimmed = t.nrows - tr.keep.length;
    log.trim = { p: opts.trim, low: tr.low, high: tr.high, quantile_type: type };
    return selectRows(t, tr.keep);
  }
  return t;
}

/** Cluster codes over the table's rows. */
export function clusterInputs(t: Table, names: string[]): ClusterInput[] {
  return names.map((n) => {
    const f = factorize(getColumn(t, n));
    return { name: getColumn(t, n).source, codes: f.codes, nLevels: f.nLevels };
  });
}

/** The variance specification implied by the options (`defaultCluster` = DID commands' unit). */
export function vcovSpec(t: Table, opts: RegressionOptions, defaultCluster: string | null): VcovSpec {
  const type = opts.vcov ?? (opts.cluster?.length || defaultCluster ? "cluster" : "iid");
  if (type !== "cluster") {
    if (opts.cluster?.length) throw usageError(`--cluster needs --vcov cluster (got --vcov ${type})`);
    return { type };
  }
  const cl = opts.cluster?.length ? opts.cluster : defaultCluster ? [defaultCluster] : [];
  if (cl.length === 0) throw usageError("--vcov cluster needs --cluster COLUMN");
  return { type: "cluster", clusters: clusterInputs(t, cl) };
}

export interface FitBundle {
  fit: FeolsFit;
  vc: VcovResult;
  rows: EstimateRow[];
}

/** Fit the design and compute the variance and the coefficient table. */
export function fitDesign(design: Design, spec: VcovSpec, opts: RegressionOptions): FitBundle {
  const fit = feols({ ...design, removeSingletons: !opts.keepSingletons });
  if (fit.coef.length === 0)
    throw inputError(`every regressor was dropped as collinear with the fixed effects (${fit.droppedCollinear.join(", ")}); nothing to estimate`);
  const vc = computeVcov(fit, spec, opts.ssc ?? {});
  return { fit, vc, rows: coefTable(fit, vc, opts.level ?? 0.95) };
}

export interface ModelDescription {
  depvar: string;
  formula: string;
  fixed_effects: string[];
  controls: string[];
  [k: string]: unknown;
}

/** The CONTRACT JSON result of a regression. */
export function regressionResult(args: {
  command: string;
  bundle: FitBundle;
  log: SampleLog;
  file: string;
  hash: string;
  options: Record<string, unknown>;
  model: ModelDescription;
  extra?: Record<string, unknown>;
  seed?: number | null;
  /** the family's overall effect (left out when its term was not estimated) */
  headline?: HeadlineSpec;
}): KeytechResult {
  const { fit, vc, rows } = args.bundle;
  const { missing, missingByColumn, ...rest } = args.log;
  const warnings: string[] = [];
  if (!fit.converged) warnings.push(`demeaning did not converge in ${fit.iterations} iterations; estimates may be inaccurate`);
  if (fit.droppedCollinear.length) warnings.push(`dropped as collinear: ${fit.droppedCollinear.join(", ")}`);
  warnings.push(...(fit.warnings ?? []));
  const result: KeytechResult = makeResult({
    command: args.command,
    estimates: rows,
    nobs: fit.nobs,
    fit: fitBlock(fit),
    vcov: vcovBlock(vc),
    dropped: {
      singletons: fit.singletonsRemoved,
      missing,
      collinear: fit.droppedCollinear,
      ...(Object.keys(missingByColumn).length ? { missing_by_column: missingByColumn } : {}),
      ...rest,
    },
    provenance: { seed: args.seed ?? null, inputs: { [args.file]: args.hash }, options: args.options },
    model: args.model,
    // the full covariance of the coefficients, in their order (for did honest and other tools)
    vcov_matrix: vcovMatrixBlock(fit.coefNames, vc.V),
    ...(args.extra ?? {}),
    headline: args.headline ?? null,
  });
  if (warnings.length) result.warnings = warnings;
  return result;
}

/** Refuse negative weights with the file row. */
export function checkWeights(t: Table, w: string): Float64Array {
  const v = numeric(t, w);
  for (let i = 0; i < v.length; i++) {
    if (v[i]! < 0) throw inputError(`weights must be zero or positive, found ${v[i]}`, { file: t.file, row: fileRow(t, i), column: getColumn(t, w).source });
  }
  return v;
}

/**
 * The wild cluster restricted bootstrap block (H0: β_term = 0, clusters = the first cluster dimension of
 * the variance), with p-values and the test-inversion CI; null when no bootstrap was asked for.
 */
export function wildBlock(design: Design, term: string, spec: VcovSpec, opts: RegressionOptions): WildBootstrapInfo | null {
  const b = opts.bootstrap;
  if (!b) return null;
  if (spec.type !== "cluster") throw usageError("--bootstrap wild needs clustered errors (--vcov cluster / --cluster COL)");
  const r = wildClusterBootstrap({ ...design, removeSingletons: !opts.keepSingletons }, term, {
    cluster: spec.clusters[0]!,
    reps: b.reps,
    seed: b.seed,
    weights: b.weights,
    level: opts.level ?? 0.95,
    ssc: opts.ssc ?? {},
  });
  return {
    type: "wild cluster restricted (null imposed)",
    term: r.term,
    null: r.null,
    statistic: r.statistic,
    p_value: r.p_value,
    p_value_equal_tailed: r.p_value_equal_tailed,
    conf_low: r.conf_low,
    conf_high: r.conf_high,
    level: r.level,
    reps: r.reps,
    enumerated: r.enumerated,
    weights: r.weights,
    seed: r.seed,
    cluster: spec.clusters[0]!.name,
    clusters: r.clusters,
  };
}

/**
 * The estimation sample of a formula model, as fixest builds it: read the formula's columns (plus weights,
 * clusters and the columns of `extra` expressions such as an offset) with the file's hash, drop rows with a
 * missing value in any of them (counted by column), then drop and count the rows where a transform (log(0),
 * sqrt(−1), I(a / b) …) is not finite, with fixest's "observations removed because of NA / infinite values".
 */
export async function formulaSample(
  data: string,
  f: Formula,
  o: { weights?: string; cluster?: string[] },
  extra: { expr: Expr; label: string }[] = [],
): Promise<{ t: Table; hash: Promise<string>; log: SampleLog; warnings: string[] }> {
  const cols = formulaColumns(f);
  const extraCols = extra.flatMap((e) => [...exprColumns(e.expr)]);
  const reqs = requests([...cols.numeric, ...extraCols, o.weights], [...cols.factor, ...(o.cluster ?? [])]);
  const { table, hash } = await readWithHash(data, reqs);
  const log: SampleLog = { missing: 0, missingByColumn: {} };
  let t = dropMissingInto(
    table,
    reqs.map((r) => r.column),
    log,
  );
  const warnings: string[] = [];
  const tr = transformRows(f, t, extra);
  if (tr.keep) {
    t = selectRows(t, tr.keep);
    log.missing += tr.dropped;
    for (const [k, v] of Object.entries(tr.byTerm)) log.missingByColumn[k] = (log.missingByColumn[k] ?? 0) + v;
    const what = tr.anyNaN && tr.anyInf ? "NA and infinite values" : tr.anyNaN ? "NA values" : "infinite values";
    warnings.push(
      `${tr.dropped} observation${tr.dropped === 1 ? "" : "s"} removed because of ${what} (${Object.entries(tr.byTerm)
        .map(([k, v]) => `${k}: ${v}`)
        .join(", ")})`,
    );
  }
  return { t, hash, log, warnings };
}
