/**
 * Causal path decomposition analysis (seed Table 3 layout): total effect, the effect via each
 * ordered mediator (`path:<mediator>`), the direct effect, each with its share of the total, bootstrap
 * SE / percentile CI / p (METHODS.md §6). For county-year panels (§6.3 [A]): A = Treat×Post, the
 * bootstrap resamples whole units (`cluster`), and `time` adds one indicator per year (first year
 * omitted) to X — BART cannot absorb hundreds of unit fixed effects, so none are included.
 */
import { inputError } from "../core/errors.js";
import type { DidPanel } from "../data/panel.js";
import type { PanelModel } from "./twfe-fit.js";
import { makeResult, type EstimateRow, type KeytechResult } from "../core/result.js";
import { Rng } from "../core/rng.js";
import { progressBar } from "../core/progress.js";
import { pathsEstimate, type PathsEstimate, type PathsOptions } from "../estimators/paths.js";
import { pathsSens, sd, symmetricGrid } from "../estimators/paths-sens.js";
import { pathsBootstrap, pathsEstimateParallel, summariseBoot } from "../inference/paths-bootstrap.js";

export interface PathsAnalysisInput {
  y: { name: string; values: Float64Array };
  treat: { name: string; values: Float64Array };
  mediators: { name: string; values: Float64Array }[];
  x?: { name: string; values: Float64Array }[];
  /** Period labels: adds year indicators to X. */
  time?: { name: string; values: (string | number)[] } | null;
  /** Cluster (unit) labels for the bootstrap. */
  cluster?: { name: string; values: (string | number)[] } | null;
  options?: PathsOptions;
  boot?: number;
  seed?: number;
  workers?: number;
  file?: string;
  inputsHash?: Record<string, string>;
  progress?: boolean;
  /**
   * Sensitivity analysis (R paths `sens()`, METHODS.md §6.4) for an unobserved confounder of the
   * `confounded` mediator's relation with Y, for every estimand; grids default to 20 values on ±sd(Y) (γ)
   * and ±sd(A) (η).
   */
  sens?: { confounded: string; gamma?: number[]; eta?: number[] } | null;
}

/** Year indicators for all but the first (sorted) period. */
export function periodDummies(t: (string | number)[]): { name: string; values: Float64Array }[] {
  const levels = [...new Set(t.map(String))].sort((a, b) => {
    const na = Number(a),
      nb = Number(b);
    return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a < b ? -1 : a > b ? 1 : 0;
  });
  return levels.slice(1).map((lv) => ({ name: `period::${lv}`, values: Float64Array.from(t, (v) => (String(v) === lv ? 1 : 0)) }));
}

