/**
 * Callaway–Sant'Anna analysis: long panel (balanced; unbalanced or repeated cross sections via cs-rc.ts) → ATT(g,t), the four aggregations (simple, dynamic,
 * group, calendar), the parallel-trends pre-test, analytic influence-function SEs (METHODS.md §2.3) or
 * seeded multiplier-bootstrap SEs with uniform bands (§2.5) — the `did cs` JSON result (docs/CONTRACT.md).
 */
import { eventTimeRows, makeResult, type Aggregations, type EstimateRow, type HeadlineSpec, type KeytechResult } from "../core/result.js";
import { pnorm, qnorm } from "../core/distributions.js";
import { usageError } from "../core/errors.js";
import type { DidPanel } from "../data/panel.js";
import { getColumn } from "../data/table.js";
import { buildWidePanel, type LongPanelInput } from "../estimators/cs/cs-panel.js";
import { estimateCs, type CsFit } from "../estimators/cs/cs.js";
import { estimateCsRc } from "../estimators/cs/cs-rc.js";
import type { DrdidMethod } from "../estimators/cs/drdid-panel.js";
import { aggregateCs, analyticSe, cellEstimate, preTest, type AggType, type Aggregation, type LinearEstimate } from "../inference/cs-aggregate.js";
import { bootstrapSe, multiplierDraws, uniformCritical, type MultiplierDraws } from "../inference/multiplier-bootstrap.js";

/**
 * The staggered-DID estimators' long input (cs, bacon, compare) from the DID panel: raw unit and cluster
 * ids as read (numbers or text), the coded cohort (or `cohort` given, e.g. from a treatment column).
 */
export function longPanelInput(p: DidPanel, cohort?: Float64Array): LongPanelInput {
  const t = p.table!;
  const s = p.spec;
  const raw = (name: string): ArrayLike<string | number> => {
    const c = getColumn(t, name);
    return c.kind === "num" ? c.values : (c.values as (string | number)[]);
  };
  const cl = s.cluster?.[0];
  return {
    file: p.file,
    names: { y: s.y!, unit: s.unit ?? "row", time: s.time, cohort: (s.cohort ?? s.treat)!, weights: s.weights, cluster: cl },
    y: p.num[s.y!]!,
    unit: s.unit ? raw(s.unit) : Int32Array.from({ length: p.n }, (_, r) => r),
    time: p.time,
    cohort: cohort ?? p.cohort!,
    x: p.x.map((c) => ({ name: c, values: p.num[c]! })),
    weights: p.weights ?? undefined,
    cluster: cl ? raw(cl) : undefined,
    rowNumbers: t.rowNumbers,
  };
}

export interface CsAnalysisOptions {
  control?: "never" | "notyet";
  method?: DrdidMethod;
  base?: "varying" | "universal";
  anticipation?: number;
  /** multiplier-bootstrap draws (0 = analytic SEs, the default) */
  bootstrap?: number;
  seed?: number;
  alpha?: number;
  /** uniform (simultaneous) bands with the bootstrap (default true when bootstrapping) */
  cband?: boolean;
  minE?: number;
  maxE?: number;
  balanceE?: number | null;
  naRm?: boolean;
  /** unbalanced panels: estimate with the repeated-cross-section estimators, unit ids kept (did allow_unbalanced_panel) */
  allowUnbalanced?: boolean;
  /** false: repeated cross sections (did panel = FALSE): every row is its own unit, the unit column is ignored */
  panel?: boolean;
  /**
   * use the repeated-cross-section path even on a balanced panel, as did 2.1.2 did whenever
   * allow_unbalanced_panel = TRUE (did ≥ 2.2.0 keeps the panel path when the panel is balanced; default false)
   */
  rcOnBalanced?: boolean;
  /** repeated-cross-section DR: sign-corrected influence function instead of DRDID's (default false) */
  rcCorrectedIf?: boolean;
  /** reproduce did's group-overall WIF (default true) */
  didGroupWif?: boolean;
  fastPath?: boolean;
  /** input file hashes for provenance */
  inputs?: Record<string, string>;
}

export interface CsComputed {
  result: KeytechResult;
  fit: CsFit;
  gram: Float64Array;
}

interface Row {
  estimate: number | null;
  std_error: number | null;
  conf_low: number | null;
  conf_high: number | null;
}

