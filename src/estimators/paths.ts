/**
 * Causal path decomposition with K causally ordered mediators (Zhou & Yamamoto 2023, R `paths`;
 * METHODS.md §6). Binary treatment A, pre-treatment covariates X, mediators M₁ … M_K, outcome Y.
 * With M̲_k = (M₁..M_k) and ψ_k = E[Y(1, M̲_k(0))] (ψ₀ = E[Y(1)]), the Type I decomposition is
 *   direct = ψ_K − E[Y(0)],  via M_k = ψ_{k−1} − ψ_k (k = 1..K),  total = E[Y(1)] − E[Y(0)],
 * which add up exactly (telescoping sum). The Type II decomposition swaps the roles of 1 and 0:
 * ψ'_k = E[Y(0, M̲_k(1))] (ψ'₀ = E[Y(0)]), direct = E[Y(1)] − ψ'_K, via M_k = ψ'_k − ψ'_{k−1}.
 *
 * Estimators (R paths `paths()`): E[Y(a)] = mean_i μ̂₀(X_i, a) from model 0 = E[Y | X, A] for everyone.
 * For k ≥ 1 with model k = E[Y | X, A, M̲_k] imputed at A = 1 for the untreated (Type II: at A = 0 for
 * the treated, weights p̄/π̂(X_i), pure second stage among the treated):
 *  - "hybrid" (imputation-based weighting, the seed paper's choice):
 *    ψ̂_k = Σ_{A=0} ŵ_i μ̂_k(X_i, 1, M̲_k,i) / Σ_{A=0} ŵ_i,  ŵ_i = (1 − p̄)/(1 − π̂(X_i)), p̄ = share treated;
 *  - "pure" imputation: regress those imputations on X among the untreated with the same model class,
 *    predict for all units and average.
 * Outcome models: BART (R BART wbart defaults) or OLS with main effects (`interact`: OLS fitted
 * separately in each treatment arm, i.e. A interacted with every covariate and mediator); propensity π̂:
 * probit BART (pbart defaults, 50 trees) or logistic regression.
 */
import { Rng, hashSeed } from "../core/rng.js";
import { estimationError, inputError } from "../core/errors.js";
import { bart, type BartForest } from "./bart/bart.js";
import { linPred, logitFit, olsCoef } from "./paths-linear.js";

export type PathsModel = "bart" | "linear";
export type PathsEstimator = "hybrid" | "pure";

export interface PathsData {
  y: Float64Array;
  /** Treatment, 0/1. */
  a: Float64Array;
  /** Mediators in causal order (one column each). */
  m: Float64Array[];
  /** Pre-treatment covariates. */
  x: Float64Array[];
}

export interface PathsOptions {
  model?: PathsModel;
  /** Propensity model: default probit BART with model "bart", logit with "linear". */
  propensity?: "bart" | "logit";
  estimator?: PathsEstimator;
  /** BART settings for the outcome models (defaults 200 trees, 100 burn-in, 1000 kept draws). */
  ntree?: number;
  nskip?: number;
  ndpost?: number;
  keepevery?: number;
  /** Trees of the probit propensity BART (default 50). */
  ntreePropensity?: number;
  /** Decomposition type (METHODS.md §6.1): 1 (default) or 2. */
  type?: 1 | 2;
  /** Linear outcome models fitted separately by treatment arm (A × everything); ignored for BART. */
  interact?: boolean;
  /** Burn-in of a bootstrap chain warm-started (opt-in, paths-bootstrap.ts) from the point estimate's forest (default 20). */
  warmNskip?: number;
}

/**
 * How a bootstrap replicate runs its BART fits (see paths-bootstrap.ts): the resample's distinct rows
 * with frequency weights (the same posterior as the repeated rows), grouped mode, and chains started
 * from the point estimate's forests by stream.
 */
export interface PathsBootFit {
  weights: Float64Array;
  warm?: Map<number, BartForest>;
}

export interface PathsEstimate {
  /** Decomposition type. */
  type: 1 | 2;
  ey1: number;
  ey0: number;
  /** ψ₁ … ψ_K (Type I) or ψ'₁ … ψ'_K (Type II). */
  psi: number[];
  total: number;
  direct: number;
  /** Effect via each mediator, in the mediators' order (M₁ first). */
  via: number[];
}

/** Decompose given the endpoint and ψ estimates (Type I). */
export function typeOneDecomposition(ey1: number, ey0: number, psi: number[]): PathsEstimate {
  const K = psi.length;
  const via: number[] = [];
  for (let k = 1; k <= K; k++) via.push((k === 1 ? ey1 : psi[k - 2]!) - psi[k - 1]!);
  return { type: 1, ey1, ey0, psi, total: ey1 - ey0, direct: psi[K - 1]! - ey0, via };
}