/** Run the decomposition (+ bootstrap) and package it as a KeytechResult. */
export async function pathsAnalysis(a: PathsAnalysisInput): Promise<KeytechResult> {
  const n = a.y.values.length;
  const cols = [a.y, a.treat, ...a.mediators, ...(a.x ?? [])];
  for (const c of cols) {
    if (c.values.length !== n) throw inputError(`column '${c.name}' has ${c.values.length} values, expected ${n}`, { file: a.file, column: c.name });
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(c.values[i]!))
        throw inputError("missing or non-finite value; the path decomposition needs complete rows — drop or impute them first", {
          file: a.file,
          row: i + 1,
          column: c.name,
        });
    }
  }
  for (let i = 0; i < n; i++) {
    const v = a.treat.values[i]!;
    if (v !== 0 && v !== 1) throw inputError(`treatment must be 0 or 1, got ${v}`, { file: a.file, row: i + 1, column: a.treat.name });
  }
  const xcols = [...(a.x ?? []), ...(a.time ? periodDummies(a.time.values) : [])];
  const data = { y: a.y.values, a: a.treat.values, m: a.mediators.map((m) => m.values), x: xcols.map((c) => c.values) };
  const opts: PathsOptions = { model: "bart", estimator: "hybrid", ...(a.options ?? {}) };
  const seed = a.seed ?? 1;
  // First-stage BART fits run in parallel worker threads (same numbers as in one thread).
  const point: PathsEstimate =
    a.workers === 1 ? pathsEstimate(data, opts, new Rng(seed).fork(0)) : await pathsEstimateParallel(data, opts, new Rng(seed).fork(0), a.workers);

  let cluster: Int32Array | undefined;
  let nClusters: number | null = null;
  if (a.cluster) {
    const ids = new Map<string, number>();
    cluster = Int32Array.from(a.cluster.values, (v) => {
      const k = String(v);
      let g = ids.get(k);
      if (g === undefined) {
        g = ids.size;
        ids.set(k, g);
      }
      return g;
    });
    nClusters = ids.size;
  }
  const B = a.boot ?? 0;
  let reps: (PathsEstimate | null)[] = [];
  if (B > 0) {
    const bar = progressBar("paths bootstrap", B, a.progress === false ? { enabled: false } : {});
    reps = await pathsBootstrap(data, opts, { reps: B, seed, cluster, workers: a.workers, onReplicate: () => bar.tick() });
    bar.done();
  }
  const terms: { term: string; value: number; get: (e: PathsEstimate) => number }[] = [
    { term: "total", value: point.total, get: (e) => e.total },
    ...a.mediators.map((m, k) => ({ term: `path:${m.name}`, value: point.via[k]!, get: (e: PathsEstimate) => e.via[k]! })),
    { term: "direct", value: point.direct, get: (e) => e.direct },
  ];
  const estimates: EstimateRow[] = terms.map((t) => {
    const s = B > 0 ? summariseBoot(reps.map((r) => (r ? t.get(r) : null))) : null;
    return {
      term: t.term,
      estimate: t.value,
      std_error: s?.std_error ?? null,
      statistic: s?.std_error ? t.value / s.std_error : null,
      p_value: s?.p_value ?? null,
      conf_low: s?.conf_low ?? null,
      conf_high: s?.conf_high ?? null,
      share: point.total !== 0 ? t.value / point.total : null,
    };
  });
  const okReps = reps.filter((r) => r !== null).length;
  const sensitivity = a.sens ? sensitivitySection(a, estimates, opts) : undefined;
  const result: KeytechResult = makeResult({
    command: "paths",
    estimates,
    nobs: n,
    dropped: { singletons: 0, missing: 0, collinear: [] },
    vcov:
      B > 0
        ? {
            type: a.cluster ? "cluster bootstrap" : "bootstrap",
            clusters: a.cluster ? { [a.cluster.name]: nClusters! } : undefined,
            reps: B,
            reps_ok: okReps,
            ci: "percentile 95%",
          }
        : { type: "none" },
    decomposition: { type: point.type === 2 ? "II" : "I", estimator: opts.estimator, ey1: point.ey1, ey0: point.ey0, psi: point.psi },
    provenance: {
      seed,
      inputs: a.inputsHash ?? {},
      options: {
        y: a.y.name,
        treat: a.treat.name,
        mediators: a.mediators.map((m) => m.name),
        x: (a.x ?? []).map((c) => c.name),
        time: a.time?.name ?? null,
        cluster: a.cluster?.name ?? null,
        boot: B,
        ...opts,
      },
    },
  });
  if (sensitivity) result.sensitivity = sensitivity;
  if (B > 0 && okReps < B) result.warnings = [`${B - okReps} of ${B} bootstrap replicates skipped (≤ 5 treated or untreated rows, or a failed fit)`];
  return result;
}

/**
 * The `sensitivity` section: for each estimand (`path:<m>` in order, then `direct`) the bias formula and,
 * over the grid, the number of sign reversals and the range of adjusted estimates; the full grid rows
 * (γ, η, bias, adjusted estimate and CI bounds, reversed) for the 2-way grids (≤ 400 rows each). The
 * 4-way grids (j < k ≤ K: 160,000 points at the default sizes) are summarised only.
 */
