/**
 * Standard errors for synthetic DID as R synthdid 0.0.9 `vcov(est, method = …)` computes them
 * (Arkhangelsky et al. 2021, Algorithms 2–4; METHODS.md §3.4):
 *
 * - placebo (Algorithm 4): r times, permute the controls, call the last N₁ of them treated, and
 *   re-estimate with the original ζ's, intercepts and stopping rule, warm-starting ω from the
 *   original ω restricted to the placebo controls (renormalised) and λ from the original λ;
 *   SE = sqrt((r−1)/r)·sd(τ̂_b). Refused unless N₀ > N₁.
 * - bootstrap (Algorithm 2): resample the N units with replacement (redraw when the sample has no
 *   treated or no control unit), re-estimate with the same warm starts; SE = sqrt((B−1)/B)·sd.
 *   NA with one treated unit.
 * - jackknife (Algorithm 3, fixed weights): drop each unit in turn, keep λ and the renormalised ω,
 *   SE = sqrt(((n−1)/n)·Σ(u_i − ū)²). NA with one treated unit or one control with ω ≠ 0.
 *
 * All draws come from the seeded `Rng`: replication b uses only the stream `rng.fork(b)`, so the same
 * seed gives the same draws and SE bit for bit, whether the replications run in this thread or are
 * spread over worker threads (`sdidSeParallel`).
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { estimationError } from "../core/errors.js";
import { Rng } from "../core/rng.js";
import { FwWorkspace, gramMatrix, sumNormalize } from "../estimators/sdid/frank-wolfe.js";
import { type SdidFit, type SdidHooks, type SdidOptions, type SdidPanel, type SdidSettings, sdidTau, sdidWithSettings } from "../estimators/sdid/sdid.js";
import { sdidOptimizedCovariates } from "../estimators/sdid/sdid-optimized.js";
import { type StaggeredFit, type StaggeredPanel, sdidStaggered } from "../estimators/sdid/sdid-staggered.js";
import { blockCohort, eventRow } from "../estimators/sdid/sdid-event.js";

export type SdidSeMethod = "placebo" | "bootstrap" | "jackknife";

export interface SdidSeResult {
  method: SdidSeMethod;
  /** NaN when the method is not defined for this design (see `note`) */
  se: number;
  /** replicate estimates (jackknife: leave-one-out estimates) */
  draws: Float64Array;
  replications: number;
  note?: string;
}

export interface SdidSeOptions {
  replications?: number;
  onProgress?: (done: number) => void;
}

/** Rows `rows` of a row-major N×T matrix, in that order. */
function subPanel(p: SdidPanel, rows: ArrayLike<number>, N0: number, out?: Float64Array): SdidPanel {
  const T = p.T;
  const n = rows.length;
  const Y = out && out.length === n * T ? out : new Float64Array(n * T);
  for (let k = 0; k < n; k++) {
    const src = rows[k]! * T;
    Y.set(p.Y.subarray(src, src + T), k * T);
  }
  return { Y, N: n, T, N0, T0: p.T0 };
}

/** Population sd scaling of synthdid: sqrt((r−1)/r)·sd(x). */
function scaledSd(x: Float64Array): number {
  const r = x.length;
  if (r < 2) return Number.NaN;
  let m = 0;
  for (let k = 0; k < r; k++) m += x[k]!;
  m /= r;
  let ss = 0;
  for (let k = 0; k < r; k++) ss += (x[k]! - m) ** 2;
  return Math.sqrt((r - 1) / r) * Math.sqrt(ss / (r - 1));
}

/**
 * Gram matrix of the ω problem's columns for all controls (their pre-period series, centred over
 * time when the ω intercept is on). These columns do not depend on which units are treated, so one
 * matrix serves every placebo draw; entries are summed in the solver's order, so a draw gives the
 * same bits as with Gram columns computed from its own panel. Null when it would be too large
 * (N₀ > 4000) or ω is fixed. `shared`: allocate on a SharedArrayBuffer (for worker threads).
 */