/** Type II: direct = E[Y(1)] − ψ'_K, via M_k = ψ'_k − ψ'_{k−1} (ψ'₀ = E[Y(0)]). */
export function typeTwoDecomposition(ey1: number, ey0: number, psi: number[]): PathsEstimate {
  const K = psi.length;
  const via: number[] = [];
  for (let k = 1; k <= K; k++) via.push(psi[k - 1]! - (k === 1 ? ey0 : psi[k - 2]!));
  return { type: 2, ey1, ey0, psi, total: ey1 - ey0, direct: ey1 - psi[K - 1]!, via };
}

/** Share treated p̄; refuses designs with ≤ 5 treated or ≤ 5 untreated units (R paths skips them). */
export function checkTreatment(a: Float64Array, w?: Float64Array | null): number {
  let n1 = 0,
    nn = a.length;
  if (w) nn = w.reduce((s, v) => s + v, 0);
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v !== 0 && v !== 1) throw inputError(`treatment must be 0 or 1, got ${v}`, { row: i + 1 });
    n1 += w ? w[i]! * v : v;
  }
  if (n1 <= 5 || n1 >= nn - 5) throw estimationError(`path decomposition needs more than 5 treated and 5 untreated observations (treated: ${n1} of ${nn})`);
  return n1 / nn;
}

/**
 * One BART fit of the first stage (all independent, so they can run in parallel): `stream` 0 is
 * model 0 (test rows: everyone at A = 1, then at A = 0), k = 1..K model k (test rows: the untreated at
 * A = 1, then the treated at A = 0 — test rows never change the chain, so one fit serves both
 * decomposition types), 1000 the probit propensity model (no test rows). Its seed is hashSeed(rng.seed, stream),
 * i.e. the stream `rng.fork(stream)` — the same wherever the job runs.
 */
export interface BartJob {
  stream: number;
  x: Float64Array[];
  y: Float64Array;
  xTest: Float64Array[] | null;
  binary: boolean;
  ntree?: number;
  nskip?: number;
  ndpost?: number;
  keepevery?: number;
  /** Frequency weights of the rows (bootstrap replicates). */
  weights?: Float64Array;
  /** Grouped mode of bart() (bootstrap replicates). */
  grouped?: boolean;
  /** Warm start. */
  init?: BartForest;
  /** Return the final forest too. */
  keepForest?: boolean;
}

/** Run a job: posterior-mean test predictions (or, without test rows, training-row means). */
export function runBartJob(job: BartJob, seed: number): Float64Array {
  return runBartJobFull(job, seed).pred;
}

/** runBartJob, with the final forest when the job asks for it. */
export function runBartJobFull(job: BartJob, seed: number): { pred: Float64Array; forest?: BartForest } {
  const fit = bart(job.x, job.y, {
    binary: job.binary,
    ntree: job.ntree,
    nskip: job.nskip,
    ndpost: job.ndpost,
    keepevery: job.keepevery,
    rng: new Rng(seed),
    xTest: job.xTest ?? undefined,
    weights: job.weights,
    grouped: job.grouped,
    init: job.init,
    keepForest: job.keepForest,
  });
  return { pred: job.xTest ? fit.testMean! : fit.trainMean, forest: fit.forest };
}

/** Seed of a job's stream under the generator `rng`. */
export function bartJobSeed(rng: Rng, stream: number): number {
  return hashSeed(rng.seed, stream);
}

const stack = (tests: Float64Array[][]): Float64Array[] =>
  tests[0]!.map((_, j) => {
    const total = tests.reduce((s, t) => s + t[j]!.length, 0);
    const c = new Float64Array(total);
    let off = 0;
    for (const t of tests) {
      c.set(t[j]!, off);
      off += t[j]!.length;
    }
    return c;
  });

/** The first-stage BART jobs of `pathsEstimate` (empty for linear models); `boot`: a replicate's fits. */
export function pathsBartJobs(d: PathsData, opts: PathsOptions, boot?: PathsBootFit): BartJob[] {
  const jobs = pathsBartJobsPoint(d, opts);
  if (boot) for (const j of jobs) bootJob(j, opts, boot, boot.weights);
  return jobs;
}

/** Turn a job into a bootstrap replicate's: weights, grouped mode, warm start (shorter burn-in). */
function bootJob(j: BartJob, opts: PathsOptions, boot: PathsBootFit, weights: Float64Array): BartJob {
  j.weights = weights;
  j.grouped = true;
  const init = boot.warm?.get(j.stream);
  if (init) {
    j.init = init;
    j.nskip = opts.warmNskip ?? 20;
  }
  return j;
}