function sensitivitySection(a: PathsAnalysisInput, estimates: EstimateRow[], opts: PathsOptions) {
  const sens = a.sens!;
  const K = a.mediators.length;
  const j = a.mediators.findIndex((m) => m.name === sens.confounded) + 1;
  if (j === 0)
    throw inputError(`sensitivity: '${sens.confounded}' is not one of the mediators (${a.mediators.map((m) => m.name).join(", ")})`, {
      column: sens.confounded,
    });
  const gamma = sens.gamma ?? symmetricGrid(sd(a.y.values));
  const eta = sens.eta ?? symmetricGrid(sd(a.treat.values));
  const out = [];
  for (let k = 1; k <= K + 1; k++) {
    const row = estimates[k]!; // estimates: total, path:m1..mK, direct
    const original = { estimate: row.estimate!, conf_low: row.conf_low, conf_high: row.conf_high };
    const r = pathsSens(K, j, k, original, gamma, eta);
    let lo = Infinity,
      hi = -Infinity;
    for (const v of r.adjusted) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const entry: Record<string, unknown> = {
      term: row.term,
      k,
      formula: r.formula,
      grid_points: r.bias.length,
      reversed: r.nReversed,
      share_reversed: r.nReversed / r.bias.length,
      original,
      adjusted_min: lo,
      adjusted_max: hi,
    };
    if (r.dims === 2) {
      const G = gamma.length;
      entry.rows = Array.from(r.bias, (b, idx) => ({
        gamma: gamma[idx % G]!,
        eta: eta[Math.floor(idx / G)]!,
        bias: b,
        estimate: r.adjusted[idx]!,
        conf_low: original.conf_low === null ? null : original.conf_low - b,
        conf_high: original.conf_high === null ? null : original.conf_high - b,
        reversed: r.reversed[idx] === 1,
      }));
    }
    out.push(entry);
  }
  return {
    confounded: sens.confounded,
    j,
    decomposition: opts.type === 2 ? "II" : "I",
    estimator: opts.estimator,
    gamma_values: gamma,
    eta_values: eta,
    note: "bias formulas of Zhou & Yamamoto (R paths sens()): k<j 0; k=j -g_k*e_k; j<k<=K g_(k-1)*e_(k-1) - g_k*e_k (4-way grid, summarised); direct g_K*e_K; adjusted = estimate - bias (CI bounds too)",
    estimands: out,
  };
}

/**
 * Study block entry (blocks/mechanisms.ts, Table 3): outcome = the spec's outcome column, A = treat_post,
 * X = the main model's controls + year indicators, cluster bootstrap over the spec's cluster column.
 * Rows with a missing value in any of these columns are dropped listwise and counted in `dropped.missing`.
 */
export async function pathsStudy(
  d: DidPanel,
  input: PanelModel & { mediators: string[]; model?: "bart" | "linear"; boot?: number; seed: number; workers?: number },
): Promise<KeytechResult> {
  const col = (name: string) => {
    const v = d.num[name];
    if (!v) throw inputError(`column '${name}' is not a numeric column of the panel`, { column: name });
    return v;
  };
  const yName = input.outcome;
  const named = [yName, "treat_post", ...input.mediators, ...input.controls];
  const cols = named.map(col);
  const rows: number[] = [];
  for (let i = 0; i < d.n; i++) if (cols.every((c) => Number.isFinite(c[i]!))) rows.push(i);
  const take = (v: Float64Array) => Float64Array.from(rows, (i) => v[i]!);
  const res = await pathsAnalysis({
    y: { name: yName, values: take(cols[0]!) },
    treat: { name: "treat_post", values: take(cols[1]!) },
    mediators: input.mediators.map((m, k) => ({ name: m, values: take(cols[2 + k]!) })),
    x: input.controls.map((c, k) => ({ name: c, values: take(cols[2 + input.mediators.length + k]!) })),
    time: { name: d.timeName, values: rows.map((i) => d.time[i]!) },
    cluster: { name: d.cluster.name, values: rows.map((i) => d.cluster.codes[i]!) },
    options: { model: input.model ?? "bart" },
    boot: input.boot ?? 0,
    seed: input.seed,
    workers: input.workers,
    inputsHash: d.inputs,
    progress: true,
  });
  res.dropped.missing = d.n - rows.length;
  return res;
}