function controlGram(p: SdidPanel, fit: Pick<SdidFit, "settings">, shared = false): Float64Array | null {
  const { Y, T, N0, T0 } = p;
  if (N0 > 4000 || !fit.settings.updateOmega) return null;
  const Z = new Float64Array(N0 * T0);
  for (let i = 0; i < N0; i++) {
    let m = 0;
    for (let t = 0; t < T0; t++) m += Y[i * T + t]!;
    m = fit.settings.omegaIntercept ? m / T0 : 0;
    for (let t = 0; t < T0; t++) Z[i * T0 + t] = Y[i * T + t]! - m;
  }
  const out = shared ? new Float64Array(new SharedArrayBuffer(8 * N0 * N0)) : undefined;
  return gramMatrix({ rows: T0, cols: N0, data: Z }, out);
}

/**
 * One replication of a resampling SE, as data that can be sent to a worker thread. Replication b
 * draws from `new Rng(seed).fork(b)` only, so the draws do not depend on how replications are spread
 * over threads (byte-identical results for any number of workers).
 */
export type SdidDrawJob = BlockJob | StaggeredJob;

interface BlockJob {
  kind: "placebo" | "bootstrap";
  panel: SdidPanel;
  omega: Float64Array;
  lambda: Float64Array;
  settings: SdidSettings;
  gram: Float64Array | null;
  seed: number;
  /** optimized covariates: X_k (N×T, panel order) and the fitted β (warm start, as synthdid) */
  covariates?: { X: Float64Array[]; beta: Float64Array };
  /** event study: each replication gives [τ̂, τ̂_ℓ for ℓ in rels] (sdid-event.ts) */
  event?: EventSpec;
}

/** The event times a replication reports besides the overall estimate. */
export interface EventSpec {
  rels: number[];
}

/**
 * A replication's values written to out[off …]: τ̂ (plain SDID, or the optimized-covariates estimator
 * on the same rows), followed with an event study by τ̂_ℓ of the re-fitted weights.
 */
function blockRow(job: BlockJob, rows: ArrayLike<number>, sub: SdidPanel, omegaStart: Float64Array, hooks: SdidHooks, out: Float64Array, off: number): void {
  const cov = job.covariates;
  if (!cov) {
    const fit = sdidWithSettings(sub, job.settings, omegaStart, job.lambda, hooks);
    if (job.event) eventRow([blockCohort(sub, fit)], job.event.rels, out, off);
    else out[off] = fit.estimate;
    return;
  }
  const X = cov.X.map((x) => subPanel({ ...job.panel, Y: x }, rows, sub.N0).Y);
  out[off] = sdidOptimizedCovariates(sub, X, job.settings, { omega: omegaStart, lambda: job.lambda, beta: cov.beta }).estimate;
}

interface StaggeredJob {
  kind: "staggered-placebo" | "staggered-bootstrap";
  panel: StaggeredPanel;
  est: SdidOptions;
  seed: number;
  event?: EventSpec;
}

const isBlock = (job: SdidDrawJob): job is BlockJob => job.kind === "placebo" || job.kind === "bootstrap";

/** Values per replication: 1 (τ̂), or 1 + the number of event times. */
export function drawWidth(job: SdidDrawJob): number {
  return job.event ? 1 + job.event.rels.length : 1;
}

/** Replication b's values into out[off … off + width − 1]. */
type RowDrawer = (b: number, out: Float64Array, off: number) => void;

/** A function writing replication b's values (see `drawWidth`), with its own scratch space (one per thread). */
export function sdidRowDrawer(job: SdidDrawJob): RowDrawer {
  const base = new Rng(job.seed);
  if (job.event && isBlock(job) && job.covariates) throw new Error("event-study replications are not implemented with optimized covariates");
  if (isBlock(job)) return job.kind === "placebo" ? blockPlaceboDrawer(job, base) : blockBootstrapDrawer(job, base);
  return staggeredDrawer(job, base);
}

