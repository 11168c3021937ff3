/**
 * `keytech did sdid`: synthetic DID (or its SC / DID special cases) with placebo, bootstrap or
 * jackknife standard errors, as a KeytechResult with `unit_weights`, `time_weights` and the treated vs
 * synthetic-control `trajectories` (docs/CONTRACT.md). Block designs follow R synthdid 0.0.9;
 * staggered designs follow Stata sdid (per-cohort estimates averaged with treated-cell weights).
 */
import { inputError, usageError } from "../core/errors.js";
import { qnorm, pnorm } from "../core/distributions.js";
import { makeResult, type EstimateRow, type KeytechResult } from "../core/result.js";
import { Rng } from "../core/rng.js";
import { type SdidFit, type SdidMethod, type SdidPanel, sdid, sdidSettings, sdidTrajectory } from "../estimators/sdid/sdid.js";
import { sdidOptimizedCovariates } from "../estimators/sdid/sdid-optimized.js";
import { blockPanel, widePanel } from "../estimators/sdid/sdid-panel.js";
import { projectCovariates } from "../estimators/sdid/sdid-covariates.js";
import { sdidStaggered } from "../estimators/sdid/sdid-staggered.js";
import {
  type SdidCovariates,
  type SdidSeMethod,
  type SdidSeResult,
  sdidSe,
  sdidSeParallel,
  sdidStaggeredSe,
  sdidStaggeredSeParallel,
} from "../inference/sdid-variance.js";

export interface SdidAnalysisInput {
  unit: ArrayLike<string>;
  time: ArrayLike<number>;
  y: ArrayLike<number>;
  treat: ArrayLike<number>;
  covariates?: { name: string; values: Float64Array }[];
  names: { unit: string; time: string; y: string; treat: string };
  file?: string;
  inputsHash?: Record<string, string>;
  method?: SdidMethod;
  se?: SdidSeMethod | "none";
  reps?: number;
  seed?: number;
  onProgress?: (done: number, total: number) => void;
  /** threads for placebo / bootstrap replications (sdidAnalysisParallel only; default: all cores) */
  workers?: number;
  /**
   * covariate method: "projected" (default; Kranz 2022, Stata covariates(x, projected)) or "optimized"
   * (β fitted jointly with the weights: R synthdid's X, Stata covariates(x, optimized); block designs)
   */
  covariatesMethod?: "projected" | "optimized";
}

const round = (v: number) => (Number.isFinite(v) ? v : null);

function estimateRow(term: string, est: number, se: SdidSeResult | null): EstimateRow {
  const s = se && Number.isFinite(se.se) ? se.se : null;
  const z = qnorm(0.975);
  return {
    term,
    estimate: est,
    std_error: s,
    statistic: s !== null && s > 0 ? est / s : null,
    p_value: s !== null && s > 0 ? 2 * pnorm(-Math.abs(est / s)) : null,
    conf_low: s !== null ? est - z * s : null,
    conf_high: s !== null ? est + z * s : null,
  };
}

/** Run the estimator and its variance on long data (replications in this thread). */
export function sdidAnalysis(a: SdidAnalysisInput): KeytechResult {
  const st = sdidStage(a);
  const cov = st.optimized ? { covariates: st.optimized } : {};
  const se =
    st.seMethod === "none"
      ? null
      : st.staggered
        ? sdidStaggeredSe(st.seMethod, st.sp, st.sfit, { method: st.method }, st.rng, st.seOpts)
        : sdidSe(st.seMethod, st.p, st.fit, st.rng, { ...st.seOpts, ...cov });
  return sdidAssemble(a, st, se);
}

/**
 * `sdidAnalysis` with the placebo / bootstrap replications spread over `a.workers` threads
 * (default: all cores). Replication b draws from `Rng(seed).fork(b)` only, so the result is
 * byte-identical to `sdidAnalysis` for any number of workers.
 */
export async function sdidAnalysisParallel(a: SdidAnalysisInput): Promise<KeytechResult> {
  const st = sdidStage(a);
  const o = { ...st.seOpts, ...(a.workers !== undefined ? { workers: a.workers } : {}), ...(st.optimized ? { covariates: st.optimized } : {}) };
  const se =
    st.seMethod === "none"
      ? null
      : st.staggered
        ? await sdidStaggeredSeParallel(st.seMethod, st.sp, st.sfit, { method: st.method }, st.rng, o)
        : await sdidSeParallel(st.seMethod, st.p, st.fit, st.rng, o);
  return sdidAssemble(a, st, se);
}

type Stage = ReturnType<typeof sdidStage>;

