/**
 * Bootstrap inference for the path decomposition (METHODS.md §6.3): resample whole clusters (units)
 * with replacement (rows when no cluster is given), refit every nuisance model on each resample,
 * SE = sd of the replicates, percentile CI, p = 1 − 2|P*(θ* < 0) − ½| (= 2 min(P*(θ*<0), P*(θ*≥0))).
 * Replicate b uses its own stream `new Rng(seed).fork(b + 1)` (stream 0 is the point estimate), so
 * results are identical whether replicates run in one thread or spread over worker threads.
 * A replicate with ≤ 5 treated or ≤ 5 untreated rows is skipped (NA), as in R paths.
 *
 * BART models (outcome and propensity): a resample repeats whole clusters, so each replicate fits its
 * BART models on the distinct rows with frequency weights (bart() `weights`: the posterior of the
 * repeated rows, on ≈ 63% of the rows) in grouped mode — the same chains as on the repeated rows, to
 * rounding. Each replicate's cut grid is its resample's own, as R BART's refits.
 * With `warm: true` (opt-in) every chain starts from the point estimate's final forest of the same model
 * (stream) with `warmNskip` burn-in iterations instead of `nskip`; the forest's cut values are mapped
 * onto the replicate's grid. The point-estimate forests are those of `pathsEstimate(d, opts,
 * new Rng(seed).fork(0))` (pass them as `forests` or they are fitted here), so the replicates depend on
 * the seed only, not on the number of worker threads. Not the default: on a small design with short
 * chains (test/mech/paths.test.ts; 150 replicates each) warm-started SEs came out 3–13 % below cold
 * ones — the replicates share their start, so part of the MCMC noise that the point estimate carries
 * is missing — and the saving is only the burn-in (≈ 7 % of a replicate at the defaults).
 */
import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { Rng } from "../core/rng.js";
import { KeytechError } from "../core/errors.js";
import { quantile7 } from "../core/stats.js";
import { bartJobSeed, pathsBartJobs, pathsEstimate, type PathsBootFit, type PathsData, type PathsEstimate, type PathsOptions } from "../estimators/paths.js";
import type { BartForest } from "../estimators/bart/bart.js";

export interface PathsBootstrapOptions {
  reps: number;
  seed: number;
  /** Cluster index (0..G−1) of every row; omitted = resample rows. */
  cluster?: Int32Array;
  /** Worker threads (default: available cores, at most reps); 1 = in this thread. */
  workers?: number;
  /** Called after each finished replicate (for a progress bar). */
  onReplicate?: () => void;
  /** BART: warm-start the replicates' chains from the point estimate's forests (default false; see above). */
  warm?: boolean;
  /** The point estimate's forests by stream (pathsEstimate's `forestsOut`); fitted here when missing. */
  forests?: Map<number, BartForest>;
}

/** Whether replicates fit on distinct rows with frequency weights (BART outcome and propensity models). */
function weightedFits(d: PathsData, opts: PathsOptions): boolean {
  if ((opts.model ?? "bart") !== "bart") return false;
  return (opts.estimator ?? "hybrid") !== "hybrid" || d.x.length === 0 || (opts.propensity ?? "bart") === "bart";
}

/** Row indices of bootstrap sample b: G clusters drawn with replacement, all rows of each. */
export function resampleRows(n: number, cluster: Int32Array | undefined, rng: Rng): Int32Array {
  if (!cluster) {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = rng.int(n);
    return out;
  }
  let G = 0;
  for (let i = 0; i < n; i++) if (cluster[i]! + 1 > G) G = cluster[i]! + 1;
  const members: number[][] = Array.from({ length: G }, () => []);
  for (let i = 0; i < n; i++) members[cluster[i]!]!.push(i);
  const rows: number[] = [];
  for (let g = 0; g < G; g++) for (const i of members[rng.int(G)]!) rows.push(i);
  return Int32Array.from(rows);
}

/** One bootstrap replicate (null when the resample has too few treated/untreated rows). */
export function pathsReplicate(
  d: PathsData,
  opts: PathsOptions,
  seed: number,
  b: number,
  cluster?: Int32Array,
  warm?: Map<number, BartForest>,
): PathsEstimate | null {
  const rng = new Rng(seed).fork(b + 1);
  const rows = resampleRows(d.y.length, cluster, rng);
  let n1 = 0;
  for (const i of rows) n1 += d.a[i]!;
  if (n1 <= 5 || n1 >= rows.length - 5) return null;
  let take = (c: Float64Array) => Float64Array.from(rows, (i) => c[i]!);
  let boot: PathsBootFit | undefined;
  if (weightedFits(d, opts)) {
    // distinct rows (in the original order) and how often the resample holds each
    const mult = new Float64Array(d.y.length);
    for (const i of rows) mult[i]!++;
    const uniq: number[] = [];
    for (let i = 0; i < mult.length; i++) if (mult[i]! > 0) uniq.push(i);
    take = (c: Float64Array) => Float64Array.from(uniq, (i) => c[i]!);
    boot = { weights: take(mult), warm };
  }
  try {
    return pathsEstimate({ y: take(d.y), a: take(d.a), m: d.m.map(take), x: d.x.map(take) }, opts, rng, undefined, boot);
  } catch (e) {
    if (e instanceof KeytechError && e.kind === "estimation") return null;
    throw e;
  }
}