/** A function b ↦ τ̂_b for the job, with its own scratch space (one per thread). */
export function sdidDrawer(job: SdidDrawJob): (b: number) => number {
  const draw = sdidRowDrawer(job);
  const row = new Float64Array(drawWidth(job));
  return (b) => {
    draw(b, row, 0);
    return row[0]!;
  };
}

/**
 * Placebo draw (Algorithm 4): permute the controls, the last N₁ become treated; warm starts from
 * the original ω (restricted, renormalised) and λ. The placebo controls are kept in their original
 * order (the estimate does not depend on the order of the controls), so that the Gram column of a
 * placebo control is a monotone gather from the precomputed matrix.
 */
function blockPlaceboDrawer(job: BlockJob, base: Rng): RowDrawer {
  const p = job.panel;
  const { N, N0 } = p;
  const N1 = N - N0;
  const nc = N0 - N1;
  const G = job.gram;
  const perm = new Int32Array(N0);
  const rows = new Int32Array(N0);
  const ws = new FwWorkspace();
  const buf = new Float64Array(N0 * p.T);
  const omegaStart = new Float64Array(nc);
  const hooks = G
    ? {
        workspace: ws,
        omegaGram: (j: number, out: Float64Array) => {
          const row = rows[j]! * N0;
          for (let k = 0; k < nc; k++) out[k] = G[row + rows[k]!]!;
        },
      }
    : { workspace: ws };
  return (b, out, off) => {
    const rng = base.fork(b);
    for (let k = 0; k < N0; k++) perm[k] = k;
    rng.shuffle(perm);
    rows.set(perm);
    rows.subarray(0, nc).sort();
    const sub = subPanel(p, rows, nc, buf);
    for (let k = 0; k < nc; k++) omegaStart[k] = job.omega[rows[k]!]!;
    blockRow(job, rows, sub, sumNormalize(omegaStart), hooks, out, off);
  };
}

/** Bootstrap draw (Algorithm 2): N units with replacement, redrawn while no treated or no control. */
function blockBootstrapDrawer(job: BlockJob, base: Rng): RowDrawer {
  const p = job.panel;
  const { N, N0 } = p;
  const ws = new FwWorkspace();
  const ind = new Int32Array(N);
  return (b, out, off) => {
    const rng = base.fork(b);
    for (;;) {
      for (let k = 0; k < N; k++) ind[k] = rng.int(N);
      ind.sort();
      let n0 = 0;
      while (n0 < N && ind[n0]! < N0) n0++;
      if (n0 === 0 || n0 === N) continue; // no control or no treated unit: redraw
      const sub = subPanel(p, ind, n0);
      const start = new Float64Array(n0);
      for (let k = 0; k < n0; k++) start[k] = job.omega[ind[k]!]!;
      blockRow(job, ind, sub, sumNormalize(start), { workspace: ws }, out, off);
      return;
    }
  };
}

/**
 * Staggered draws (Stata sdid): placebo permutes the never-treated units and gives the last N_tr of
 * them the treated units' adoption periods; bootstrap resamples units (redraw when no treated or no
 * never-treated unit). Each draw re-runs the whole per-cohort estimator.
 */