/** Validate, reshape, residualise covariates and fit (everything before the SE). */
function sdidStage(a: SdidAnalysisInput) {
  const method = a.method ?? "sdid";
  const seMethod = a.se ?? "placebo";
  const reps = a.reps ?? 200;
  const seed = a.seed ?? 1;
  if (!["sdid", "sc", "did"].includes(method)) throw usageError(`--method must be sdid, sc or did, got '${method}'`);
  if (!["placebo", "bootstrap", "jackknife", "none"].includes(seMethod))
    throw usageError(`--se must be placebo, bootstrap, jackknife or none, got '${seMethod}'`);
  if (!(Number.isInteger(reps) && reps >= 2)) throw usageError(`--reps must be an integer ≥ 2, got ${reps}`);
  const covMethod = a.covariatesMethod ?? "projected";
  if (!["projected", "optimized"].includes(covMethod)) throw usageError(`--covariates-method must be projected or optimized, got '${String(covMethod)}'`);
  const w = widePanel({ unit: a.unit, time: a.time, y: a.y, treat: a.treat, ...(a.file !== undefined ? { file: a.file } : {}), columns: a.names });
  const N = w.units.length;
  const T = w.times.length;
  const warnings: string[] = [];
  let Y = w.Y;
  let covBlock: { name: string; coef: number }[] | undefined;
  let dropped: string[] = [];
  let covX: { name: string; values: Float64Array }[] | null = null;
  if (a.covariates && a.covariates.length > 0) {
    const X = a.covariates.map((c) => {
      const v = new Float64Array(N * T);
      for (let k = 0; k < N * T; k++) {
        const r = w.rowOf[k]!;
        const x = c.values[r]!;
        if (!Number.isFinite(x))
          throw inputError("missing covariate value; synthetic DID with covariates needs them in every unit-period", {
            ...(a.file !== undefined ? { file: a.file } : {}),
            row: r + 1,
            column: c.name,
          });
        v[k] = x;
      }
      return { name: c.name, values: v };
    });
    if (covMethod === "optimized") covX = X;
    else {
      const never = Array.from(w.adoption, (x) => x < 0);
      const proj = projectCovariates(Y, N, T, X, never);
      Y = proj.Y;
      covBlock = proj.beta;
      dropped = proj.dropped;
      if (dropped.length) warnings.push(`covariates absorbed by the unit and period effects (coefficient set to 0): ${dropped.join(", ")}`);
    }
  }
  const adoptions = new Set(Array.from(w.adoption).filter((x) => x >= 0));
  const staggered = adoptions.size > 1;
  const rng = new Rng(seed);
  const progress = a.onProgress ? (d: number) => a.onProgress!(d, reps) : undefined;
  const seOpts = { replications: reps, ...(progress ? { onProgress: progress } : {}) };
  const sp = { Y, N, T, adoption: w.adoption };
  // exactly one of the two designs is fitted; the other's fields are never read
  if (covX && staggered)
    throw usageError("--covariates-method optimized is implemented for block designs (one adoption period); use projected for staggered adoption");
  const b = staggered ? null : blockPanel({ ...w, Y });
  const p: SdidPanel = b ? b.panel : { Y, N, T, N0: 0, T0: 0 };
  let fit: SdidFit | null = null;
  let optimized: SdidCovariates | null = null;
  let pTraj = p;
  if (b && covX) {
    const Xb = covX.map((x) => blockPanel({ ...w, Y: x.values }).panel.Y);
    const settings = sdidSettings(p, { method });
    const of = sdidOptimizedCovariates(p, Xb, settings);
    fit = { estimate: of.estimate, omega: of.omega, lambda: of.lambda, settings, iterations: [0, of.iterations, 0, of.iterations] };
    optimized = { X: Xb, beta: of.beta };
    covBlock = covX.map((x, k) => ({ name: x.name, coef: of.beta[k]! }));
    const Yadj = Float64Array.from(p.Y);
    Xb.forEach((x, k) => {
      for (let j = 0; j < Yadj.length; j++) Yadj[j] = Yadj[j]! - of.beta[k]! * x[j]!;
    });
    pTraj = { ...p, Y: Yadj };
  } else if (b) fit = sdid(p, { method });
  const sfit = staggered ? sdidStaggered(sp, { method }) : null;
  for (const k of sfit?.skipped ?? []) warnings.push(`cohort adopting in ${w.times[k.adoption]} (${k.nTreated} treated units) left out: ${k.reason}`);
  return {
    method,
    seMethod,
    reps,
    seed,
    w,
    N,
    T,
    warnings,
    covBlock,
    dropped,
    staggered,
    rng,
    seOpts,
    b: b!,
    p,
    pTraj,
    sp,
    fit: fit!,
    sfit: sfit!,
    optimized,
    covMethod,
  };
}

