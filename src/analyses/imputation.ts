/**
 * `did imputation` analysis: the Borusyak–Jaravel–Spiess (2024) imputation estimator (R didimputation;
 * METHODS.md §4.4) — overall ATT and event-time estimates with conservative clustered SEs, and the
 * pre-trend test (OLS on the untreated observations with lead indicators, cluster-robust, joint Wald).
 * Also home of `loadStaggered`, the long-panel loader shared by the imputation, stacked and ddd analyses.
 */
import { usageError } from "../core/errors.js";
import { pnorm, qnorm } from "../core/distributions.js";
import { eventTimeRows, makeResult, type EstimateRow, type HeadlineSpec, type KeytechResult, type PretrendsBlock } from "../core/result.js";
import { cohortValue, didPanelFromTable, levelLabel, readDidPanel, type DidPanel, type DidPanelSpec, type Table } from "../data/index.js";
import { feols } from "../estimators/feols.js";
import { imputationFit, leadDummies, timeCodes, type StaggeredInput } from "../estimators/imputation.js";
import { coefTable, computeVcov } from "../inference/vcov.js";
import { waldTest } from "../inference/wald.js";
import type { PanelModel } from "./twfe-fit.js";
import { vcovBlock } from "./result-parts.js";

/** Column names of a staggered-DID command (`--data F --y Y --unit U --time T --cohort G [--x a,b] [--cluster C]`). */
export interface DidColumns {
  data: string;
  y: string;
  unit: string;
  time: string;
  cohort: string;
  x?: string[];
  cluster?: string;
  /** further numeric columns read as cohorts (0/empty = never), e.g. ddd's `--group2` */
  extraCohorts?: string[];
}

export interface LoadedStaggered {
  input: StaggeredInput & { cluster: { name: string; codes: Int32Array; nLevels: number } };
  /** other cohort-type columns (0 = never), by name */
  extra: Record<string, Float64Array>;
  unitLabels: (i: number) => string;
  /** rows dropped for a missing value, and per column */
  missing: number;
  missingByColumn: Record<string, number>;
  inputs: Record<string, string>;
  columns: DidColumns;
}

/** The DID panel of a staggered-DID command's columns (listwise deletion, then the panel checks). */
export function staggeredSpec(c: DidColumns): DidPanelSpec {
  const xs = c.x ?? [];
  return {
    file: c.data,
    y: c.y,
    unit: c.unit,
    time: c.time,
    cohort: c.cohort,
    x: xs,
    cluster: c.cluster ? [c.cluster] : [],
    extraCohorts: c.extraCohorts ?? [],
    dropMissing: [c.y, c.unit, c.time, ...xs, ...(c.cluster ? [c.cluster] : [])],
    validate: true,
  };
}

/**
 * Read and check a long staggered panel: listwise deletion of rows with a missing outcome, unit, time,
 * covariate or cluster (counted, never silent; a missing cohort means never treated), then the panel
 * checks of src/data/panel.ts (integer time, no duplicate unit–time rows, cohort constant within unit).
 */
export async function loadStaggered(c: DidColumns): Promise<LoadedStaggered> {
  return staggeredFromPanel(await readDidPanel(staggeredSpec(c)), c);
}

/** `loadStaggered` on a table already in memory (e.g. the study panel); `inputs` are the provenance hashes. */
export function staggeredFromTable(raw: Table, c: DidColumns, inputs: Record<string, string>): LoadedStaggered {
  return staggeredFromPanel(didPanelFromTable(raw, inputs, staggeredSpec(c)), c);
}

/** The imputation / stacked / ddd estimators' input from the DID panel. */
export function staggeredFromPanel(p: DidPanel, c: DidColumns): LoadedStaggered {
  const input = {
    y: p.num[c.y]!,
    yName: c.y,
    unit: p.unit.codes,
    nUnits: p.unit.nLevels,
    time: p.time,
    cohort: p.cohort!,
    x: p.x.map((name) => ({ name, values: p.num[name]! })),
    cluster: p.cluster,
  };
  const ex: Record<string, Float64Array> = {};
  for (const g of c.extraCohorts ?? []) ex[g] = p.num[g]!;
  return {
    input,
    extra: ex,
    unitLabels: (i) => levelLabel(p.unit, i),
    missing: p.dropped.rows,
    missingByColumn: p.dropped.byColumn,
    inputs: p.inputs,
    columns: c,
  };
}

/** "0:5" → [0..5]; "0,2,4" → [0, 2, 4]. */
export function parseIntRange(s: string, flag: string): number[] {
  const m = /^\s*(-?\d+)\s*:\s*(-?\d+)\s*$/.exec(s);
  if (m) {
    const a = Number(m[1]),
      b = Number(m[2]);
    if (a > b) throw usageError(`${flag} ${s}: the first number must not exceed the second`);
    return Array.from({ length: b - a + 1 }, (_, k) => a + k);
  }
  const parts = s.split(",").map((p) => p.trim());
  if (parts.some((p) => !/^-?\d+$/.test(p))) throw usageError(`${flag} must be a range like 0:5 or a list like 0,1,2, got '${s}'`);
  return parts.map(Number);
}