function staggeredDrawer(job: StaggeredJob, base: Rng): RowDrawer {
  const p = job.panel;
  const never: number[] = [];
  const treatedAdoption: number[] = [];
  for (let i = 0; i < p.N; i++) {
    if (p.adoption[i]! < 0) never.push(i);
    else treatedAdoption.push(p.adoption[i]!);
  }
  treatedAdoption.sort((a, b) => a - b);
  const Ntr = treatedAdoption.length;
  const Nco = never.length;
  const ev = job.event;
  const put = (fit: StaggeredFit, out: Float64Array, off: number) => {
    if (ev) eventRow(fit.cohorts, ev.rels, out, off);
    else out[off] = fit.att;
  };
  if (job.kind === "staggered-placebo") {
    const perm = new Int32Array(Nco);
    const adoption = new Int32Array(Nco);
    return (b, out, off) => {
      const rng = base.fork(b);
      perm.set(never);
      rng.shuffle(perm);
      const Y = new Float64Array(Nco * p.T);
      for (let k = 0; k < Nco; k++) {
        Y.set(p.Y.subarray(perm[k]! * p.T, perm[k]! * p.T + p.T), k * p.T);
        adoption[k] = k < Nco - Ntr ? -1 : treatedAdoption[k - (Nco - Ntr)]!;
      }
      put(sdidStaggered({ Y, N: Nco, T: p.T, adoption }, job.est), out, off);
    };
  }
  const ind = new Int32Array(p.N);
  return (b, out, off) => {
    const rng = base.fork(b);
    for (;;) {
      for (let k = 0; k < p.N; k++) ind[k] = rng.int(p.N);
      ind.sort();
      let nNever = 0;
      for (let k = 0; k < p.N; k++) if (p.adoption[ind[k]!]! < 0) nNever++;
      if (nNever === 0 || nNever === p.N) continue;
      put(sdidStaggered(p, job.est, ind), out, off);
      return;
    }
  };
}

/** All draws b = 0..reps−1 in this thread (reps × drawWidth(job), row-major). */
function drawsSync(job: SdidDrawJob, reps: number, onProgress?: (done: number) => void): Float64Array {
  const draw = sdidRowDrawer(job);
  const w = drawWidth(job);
  const out = new Float64Array(reps * w);
  for (let b = 0; b < reps; b++) {
    draw(b, out, b * w);
    onProgress?.(b + 1);
  }
  return out;
}

/**
 * All draws b = 0..reps−1 spread over `workers` threads (this one included): every thread takes the
 * next free b from a shared counter and writes replication b's values (τ̂_b, or the event-study row:
 * reps × drawWidth(job), row-major) into a shared array, so the result is the same for any number of
 * workers.
 */
export async function sdidDraws(job: SdidDrawJob, reps: number, workers: number, onProgress?: (done: number) => void): Promise<Float64Array> {
  const nw = Math.max(1, Math.min(Math.floor(workers), reps));
  if (nw === 1) return drawsSync(job, reps, onProgress);
  const width = drawWidth(job);
  const out = new Float64Array(new SharedArrayBuffer(8 * reps * width));
  const counter = new Int32Array(new SharedArrayBuffer(8)); // [next b, draws done]
  const url = new URL("./sdid-worker.js", import.meta.url);
  const finished = Array.from({ length: nw - 1 }, () => {
    const w = new Worker(url, { workerData: { job, reps, out, counter } });
    return new Promise<void>((resolve, reject) => {
      w.on("message", (m: { error?: string }) => {
        if (m.error !== undefined) reject(new Error(m.error));
        else resolve();
        void w.terminate();
      });
      w.on("error", reject);
      w.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`SE worker stopped with exit code ${code}`))));
    });
  });
  // this thread works too; the workers start while it runs
  const draw = sdidRowDrawer(job);
  let failure: unknown = null;
  try {
    for (;;) {
      const b = Atomics.add(counter, 0, 1);
      if (b >= reps) break;
      draw(b, out, b * width);
      onProgress?.(Atomics.add(counter, 1, 1) + 1);
    }
  } catch (e) {
    Atomics.store(counter, 0, reps); // stop the workers early
    failure = e;
  }
  const settled = await Promise.allSettled(finished);
  if (failure !== null) throw failure;
  for (const r of settled) if (r.status === "rejected") throw r.reason;
  return Float64Array.from(out);
}

/** Worker side of sdidDraws (see sdid-worker.ts). */
export function sdidDrawsWorker(job: SdidDrawJob, reps: number, out: Float64Array, counter: Int32Array): void {
  const draw = sdidRowDrawer(job);
  const width = drawWidth(job);
  for (;;) {
    const b = Atomics.add(counter, 0, 1);
    if (b >= reps) break;
    draw(b, out, b * width);
    Atomics.add(counter, 1, 1);
  }
}