function pathsBartJobsPoint(d: PathsData, opts: PathsOptions): BartJob[] {
  if ((opts.model ?? "bart") !== "bart") return [];
  const n = d.y.length;
  const untreated: number[] = [],
    treated: number[] = [];
  for (let i = 0; i < n; i++) (d.a[i] === 0 ? untreated : treated).push(i);
  const pick = (c: Float64Array) => Float64Array.from(untreated, (i) => c[i]!);
  const pick1 = (c: Float64Array) => Float64Array.from(treated, (i) => c[i]!);
  const common = { binary: false, ntree: opts.ntree, nskip: opts.nskip, ndpost: opts.ndpost, keepevery: opts.keepevery };
  const jobs: BartJob[] = [
    {
      ...common,
      stream: 0,
      x: [...d.x, d.a],
      y: d.y,
      xTest: stack([
        [...d.x, new Float64Array(n).fill(1)],
        [...d.x, new Float64Array(n)],
      ]),
    },
  ];
  const x0 = d.x.map(pick),
    x1 = d.x.map(pick1);
  const ones0 = new Float64Array(untreated.length).fill(1),
    zeros1 = new Float64Array(treated.length);
  for (let k = 1; k <= d.m.length; k++) {
    const mk = d.m.slice(0, k);
    jobs.push({
      ...common,
      stream: k,
      x: [...d.x, d.a, ...mk],
      y: d.y,
      xTest: stack([
        [...x0, ones0, ...mk.map(pick)],
        [...x1, zeros1, ...mk.map(pick1)],
      ]),
    });
  }
  const estimator = opts.estimator ?? "hybrid";
  const propensity = opts.propensity ?? "bart";
  if (estimator === "hybrid" && propensity === "bart" && d.x.length > 0) {
    jobs.push({ ...common, stream: 1000, binary: true, ntree: opts.ntreePropensity ?? 50, x: d.x, y: d.a, xTest: null });
  }
  return jobs;
}

/**
 * Point estimates of the decomposition (see file comment). `done` may hold first-stage BART results
 * computed elsewhere (e.g. in worker threads) by stream; missing ones are fitted here.
 */