const num = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Run the whole analysis and return the result with the fit (for tests and the study runner). */
export function csCompute(input: LongPanelInput, opts: CsAnalysisOptions = {}): CsComputed {
  const control = opts.control ?? "never";
  const B = opts.bootstrap ?? 0;
  if (!(Number.isInteger(B) && B >= 0)) throw usageError(`--bootstrap must be a non-negative integer, got ${B}`);
  if (B > 0 && B < 20) throw usageError(`--bootstrap needs at least 20 draws for IQR-based SEs, got ${B}`);
  const seed = opts.seed ?? 1;
  const alpha = opts.alpha ?? 0.05;
  const isPanel = opts.panel ?? true;
  // repeated cross sections: each row is its own unit
  const unitInput: LongPanelInput = isPanel ? input : { ...input, unit: Int32Array.from({ length: input.y.length }, (_, r) => r) };
  const panel = buildWidePanel(unitInput, { control, anticipation: opts.anticipation ?? 0, allowUnbalanced: !isPanel || (opts.allowUnbalanced ?? false) });
  const csOpts = {
    control,
    method: opts.method ?? "dr",
    base: opts.base ?? "varying",
    anticipation: opts.anticipation ?? 0,
    fastPath: opts.fastPath ?? true,
    rcCorrectedIf: opts.rcCorrectedIf ?? false,
  } as const;
  const rc = !isPanel || panel.present !== null || (opts.rcOnBalanced ?? false);
  const path = !isPanel ? "repeated cross sections" : rc ? "repeated cross sections within the panel (unit ids kept)" : "panel";
  if (isPanel && panel.present) {
    let missing = 0;
    for (let c = 0; c < panel.present.length; c++) missing += 1 - panel.present[c]!;
    panel.warnings.push(
      `unbalanced panel (${missing} of ${panel.n * panel.T} unit-periods missing): cells estimated with the repeated-cross-section estimators, influence functions summed by unit`,
    );
  }
  const fit = rc ? estimateCsRc(panel, csOpts) : estimateCs(panel, csOpts);
  const G = fit.basis.gram();
  const n = fit.n;
  const draws: MultiplierDraws | null = B > 0 ? multiplierDraws(fit.basis, B, seed) : null;
  const cband = draws !== null && (opts.cband ?? true);
  const zp = qnorm(1 - alpha / 2);
  const se = (l: LinearEstimate): number => (draws ? bootstrapSe(draws, l.lambda, n) : analyticSe(G, l.lambda, n));
  const crits: Record<string, number> = {};
  /** SEs and CIs for a family (uniform band when requested). */
  const family = (name: string, items: LinearEstimate[], uniform: boolean): Row[] => {
    const ses = items.map(se);
    let crit = zp;
    if (uniform && draws) {
      const u = uniformCritical(
        draws,
        items.map((i) => i.lambda),
        ses,
        n,
        alpha,
      );
      crit = u.crit;
      crits[name] = u.crit;
    }
    return items.map((it, k) => ({
      estimate: num(it.estimate),
      std_error: num(ses[k]!),
      conf_low: num(it.estimate - crit * ses[k]!),
      conf_high: num(it.estimate + crit * ses[k]!),
    }));
  };
  const cellRows = family(
    "att_gt",
    fit.cells.map((_, k) => cellEstimate(fit, k)),
    cband,
  );
  const att_gt = fit.cells.map((c, k) => ({
    group: c.group,
    time: c.time,
    ...cellRows[k]!,
    base: c.base,
    post: c.post,
    n_treated: c.nTreated,
    n_control: c.nControl,
  }));
  const aggOpts = { minE: opts.minE, maxE: opts.maxE, balanceE: opts.balanceE ?? null, naRm: opts.naRm ?? true, didGroupWif: opts.didGroupWif ?? true };
  const aggs: Record<AggType, Aggregation> = {
    simple: aggregateCs(fit, "simple", aggOpts),
    dynamic: aggregateCs(fit, "dynamic", aggOpts),
    group: aggregateCs(fit, "group", aggOpts),
    calendar: aggregateCs(fit, "calendar", aggOpts),
  };
  const keyName: Record<AggType, string> = { simple: "", dynamic: "e", group: "group", calendar: "time" };
  const aggregations: Record<string, unknown> = {};
  const overallRows: Record<string, Row> = {};
  for (const t of ["simple", "dynamic", "group", "calendar"] as AggType[]) {
    const a = aggs[t];
    const [overall] = family(`${t}_overall`, [a.overall], false);
    overallRows[t] = overall!;
    if (t === "simple") aggregations[t] = { overall };
    else {
      const rows = family(t, a.by, cband);
      aggregations[t] = { overall, by: a.by.map((b, k) => ({ [keyName[t]]: b.key, ...rows[k]! })) };
    }
  }
  const pt = preTest(fit, G);
  const estimates: EstimateRow[] = (["simple", "dynamic", "group", "calendar"] as AggType[]).map((t) => {
    const r = overallRows[t]!;
    const stat = r.estimate !== null && r.std_error !== null ? r.estimate / r.std_error : null;
    return {
      term: t === "simple" ? "ATT" : `ATT::${t}`,
      estimate: r.estimate,
      std_error: r.std_error,
      statistic: stat,
      p_value: stat === null ? null : 2 * pnorm(-Math.abs(stat)),
      conf_low: r.conf_low,
      conf_high: r.conf_high,
    };
  });
  if (panel.cluster && panel.nClusters < 30)
    fit.warnings.push(
      `only ${panel.nClusters} clusters in '${panel.clusterName}': influence-function SEs clustered on few clusters understate the uncertainty`,
    );
  const nanCells = fit.cells.filter((c) => !Number.isFinite(c.att)).length;
  const result: KeytechResult = makeResult({
    command: "did cs",
    estimates,
    nobs: panel.nobs,
    n_units: n,
    n_periods: panel.T,
    vcov: {
      type: draws ? "multiplier bootstrap" : "influence function",
      clusters: { [panel.clusterName ?? (isPanel ? input.names.unit : "row")]: panel.nClusters },
      small_sample: "none (did: se = sqrt(Σ_c (Σ_{i∈c} Ψ_i)²)/n)",
      df: null,
      ...(draws ? { draws: B, critical_values: crits } : {}),
    },
    dropped: { singletons: 0, missing: 0, collinear: [], units: panel.droppedUnits, cells_na: nanCells },
    att_gt,
    aggregations,
    pre_test: pt ? { statistic: pt.statistic, df: pt.df, p_value: pt.p_value } : null,
    provenance: {
      seed: draws ? seed : null,
      inputs: opts.inputs ?? {},
      options: {
        y: input.names.y,
        unit: input.names.unit,
        time: input.names.time,
        cohort: input.names.cohort,
        x: (input.x ?? []).map((c) => c.name),
        weights: input.names.weights ?? null,
        cluster: input.names.cluster ?? null,
        control,
        method: fit.options.method,
        base: fit.options.base,
        anticipation: fit.options.anticipation,
        bootstrap: B,
        alpha,
        cband,
        min_e: opts.minE ?? null,
        max_e: opts.maxE ?? null,
        balance_e: opts.balanceE ?? null,
        na_rm: aggOpts.naRm,
        did_group_wif: aggOpts.didGroupWif,
        panel: isPanel,
        allow_unbalanced: opts.allowUnbalanced ?? false,
        estimator_path: path,
      },
    },
    warnings: fit.warnings,
    headline: CS_HEADLINE,
    event_rows: eventTimeRows(csEventRows({ aggregations })),
  });
  return { result, fit, gram: G };
}

/** The overall effect of Callaway–Sant'Anna as `did compare` reports it: the dynamic aggregation's overall ATT. */
export const CS_HEADLINE: HeadlineSpec = { term: "ATT::dynamic", label: "dynamic aggregation (mean of θ(e), e ≥ 0)" };

/**
 * Callaway–Sant'Anna dynamic aggregation θ(e) as rows `rel::e` (normal inference, as did: z = θ/se,
 * p = 2Φ(−|z|); the CI is did's, pointwise or uniform).
 */
export function csEventRows(r: { aggregations?: Aggregations | undefined }): EstimateRow[] {
  const by = r.aggregations?.dynamic?.by ?? [];
  return by.map((b) => {
    const z = b.estimate != null && b.std_error ? b.estimate / b.std_error : null;
    return {
      term: `rel::${b.e}`,
      estimate: b.estimate,
      std_error: b.std_error,
      statistic: z,
      p_value: z === null ? null : 2 * pnorm(-Math.abs(z)),
      conf_low: b.conf_low,
      conf_high: b.conf_high,
    };
  });
}

/** The `did cs` JSON result. */
export function csAnalysis(input: LongPanelInput, opts: CsAnalysisOptions = {}): KeytechResult {
  return csCompute(input, opts).result;
}