function blockJob(kind: "placebo" | "bootstrap", p: SdidPanel, fit: SdidFit, rng: Rng, shared: boolean, cov?: SdidCovariates): BlockJob {
  const gram = kind === "placebo" && !cov ? controlGram(p, fit, shared) : null;
  return { kind, panel: p, omega: fit.omega, lambda: fit.lambda, settings: fit.settings, gram, seed: rng.seed, ...(cov ? { covariates: cov } : {}) };
}

/** Covariates of the optimized method (R synthdid's `X`), re-fitted in every replication. */
export interface SdidCovariates {
  X: Float64Array[];
  beta: Float64Array;
}

function checkPlacebo(p: SdidPanel): void {
  const N1 = p.N - p.N0;
  if (p.N0 <= N1) throw estimationError(`placebo standard errors need more controls than treated units (N0 = ${p.N0}, N1 = ${N1}), as synthdid requires`);
}

const bootstrapNa = (): SdidSeResult => ({
  method: "bootstrap",
  se: Number.NaN,
  draws: new Float64Array(0),
  replications: 0,
  note: "bootstrap SE is not defined with a single treated unit (synthdid returns NA); use placebo",
});

/** Placebo SE (Algorithm 4); replication b uses the stream `rng.fork(b)`. */
export function sdidPlaceboSe(p: SdidPanel, fit: SdidFit, rng: Rng, o: SdidSeOptions = {}): SdidSeResult {
  const reps = o.replications ?? 200;
  checkPlacebo(p);
  const draws = drawsSync(blockJob("placebo", p, fit, rng, false), reps, o.onProgress);
  return { method: "placebo", se: scaledSd(draws), draws, replications: reps };
}

/** Bootstrap SE (Algorithm 2); replication b uses the stream `rng.fork(b)`. */
export function sdidBootstrapSe(p: SdidPanel, fit: SdidFit, rng: Rng, o: SdidSeOptions = {}): SdidSeResult {
  const reps = o.replications ?? 200;
  if (p.N - p.N0 === 1) return bootstrapNa();
  const draws = drawsSync(blockJob("bootstrap", p, fit, rng, false), reps, o.onProgress);
  return { method: "bootstrap", se: scaledSd(draws), draws, replications: reps };
}

/** Fixed-weights jackknife SE (Algorithm 3). */
export function sdidJackknifeSe(p: SdidPanel, fit: SdidFit): SdidSeResult {
  const { N, N0 } = p;
  let nonzero = 0;
  for (let k = 0; k < N0; k++) if (fit.omega[k] !== 0) nonzero++;
  if (N - N0 === 1)
    return {
      method: "jackknife",
      se: Number.NaN,
      draws: new Float64Array(0),
      replications: 0,
      note: "jackknife SE is not defined with a single treated unit (synthdid returns NA); use placebo",
    };
  if (nonzero === 1)
    return {
      method: "jackknife",
      se: Number.NaN,
      draws: new Float64Array(0),
      replications: 0,
      note: "jackknife SE is not defined when only one control has a non-zero weight (synthdid returns NA)",
    };
  const u = new Float64Array(N);
  const rows = new Int32Array(N - 1);
  for (let i = 0; i < N; i++) {
    let k = 0;
    for (let j = 0; j < N; j++) if (j !== i) rows[k++] = j;
    const n0 = i < N0 ? N0 - 1 : N0;
    const om = new Float64Array(n0);
    for (let j = 0, m = 0; j < N0; j++) if (j !== i) om[m++] = fit.omega[j]!;
    u[i] = sdidTau(subPanel(p, rows, n0), sumNormalize(om), fit.lambda);
  }
  let m = 0;
  for (let i = 0; i < N; i++) m += u[i]!;
  m /= N;
  let ss = 0;
  for (let i = 0; i < N; i++) ss += (u[i]! - m) ** 2;
  return { method: "jackknife", se: Math.sqrt(((N - 1) / N) * ss), draws: u, replications: N };
}