/** The KeytechResult from the fit stage and the SE. */
function sdidAssemble(a: SdidAnalysisInput, st: Stage, se: SdidSeResult | null): KeytechResult {
  const { method, seMethod, reps, seed, w, N, T, warnings, covBlock, dropped } = st;
  const timeOf = (t: number) => w.times[t]!;
  if (se?.note) warnings.push(se.note);
  let result: KeytechResult;
  if (!st.staggered) {
    const { b, p, fit } = st;
    const tr = sdidTrajectory(st.pTraj, fit.omega, fit.lambda);
    result = base(a, method, seMethod, reps, seed, [estimateRow(method, fit.estimate, se)], N * T, dropped);
    result.unit_weights = b.controls.map((u, i) => ({ unit: u, weight: fit.omega[i]! }));
    result.time_weights = w.times.slice(0, p.T0).map((t, k) => ({ time: t, weight: fit.lambda[k]! }));
    result.trajectories = w.times.map((t, k) => ({
      time: t,
      treated: tr.treated[k]!,
      synthetic: tr.synthetic[k]!,
      synthetic_shifted: tr.syntheticShifted[k]!,
      post: k >= p.T0,
    }));
    result.sdid = {
      design: "block",
      n_units: N,
      n_treated: p.N - p.N0,
      n_control: p.N0,
      n_periods: T,
      n_pre: p.T0,
      n_post: T - p.T0,
      first_treated_period: timeOf(p.T0),
      noise_level: fit.settings.noiseLevel,
      zeta_omega: fit.settings.zetaOmega,
      zeta_lambda: fit.settings.zetaLambda,
      min_decrease: fit.settings.minDecrease,
      iterations: { lambda: fit.iterations.slice(0, 2), omega: fit.iterations.slice(2) },
      treated_units: b.treated,
      se_replications: se ? se.replications : 0,
    };
  } else {
    const fit = st.sfit;
    const rows = [estimateRow(method, fit.att, se)];
    result = base(a, method, seMethod, reps, seed, rows, N * T, dropped);
    result.unit_weights = fit.cohorts.flatMap((c) =>
      Array.from({ length: c.panel.N0 }, (_, i) => ({ unit: w.units[c.rows[i]!]!, weight: c.fit.omega[i]!, cohort: timeOf(c.adoption) })),
    );
    result.time_weights = fit.cohorts.flatMap((c) =>
      Array.from({ length: c.panel.T0 }, (_, k) => ({ time: timeOf(k), weight: c.fit.lambda[k]!, cohort: timeOf(c.adoption) })),
    );
    result.trajectories = fit.cohorts.flatMap((c) => {
      const tr = sdidTrajectory(c.panel, c.fit.omega, c.fit.lambda);
      return w.times.map((t, k) => ({
        time: t,
        cohort: timeOf(c.adoption),
        treated: tr.treated[k]!,
        synthetic: tr.synthetic[k]!,
        synthetic_shifted: tr.syntheticShifted[k]!,
        post: k >= c.adoption,
      }));
    });
    result.cohorts = fit.cohorts.map((c) => ({
      cohort: timeOf(c.adoption),
      n_treated: c.nTreated,
      t_post: c.tPost,
      weight: c.weight,
      estimate: c.fit.estimate,
      noise_level: c.fit.settings.noiseLevel,
      zeta_omega: c.fit.settings.zetaOmega,
      zeta_lambda: c.fit.settings.zetaLambda,
    }));
    result.sdid = {
      design: "staggered",
      n_units: N,
      n_treated: Array.from(w.adoption).filter((x) => x >= 0).length,
      n_control: Array.from(w.adoption).filter((x) => x < 0).length,
      n_periods: T,
      aggregation: "ATT = Σ_a w_a τ_a, w_a ∝ N_treated,a × T_post,a (Stata sdid)",
      se_replications: se ? se.replications : 0,
    };
  }
  if (covBlock) {
    result.covariates =
      st.covMethod === "optimized"
        ? {
            method:
              "optimized (Arkhangelsky et al. 2021; R synthdid X, Stata covariates(x, optimized)): β fitted jointly with ω, λ by Frank–Wolfe steps and 1/t gradient steps on the collapsed panel; no sparsification",
            coefficients: covBlock,
          }
        : { method: "projected (Kranz 2022): feols of y on covariates with unit and period FE on never-treated units, y − Xβ̂", coefficients: covBlock };
  }
  if (warnings.length) result.warnings = warnings;
  return result;
}

function base(
  a: SdidAnalysisInput,
  method: string,
  se: string,
  reps: number,
  seed: number,
  estimates: EstimateRow[],
  nobs: number,
  collinear: string[],
): KeytechResult {
  const random = se === "placebo" || se === "bootstrap";
  return makeResult({
    command: "did sdid",
    headline: { term: method, label: `the ${method === "sdid" ? "synthetic DID" : method === "sc" ? "synthetic control" : "DID"} ATT` },
    estimates: estimates.map((e) => ({ ...e, estimate: round(e.estimate ?? Number.NaN) })),
    nobs,
    vcov: {
      type: se,
      ...(random ? { replications: reps } : {}),
      small_sample: se === "none" ? "none" : "synthdid: sqrt((r−1)/r)·sd for placebo/bootstrap, jackknife sqrt((n−1)/n·Σ(u−ū)²); normal CI",
    },
    dropped: { singletons: 0, missing: 0, collinear },
    provenance: {
      seed: random ? seed : null,
      inputs: a.inputsHash ?? {},
      options: {
        method,
        se,
        reps: random ? reps : null,
        y: a.names.y,
        unit: a.names.unit,
        time: a.names.time,
        treat: a.names.treat,
        covariates: (a.covariates ?? []).map((c) => c.name),
        ...((a.covariates ?? []).length > 0 ? { covariates_method: a.covariatesMethod ?? "projected" } : {}),
      },
    },
  });
}