/** All replicates, in order b = 0..reps−1, spread over worker threads. */
export async function pathsBootstrap(d: PathsData, opts: PathsOptions, bo: PathsBootstrapOptions): Promise<(PathsEstimate | null)[]> {
  const reps = bo.reps;
  const out: (PathsEstimate | null)[] = new Array(reps).fill(null);
  const nw = Math.max(1, Math.min(bo.workers ?? availableParallelism(), reps));
  let warm: Map<number, BartForest> | undefined;
  if (reps > 0 && weightedFits(d, opts) && bo.warm === true) {
    warm = bo.forests;
    if (!warm) {
      warm = new Map();
      await pathsEstimateParallel(d, opts, new Rng(bo.seed).fork(0), bo.workers, warm);
    }
  }
  if (nw === 1) {
    for (let b = 0; b < reps; b++) {
      out[b] = pathsReplicate(d, opts, bo.seed, b, bo.cluster, warm);
      bo.onReplicate?.();
    }
    return out;
  }
  // Dynamic assignment: each worker asks for the next replicate; results are stored by index.
  let next = 0;
  const url = new URL("./paths-worker.js", import.meta.url);
  await Promise.all(
    Array.from(
      { length: nw },
      () =>
        new Promise<void>((resolve, reject) => {
          const w = new Worker(url, { workerData: { d, opts, seed: bo.seed, cluster: bo.cluster ?? null, warm: warm ?? null } });
          const give = () => {
            if (next < reps) w.postMessage({ b: next++ });
            else void w.terminate().then(() => resolve());
          };
          w.on("message", (msg: { ready?: boolean; b?: number; est?: PathsEstimate | null; error?: string }) => {
            if (msg.error !== undefined) {
              reject(new Error(msg.error));
              void w.terminate();
              return;
            }
            if (msg.b !== undefined) {
              out[msg.b] = msg.est ?? null;
              bo.onReplicate?.();
            }
            give();
          });
          w.on("error", reject);
        }),
    ),
  );
  return out;
}

export interface BootSummary {
  std_error: number | null;
  conf_low: number | null;
  conf_high: number | null;
  p_value: number | null;
  reps_ok: number;
}

/** SE, percentile CI and the R paths p-value from the non-missing replicates of one term. */
export function summariseBoot(values: (number | null)[], level = 0.95): BootSummary {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length < 2) return { std_error: null, conf_low: null, conf_high: null, p_value: null, reps_ok: v.length };
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  const sd = Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1));
  const below = v.filter((x) => x < 0).length / v.length;
  return {
    std_error: sd,
    conf_low: quantile7(v, (1 - level) / 2),
    conf_high: quantile7(v, 1 - (1 - level) / 2),
    p_value: 1 - 2 * Math.abs(below - 0.5),
    reps_ok: v.length,
  };
}

/**
 * Point estimates with the first-stage BART fits (model 0, models 1..K, propensity) spread over worker
 * threads; the same numbers as `pathsEstimate(d, opts, rng)` (each fit seeded by its own stream).
 */
export async function pathsEstimateParallel(
  d: PathsData,
  opts: PathsOptions,
  rng: Rng,
  workers?: number,
  forestsOut?: Map<number, BartForest>,
): Promise<PathsEstimate> {
  const jobs = pathsBartJobs(d, opts);
  const nw = Math.max(1, Math.min(workers ?? availableParallelism(), jobs.length));
  if (nw <= 1) return pathsEstimate(d, opts, rng, undefined, undefined, forestsOut);
  if (forestsOut) for (const j of jobs) j.keepForest = true;
  // Largest first (model 0 predicts 2n rows; the propensity model has fewer trees).
  const cost = (j: (typeof jobs)[number]) => (j.ntree ?? 200) * (j.y.length + (j.xTest ? j.xTest[0]!.length : 0));
  const queue = [...jobs].sort((a, b) => cost(b) - cost(a));
  const done = new Map<number, Float64Array>();
  const url = new URL("./paths-worker.js", import.meta.url);
  await Promise.all(
    Array.from(
      { length: nw },
      () =>
        new Promise<void>((resolve, reject) => {
          const w = new Worker(url, { workerData: null });
          const give = () => {
            const job = queue.shift();
            if (job) w.postMessage({ job, seed: bartJobSeed(rng, job.stream) });
            else void w.terminate().then(() => resolve());
          };
          w.on("message", (msg: { ready?: boolean; stream?: number; pred?: Float64Array; forest?: BartForest; error?: string }) => {
            if (msg.error !== undefined) {
              reject(new Error(msg.error));
              void w.terminate();
              return;
            }
            if (msg.stream !== undefined) done.set(msg.stream, msg.pred!);
            if (msg.stream !== undefined && msg.forest && forestsOut) forestsOut.set(msg.stream, msg.forest);
            give();
          });
          w.on("error", reject);
        }),
    ),
  );
  return pathsEstimate(d, opts, rng, done, undefined, forestsOut);
}