/** Dispatch on the method name. */
export function sdidSe(method: SdidSeMethod, p: SdidPanel, fit: SdidFit, rng: Rng, o: SdidSeOptions & { covariates?: SdidCovariates } = {}): SdidSeResult {
  if (method === "jackknife") return o.covariates ? jackknifeCovNa() : sdidJackknifeSe(p, fit);
  if (!o.covariates) return method === "placebo" ? sdidPlaceboSe(p, fit, rng, o) : sdidBootstrapSe(p, fit, rng, o);
  const reps = o.replications ?? 200;
  if (method === "placebo") checkPlacebo(p);
  else if (p.N - p.N0 === 1) return bootstrapNa();
  const draws = drawsSync(blockJob(method, p, fit, rng, false, o.covariates), reps, o.onProgress);
  return { method, se: scaledSd(draws), draws, replications: reps };
}

const jackknifeCovNa = (): SdidSeResult => ({
  method: "jackknife",
  se: Number.NaN,
  draws: new Float64Array(0),
  replications: 0,
  note: "jackknife SE is not implemented with optimized covariates; use placebo or bootstrap",
});

/**
 * `sdidSe` with the placebo / bootstrap replications spread over `o.workers` threads (default: the
 * available cores). The result is identical to `sdidSe` for any number of workers.
 */
export async function sdidSeParallel(
  method: SdidSeMethod,
  p: SdidPanel,
  fit: SdidFit,
  rng: Rng,
  o: SdidSeOptions & { workers?: number; covariates?: SdidCovariates } = {},
): Promise<SdidSeResult> {
  if (method === "jackknife") return o.covariates ? jackknifeCovNa() : sdidJackknifeSe(p, fit);
  const reps = o.replications ?? 200;
  if (method === "placebo") checkPlacebo(p);
  else if (p.N - p.N0 === 1) return bootstrapNa();
  const workers = o.workers ?? availableParallelism();
  const draws = await sdidDraws(blockJob(method, p, fit, rng, workers > 1, o.covariates), reps, workers, o.onProgress);
  return { method, se: scaledSd(draws), draws, replications: reps };
}

/**
 * Standard errors of the staggered ATT (Stata `sdid` semantics, METHODS.md §3.5), each replication
 * re-running the whole per-cohort estimator (ζ's recomputed, weights re-optimised from scratch):
 * - placebo: permute the never-treated units, give the last N_tr of them the treated units'
 *   adoption periods, estimate on the never-treated only; needs more never-treated than treated units;
 * - bootstrap: resample units with replacement (redraw when no treated or no never-treated unit);
 *   NA with a single treated unit;
 * - jackknife (fixed weights): drop each unit, keep each cohort's λ and renormalised ω, recompute
 *   τ̂_a and w_a; NA unless every cohort has at least two treated units.
 */
export function sdidStaggeredSe(method: SdidSeMethod, p: StaggeredPanel, fit: StaggeredFit, est: SdidOptions, rng: Rng, o: SdidSeOptions = {}): SdidSeResult {
  const na = (note: string): SdidSeResult => ({ method, se: Number.NaN, draws: new Float64Array(0), replications: 0, note });
  if (method !== "jackknife") {
    const reps = o.replications ?? 200;
    const bad = staggeredCheck(method, p);
    if (bad) return na(bad);
    const draws = drawsSync({ kind: method === "placebo" ? "staggered-placebo" : "staggered-bootstrap", panel: p, est, seed: rng.seed }, reps, o.onProgress);
    return { method, se: scaledSd(draws), draws, replications: reps };
  }
  for (const c of fit.cohorts)
    if (c.nTreated < 2)
      return na(`jackknife SE needs at least two treated units in every adoption cohort (cohort at period index ${c.adoption} has ${c.nTreated})`);
  const u = new Float64Array(p.N);
  for (let i = 0; i < p.N; i++) {
    let att = 0;
    let wsum = 0;
    for (const c of fit.cohorts) {
      const pos = c.rows.indexOf(i);
      let tau = c.fit.estimate;
      let nTr = c.nTreated;
      if (pos >= 0) {
        const rows = Int32Array.from({ length: c.panel.N - 1 }, (_, k) => (k < pos ? k : k + 1));
        const n0 = pos < c.panel.N0 ? c.panel.N0 - 1 : c.panel.N0;
        if (pos >= c.panel.N0) nTr--;
        const om = new Float64Array(n0);
        for (let j = 0, m = 0; j < c.panel.N0; j++) if (j !== pos) om[m++] = c.fit.omega[j]!;
        tau = sdidTau(subPanel(c.panel, rows, n0), sumNormalize(om), c.fit.lambda);
      }
      const w = nTr * c.tPost;
      att += w * tau;
      wsum += w;
    }
    u[i] = att / wsum;
  }
  let m = 0;
  for (let i = 0; i < p.N; i++) m += u[i]!;
  m /= p.N;
  let ss = 0;
  for (let i = 0; i < p.N; i++) ss += (u[i]! - m) ** 2;
  return { method, se: Math.sqrt(((p.N - 1) / p.N) * ss), draws: u, replications: p.N };
}