/** A row with normal-based inference (didimputation reports est ± 1.96·se). */
export function normalRow(term: string, est: number, se: number, level = 0.95, extra: Record<string, unknown> = {}): EstimateRow {
  const z = est / se,
    q = qnorm(1 - (1 - level) / 2);
  const ok = Number.isFinite(est) && Number.isFinite(se) && se > 0;
  return {
    term,
    estimate: Number.isFinite(est) ? est : null,
    std_error: Number.isFinite(se) ? se : null,
    statistic: ok ? z : null,
    p_value: ok ? 2 * (1 - pnorm(Math.abs(z))) : null,
    conf_low: ok ? est - q * se : null,
    conf_high: ok ? est + q * se : null,
    ...extra,
  };
}

export interface ImputationAnalysisOptions {
  horizons?: number[] | null;
  /** pre-trend test: number of leads K (leads 1..K; 0 = none) or the list of leads k (terms pre::-k) */
  pretrends?: number | number[];
  level?: number;
}

/** The overall effect of the imputation estimator: the mean over the treated observations (term att). */
export const IMPUTATION_HEADLINE: HeadlineSpec = { term: "att", label: "mean over treated observations" };

/** Imputation estimates + pre-trend test as the `did imputation` JSON result (docs/CONTRACT.md). */
export function imputationAnalysis(d: LoadedStaggered, o: ImputationAnalysisOptions = {}): KeytechResult {
  const inp = d.input;
  const fit = imputationFit(inp, { horizons: o.horizons ?? null });
  const level = o.level ?? 0.95;
  const estimates = fit.estimates.map((e) => normalRow(e.term, e.estimate, e.std_error, level, { n_treated: e.n_treated }));
  const warnings: string[] = [];
  if (fit.notImputable > 0)
    warnings.push(
      `${fit.notImputable} treated observations cannot be imputed (their unit or period has no untreated observation) and are left out of every estimate`,
    );
  for (const e of fit.estimates) if (e.n_treated === 0) warnings.push(`horizon ${e.e} has no imputable treated observation`);
  const result: KeytechResult = makeResult({
    command: "did imputation",
    headline: IMPUTATION_HEADLINE,
    estimates,
    nobs: fit.nUntreated + fit.nTreated,
    fit: { n_untreated: fit.nUntreated, n_treated: fit.nTreated, first_stage: fit.coefNames.map((nm, k) => ({ term: nm, estimate: fit.coef[k]! })) },
    vcov: {
      type: "cluster",
      clusters: { [inp.cluster.name]: fit.nClusters },
      small_sample: "none: BJS (2024) conservative variance Σ_c(Σ v·ε̃)², as R didimputation; normal inference",
    },
    dropped: { singletons: 0, missing: d.missing, collinear: fit.droppedCollinear, not_imputable: fit.notImputable },
    provenance: {
      seed: null,
      inputs: d.inputs,
      options: {
        y: d.columns.y,
        unit: d.columns.unit,
        time: d.columns.time,
        cohort: d.columns.cohort,
        x: d.columns.x ?? [],
        cluster: inp.cluster.name,
        horizons: o.horizons ?? "all",
        pretrends: o.pretrends ?? 0,
        level,
      },
    },
  });
  const P = o.pretrends ?? 0;
  const leads = typeof P === "number" ? Array.from({ length: P }, (_, k) => P - k) : P;
  if (leads.length > 0) {
    result.pretrends = pretrendTest(inp, leads, level);
    // the event-time rows: the pre-trend leads rel::−k, then the horizons rel::e
    result.event_rows = eventTimeRows(withImputationLeads(result).estimates);
  }
  if (warnings.length) result.warnings = warnings;
  return result;
}

/**
 * BJS pre-trend test (didimputation `pretrends`): OLS of Y on the lead indicators 1[t − G = −k], k = 1..K,
 * X and unit + period FEs on the untreated observations; cluster-robust VCOV (fixest defaults, clustered
 * by the cluster variable); joint Wald test of all leads (F with G−1 denominator df, and χ²).
 */