export function pathsEstimate(
  d: PathsData,
  opts: PathsOptions,
  rng: Rng,
  done?: Map<number, Float64Array>,
  boot?: PathsBootFit,
  forestsOut?: Map<number, BartForest>,
): PathsEstimate {
  const model = opts.model ?? "bart";
  const estimator = opts.estimator ?? "hybrid";
  const propensity = opts.propensity ?? (model === "bart" ? "bart" : "logit");
  const type = opts.type ?? 1;
  const interact = model === "linear" && Boolean(opts.interact);
  const n = d.y.length;
  const K = d.m.length;
  if (K === 0) throw inputError("path decomposition needs at least one mediator");
  if (type !== 1 && type !== 2) throw inputError(`decomposition type must be 1 or 2, got ${String(type)}`);
  const fw = boot?.weights ?? null; // frequency weights of the rows (bootstrap replicates with BART models)
  if (fw && (model !== "bart" || (estimator === "hybrid" && d.x.length > 0 && propensity !== "bart")))
    throw new Error("frequency weights need BART outcome and propensity models");
  const pbar = checkTreatment(d.a, fw);
  const untreated: number[] = [],
    treated: number[] = [];
  for (let i = 0; i < n; i++) (d.a[i] === 0 ? untreated : treated).push(i);
  const n0 = untreated.length;
  // Type I imputes the untreated at A = 1; Type II the treated at A = 0.
  const target = type === 1 ? untreated : treated;
  const aSet = type === 1 ? 1 : 0;
  const nt = target.length;
  const pick = (c: Float64Array, rows: number[]) => Float64Array.from(rows, (i) => c[i]!);
  const mean0 = (v: Float64Array) => v.reduce((s, z) => s + z, 0) / v.length;
  // weighted mean over all rows (wAll) or the target rows (wTarget); the plain mean without weights
  const wAll = fw,
    wTarget = fw ? pick(fw, target) : null;
  const wmean = (v: Float64Array, w: Float64Array | null) => {
    if (!w) return mean0(v);
    let s = 0,
      sw = 0;
    for (let i = 0; i < v.length; i++) {
      s += w[i]! * v[i]!;
      sw += w[i]!;
    }
    return s / sw;
  };
  const bartOpts = { ntree: opts.ntree, nskip: opts.nskip, ndpost: opts.ndpost, keepevery: opts.keepevery };

  const jobs = new Map(pathsBartJobs(d, opts, boot).map((j) => [j.stream, j]));
  const run = (job: BartJob): Float64Array => {
    if (forestsOut) job.keepForest = true;
    const r = runBartJobFull(job, bartJobSeed(rng, job.stream));
    if (forestsOut && r.forest) forestsOut.set(job.stream, r.forest);
    return r.pred;
  };
  const jobResult = (stream: number): Float64Array => done?.get(stream) ?? run(jobs.get(stream)!);

  // Model 0: E[Y | X, A] → E[Y(1)], E[Y(0)].
  let y1hat: Float64Array, y0hat: Float64Array;
  if (model === "bart") {
    const pred = jobResult(0);
    y1hat = pred.subarray(0, n);
    y0hat = pred.subarray(n, 2 * n);
  } else if (interact) {
    y1hat = linPred(
      olsCoef(
        d.x.map((c) => pick(c, treated)),
        pick(d.y, treated),
      ),
      d.x,
    );
    y0hat = linPred(
      olsCoef(
        d.x.map((c) => pick(c, untreated)),
        pick(d.y, untreated),
      ),
      d.x,
    );
  } else {
    const b = olsCoef([...d.x, d.a], d.y);
    y1hat = linPred(b, [...d.x, new Float64Array(n).fill(1)]);
    y0hat = linPred(b, [...d.x, new Float64Array(n)]);
  }
  const ey1 = wmean(y1hat, wAll),
    ey0 = wmean(y0hat, wAll);

  // Propensity weights for the target rows (hybrid only): (1 − p̄)/(1 − π̂) (Type I), p̄/π̂ (Type II).
  let w: Float64Array | null = null;
  if (estimator === "hybrid") {
    let pi: Float64Array;
    if (d.x.length === 0) pi = new Float64Array(n).fill(pbar);
    else if (propensity === "logit") pi = logitFit(d.x, d.a).prob;
    else pi = jobResult(1000);
    w = new Float64Array(nt);
    target.forEach((i, r) => {
      const q = Math.min(Math.max(pi[i]!, 1e-10), 1 - 1e-10);
      w![r] = type === 1 ? (1 - pbar) / (1 - q) : pbar / q;
    });
  }

  // Models k = 1..K: E[Y | X, A, M̲_k], imputed at A = aSet for the target rows.
  const xt = d.x.map((c) => pick(c, target));
  const psi: number[] = [];
  for (let k = 1; k <= K; k++) {
    const mk = d.m.slice(0, k);
    let imp: Float64Array;
    if (model === "bart") {
      const pred = jobResult(k);
      imp = type === 1 ? pred.subarray(0, n0) : pred.subarray(n0, n0 + nt);
    } else if (interact) {
      const arm = type === 1 ? treated : untreated; // rows with A = aSet
      const b = olsCoef(
        [...d.x, ...mk].map((c) => pick(c, arm)),
        pick(d.y, arm),
      );
      imp = linPred(b, [...xt, ...mk.map((c) => pick(c, target))]);
    } else {
      const b = olsCoef([...d.x, d.a, ...mk], d.y);
      imp = linPred(b, [...xt, new Float64Array(nt).fill(aSet), ...mk.map((c) => pick(c, target))]);
    }
    if (estimator === "hybrid") {
      let s = 0,
        sw = 0;
      if (wTarget)
        for (let r = 0; r < nt; r++) {
          const q = w![r]! * wTarget[r]!;
          s += q * imp[r]!;
          sw += q;
        }
      else
        for (let r = 0; r < nt; r++) {
          s += w![r]! * imp[r]!;
          sw += w![r]!;
        }
      psi.push(s / sw);
    } else if (d.x.length === 0) {
      psi.push(wmean(imp, wTarget));
    } else if (model === "bart") {
      // Pure imputation, second stage: regress the imputations on X among the target rows, predict for all.
      const stream = (type === 1 ? 100 : 200) + k;
      const job: BartJob = { stream, x: xt, y: Float64Array.from(imp), xTest: d.x, binary: false, ...bartOpts };
      if (boot) bootJob(job, opts, boot, wTarget!);
      psi.push(wmean(run(job), wAll));
    } else {
      psi.push(mean0(linPred(olsCoef(xt, Float64Array.from(imp)), d.x)));
    }
  }
  return type === 1 ? typeOneDecomposition(ey1, ey0, psi) : typeTwoDecomposition(ey1, ey0, psi);
}