/** Refusal (placebo: throws) or NA note (bootstrap with one treated unit) of the staggered SEs. */
function staggeredCheck(method: "placebo" | "bootstrap", p: StaggeredPanel): string | null {
  let Ntr = 0;
  for (let i = 0; i < p.N; i++) if (p.adoption[i]! >= 0) Ntr++;
  const Nco = p.N - Ntr;
  if (method === "placebo" && Nco <= Ntr) throw estimationError(`placebo standard errors need more never-treated than treated units (${Nco} ≤ ${Ntr})`);
  if (method === "bootstrap" && Ntr === 1) return "bootstrap SE is not defined with a single treated unit; use placebo";
  return null;
}

/** `sdidStaggeredSe` with the replications spread over `o.workers` threads; identical results. */
export async function sdidStaggeredSeParallel(
  method: SdidSeMethod,
  p: StaggeredPanel,
  fit: StaggeredFit,
  est: SdidOptions,
  rng: Rng,
  o: SdidSeOptions & { workers?: number } = {},
): Promise<SdidSeResult> {
  if (method === "jackknife") return sdidStaggeredSe(method, p, fit, est, rng, o);
  const bad = staggeredCheck(method, p);
  if (bad) return { method, se: Number.NaN, draws: new Float64Array(0), replications: 0, note: bad };
  const reps = o.replications ?? 200;
  const job: SdidDrawJob = { kind: method === "placebo" ? "staggered-placebo" : "staggered-bootstrap", panel: p, est, seed: rng.seed };
  const draws = await sdidDraws(job, reps, o.workers ?? availableParallelism(), o.onProgress);
  return { method, se: scaledSd(draws), draws, replications: reps };
}

/** The fit an event study's replications start from. */
export type SdidEventDesign =
  { design: "block"; panel: SdidPanel; fit: SdidFit } | { design: "staggered"; panel: StaggeredPanel; fit: StaggeredFit; est: SdidOptions };

/**
 * Placebo / bootstrap replications of the event study: the same replications as the ATT's SE (same
 * draws, same re-fitted weights), each recomputing τ̂ and every τ̂_ℓ.
 */
export interface SdidEventSeResult {
  method: SdidSeMethod;
  rels: number[];
  /** reps × (1 + rels.length), row-major: [τ̂_b, τ̂_{ℓ,b} for ℓ in rels] (NaN where a bootstrap sample has no cohort at ℓ) */
  draws: Float64Array;
  replications: number;
  /** per column (τ̂ first): sqrt((r−1)/r)·sd over its r finite draws (the ATT's SE, bit for bit) */
  se: Float64Array;
  /** (1 + K)² row-major covariance: Σ_b (x_b − x̄)(y_b − ȳ)/r over the r replications where both are finite */
  vcov: Float64Array;
  /** finite draws per column */
  finite: Int32Array;
  note?: string;
}