export function pretrendTest(inp: LoadedStaggered["input"], leadList: number[], level = 0.95): PretrendsBlock {
  const n = inp.y.length;
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (!(inp.cohort[i]! > 0 && inp.time[i]! >= inp.cohort[i]!)) rows.push(i);
  const pick = (v: Float64Array) => Float64Array.from(rows, (i) => v[i]!);
  const pickI = (v: Int32Array) => Int32Array.from(rows, (i) => v[i]!);
  const leads = leadDummies(
    inp.time,
    inp.cohort,
    [...leadList].sort((a, b) => b - a),
  );
  const tc = timeCodes(inp.time);
  const fit = feols({
    y: pick(inp.y),
    yName: inp.yName ?? "y",
    x: [...leads.map((l) => ({ name: l.name, values: pick(l.values) })), ...(inp.x ?? []).map((c) => ({ name: c.name, values: pick(c.values) }))],
    fixedEffects: [
      { name: "unit", codes: pickI(inp.unit), nLevels: inp.nUnits },
      { name: "time", codes: pickI(tc.codes), nLevels: tc.levels.length },
    ],
  });
  const vc = computeVcov(fit, { type: "cluster", clusters: [{ name: inp.cluster.name, codes: pickI(inp.cluster.codes), nLevels: inp.cluster.nLevels }] });
  const table = coefTable(fit, vc, level).filter((r) => r.term.startsWith("pre::"));
  const terms = table.map((r) => r.term);
  const wald = terms.length ? waldTest(fit, vc, terms) : null;
  return {
    estimates: table,
    dropped_collinear: fit.droppedCollinear.filter((t) => t.startsWith("pre::")),
    nobs: fit.nobs,
    wald: wald ? { terms, stat: wald.stat, df1: wald.df1, df2: wald.df2, p_value: wald.p_value, chi2: wald.chi2, chi2_p_value: wald.chi2_p_value } : null,
    vcov: vcovBlock(vc),
  };
}

/**
 * The study's DID panel (StudyData.panel) as a LoadedStaggered: outcome, controls, unit, time, cohort and
 * cluster of the spec; rows with a missing outcome or control are left out and counted.
 */
export function loadedFromStudy(d: DidPanel, model: PanelModel): LoadedStaggered {
  const yName = model.outcome;
  const y = d.num[yName];
  const cohort = d.cohort;
  if (!y) throw new Error(`column "${yName}" is not a numeric column of the panel`);
  if (!cohort) throw new Error("the study panel has no cohort column");
  const xs = model.controls.map((c) => {
    const v = d.num[c];
    if (!v) throw new Error(`column "${c}" is not a numeric column of the panel`);
    return { name: c, values: v };
  });
  const rows: number[] = [];
  for (let i = 0; i < d.n; i++) if (Number.isFinite(y[i]!) && xs.every((x) => Number.isFinite(x.values[i]!))) rows.push(i);
  const pick = (v: Float64Array) => Float64Array.from(rows, (i) => v[i]!);
  const input = {
    y: pick(y),
    yName,
    unit: Int32Array.from(rows, (i) => d.unit.codes[i]!),
    nUnits: d.unit.nLevels,
    time: pick(d.time),
    cohort: Float64Array.from(rows, (i) => cohortValue(cohort[i]!)),
    x: xs.map((x) => ({ name: x.name, values: pick(x.values) })),
    cluster: { name: d.cluster.name, codes: Int32Array.from(rows, (i) => d.cluster.codes[i]!), nLevels: d.cluster.nLevels },
  };
  return {
    input,
    extra: {},
    unitLabels: (i) => (d.unit.levels[i] === undefined ? String(i) : levelLabel(d.unit, i)),
    missing: d.n - rows.length,
    missingByColumn: {},
    inputs: d.inputs,
    columns: { data: "(study panel)", y: yName, unit: d.unitName, time: d.timeName, cohort: "cohort", x: xs.map((x) => x.name), cluster: d.cluster.name },
  };
}

/**
 * Study event-study overlay: imputation horizons 0..hi as `rel::e` and the pre-trend lead coefficients
 * for lo..−1 except the reference period as `rel::k` (BJS pre-trend regression, cluster-robust).
 */
export function imputationEventStudy(a: { panel: DidPanel; model: PanelModel; window: [number, number]; ref: number }): KeytechResult {
  const [lo, hi] = a.window;
  const d = loadedFromStudy(a.panel, a.model);
  const horizons = Array.from({ length: Math.max(hi + 1, 0) }, (_, k) => k);
  const leads: number[] = [];
  for (let k = -lo; k >= 1; k--) if (-k !== a.ref) leads.push(k);
  const r = imputationAnalysis(d, { horizons, pretrends: leads });
  r.estimates = withImputationLeads(r).estimates;
  return r;
}

/** Imputation result with its pre-trend lead coefficients renamed `rel::−k` and put first. */
export function withImputationLeads(r: KeytechResult): KeytechResult {
  const pre = r.pretrends?.estimates ?? [];
  return { ...r, estimates: [...pre.map((e) => ({ ...e, term: e.term.replace(/^pre::/, "rel::") })), ...r.estimates] };
}