function eventJob(method: "placebo" | "bootstrap", d: SdidEventDesign, rels: number[], rng: Rng, shared: boolean): SdidDrawJob {
  const event = { rels };
  if (d.design === "block") return { ...blockJob(method, d.panel, d.fit, rng, shared), event };
  return { kind: method === "placebo" ? "staggered-placebo" : "staggered-bootstrap", panel: d.panel, est: d.est, seed: rng.seed, event };
}

/** A refusal (throws) or an NA note, as for the ATT alone. */
function eventCheck(method: SdidSeMethod, d: SdidEventDesign): string | null {
  if (method === "jackknife")
    return "event-study SEs are implemented for placebo and bootstrap replications; jackknife gives the event-time estimates without SEs";
  if (d.design === "staggered") return staggeredCheck(method, d.panel);
  if (method === "placebo") checkPlacebo(d.panel);
  else if (d.panel.N - d.panel.N0 === 1) return bootstrapNa().note!;
  return null;
}

function eventSummary(method: SdidSeMethod, rels: number[], draws: Float64Array, reps: number): SdidEventSeResult {
  const w = 1 + rels.length;
  const se = new Float64Array(w);
  const finite = new Int32Array(w);
  for (let j = 0; j < w; j++) {
    const col: number[] = [];
    for (let b = 0; b < reps; b++) {
      const x = draws[b * w + j]!;
      if (Number.isFinite(x)) col.push(x);
    }
    finite[j] = col.length;
    se[j] = scaledSd(Float64Array.from(col));
  }
  const vcov = new Float64Array(w * w);
  for (let i = 0; i < w; i++) {
    for (let j = i; j < w; j++) {
      let n = 0;
      let mi = 0;
      let mj = 0;
      for (let b = 0; b < reps; b++) {
        const x = draws[b * w + i]!;
        const y = draws[b * w + j]!;
        if (Number.isFinite(x) && Number.isFinite(y)) {
          n++;
          mi += x;
          mj += y;
        }
      }
      let c = Number.NaN;
      if (n >= 2) {
        mi /= n;
        mj /= n;
        c = 0;
        for (let b = 0; b < reps; b++) {
          const x = draws[b * w + i]!;
          const y = draws[b * w + j]!;
          if (Number.isFinite(x) && Number.isFinite(y)) c += (x - mi) * (y - mj);
        }
        c /= n;
      }
      vcov[i * w + j] = c;
      vcov[j * w + i] = c;
    }
  }
  return { method, rels, draws, replications: reps, se, vcov, finite };
}

function eventNa(method: SdidSeMethod, rels: number[], note: string): SdidEventSeResult {
  const w = 1 + rels.length;
  return {
    method,
    rels,
    draws: new Float64Array(0),
    replications: 0,
    se: new Float64Array(w).fill(Number.NaN),
    vcov: new Float64Array(w * w).fill(Number.NaN),
    finite: new Int32Array(w),
    note,
  };
}

/** Event-study SEs in this thread; replication b uses the stream `rng.fork(b)` as the ATT's SE. */
export function sdidEventSe(method: SdidSeMethod, d: SdidEventDesign, rels: number[], rng: Rng, o: SdidSeOptions = {}): SdidEventSeResult {
  const bad = eventCheck(method, d);
  if (bad || method === "jackknife") return eventNa(method, rels, bad!);
  const reps = o.replications ?? 200;
  return eventSummary(method, rels, drawsSync(eventJob(method, d, rels, rng, false), reps, o.onProgress), reps);
}

/** `sdidEventSe` with the replications spread over `o.workers` threads; identical results. */
export async function sdidEventSeParallel(
  method: SdidSeMethod,
  d: SdidEventDesign,
  rels: number[],
  rng: Rng,
  o: SdidSeOptions & { workers?: number } = {},
): Promise<SdidEventSeResult> {
  const bad = eventCheck(method, d);
  if (bad || method === "jackknife") return eventNa(method, rels, bad!);
  const reps = o.replications ?? 200;
  const workers = o.workers ?? availableParallelism();
  const draws = await sdidDraws(eventJob(method, d, rels, rng, workers > 1), reps, workers, o.onProgress);
  return eventSummary(method, rels, draws, reps);
}
