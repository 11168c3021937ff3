/**
 * HonestDiD sensitivity analysis (Rambachan & Roth 2023) for θ = l'τ_post: the original CI and robust
 * confidence sets over a list of M (Δ^SD, smoothness) or M̄ (Δ^RM, relative magnitudes), as HonestDiD's
 * `createSensitivityResults` / `createSensitivityResults_relativeMagnitudes`, plus the breakdown value —
 * the smallest M (M̄) at which the robust set contains 0 — and the readers of keytech results.
 *
 * Methods: Δ^SD with FLCI (default), Conditional, C-F or C-LF; Δ^RM with C-LF (default) or Conditional.
 * Grid-based sets report the smallest and largest accepted grid point (null when none is accepted).
 * Random steps (FLCI's folded-normal quantile, C-LF's least-favourable critical value) use R's generator
 * after `set.seed(seed)`; seed 0 (the default) is HonestDiD's.
 */
import { usageError } from "../../core/errors.js";
import { qnormAS241 } from "../../core/r-rng.js";
import { rSeq, type HybridFlag } from "./arp.js";
import { conditionalCsRm } from "./delta-rm.js";
import { conditionalCsSd, createASd } from "./delta-sd.js";
import { flciPath, optimalFlci, type FlciPath } from "./flci.js";
import { loadLp } from "./lp.js";
import { basisVector, checkInput, originalCs, sandwich, sdTheta, thetaHat, type HonestInput } from "./shared.js";

export type Restriction = "sd" | "rm";
export type Method = "flci" | "c-lf" | "conditional" | "c-f";

export interface SensitivityOptions {
  restriction: Restriction;
  /** default: FLCI for Δ^SD, C-LF for Δ^RM */
  method?: Method;
  /** Δ^SD bounds (default HonestDiD's: 10 points from 0 to the pre-period upper bound) */
  M?: number[];
  /** Δ^RM bounds (default 10 points from 0 to 2) */
  Mbar?: number[];
  /** weights on the post periods (default e₁, the first post period) */
  l?: Float64Array;
  alpha?: number;
  seed?: number;
  gridPoints?: number;
  /** compute the breakdown value (default true) */
  breakdown?: boolean;
}

export interface BoundRow {
  restriction: "SD" | "RM";
  method: "FLCI" | "C-LF" | "Conditional" | "C-F";
  M?: number;
  Mbar?: number;
  lb: number | null;
  ub: number | null;
}

export interface Breakdown {
  restriction: "SD" | "RM";
  method: BoundRow["method"];
  /** smallest M (M̄) found at which the robust set contains 0 (null: 0 stays excluded up to the search limit) */
  value: number | null;
  /** the bracket [last excluding, first including] of the final bisection step */
  bracket: [number, number] | null;
  /** the original CI already contains 0 */
  not_significant_at_zero: boolean;
  note: string;
}

export interface SensitivityResult {
  numPrePeriods: number;
  numPostPeriods: number;
  l_vec: number[];
  alpha: number;
  seed: number;
  original: { estimate: number; std_error: number; lb: number; ub: number };
  bounds: BoundRow[];
  breakdown: Breakdown | null;
}

const METHOD_NAME: Record<Method, BoundRow["method"]> = { flci: "FLCI", "c-lf": "C-LF", conditional: "Conditional", "c-f": "C-F" };
const FLAG: Record<Exclude<Method, "flci">, HybridFlag> = { "c-lf": "LF", conditional: "ARP", "c-f": "FLCI" };

/**
 * HonestDiD `DeltaSD_upperBound_Mpre`: max over pre-period second differences of (diff + z_{1−α}·se),
 * the default upper end of the M grid.
 */
export function sdUpperBoundMpre(x: HonestInput, alpha = 0.05): number {
  const K = x.numPre,
    n = K + x.numPost;
  if (K < 2) return Math.sqrt(x.sigma[0]!);
  const { A, rows } = createASd(K, 0);
  const Sp = new Float64Array(K * K);
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) Sp[i * K + j] = x.sigma[i * n + j]!;
  const S = sandwich(A, rows, K, Sp);
  let best = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < rows; i++) {
    let d = 0;
    for (let j = 0; j < K; j++) d += A[i * K + j]! * x.betahat[j]!;
    best = Math.max(best, d + qnormAS241(1 - alpha) * Math.sqrt(S[i * rows + i]!));
  }
  return best;
}

const ends = (g: { grid: Float64Array; accept: Uint8Array }): { lb: number | null; ub: number | null } => {
  let lb: number | null = null,
    ub: number | null = null;
  g.accept.forEach((a, i) => {
    if (!a) return;
    if (lb === null) lb = g.grid[i]!;
    ub = g.grid[i]!;
  });
  return { lb, ub };
};

/** One robust set. */
function bound(
  x: HonestInput,
  l: Float64Array,
  restriction: Restriction,
  method: Method,
  value: number,
  alpha: number,
  seed: number,
  gridPoints: number,
  path: FlciPath | null,
): { lb: number | null; ub: number | null } {
  if (restriction === "sd") {
    if (method === "flci") {
      const f = optimalFlci(x, l, value, alpha, seed, path ?? flciPath(x, l));
      return { lb: f.lb, ub: f.ub };
    }
    return ends(conditionalCsSd(x, l, value, FLAG[method], alpha, gridPoints, seed));
  }
  if (method === "flci" || method === "c-f") throw usageError(`--method ${method} is for the smoothness restriction (Δ^SD); Δ^RM takes c-lf or conditional`);
  return ends(conditionalCsRm(x, l, value, FLAG[method] as "LF" | "ARP", alpha, gridPoints, undefined, seed));
}

/**
 * The sensitivity analysis: the original CI, one robust set per M (M̄) and the breakdown value
 * (bisection on M between the last value whose set excludes 0 and the first that includes it; 14 steps
 * for grid-based sets, 40 for the FLCI; M̄ searched up to 64, M up to 64·the default M grid's end).
 */
export async function honestSensitivity(input: HonestInput, o: SensitivityOptions): Promise<SensitivityResult> {
  const x = checkInput(input);
  const restriction = o.restriction;
  const method: Method = o.method ?? (restriction === "sd" ? "flci" : "c-lf");
  const alpha = o.alpha ?? 0.05,
    seed = o.seed ?? 0,
    gridPoints = o.gridPoints ?? 1000;
  const l = o.l ?? basisVector(1, x.numPost);
  if (l.length !== x.numPost) throw usageError(`l_vec has ${l.length} entries, numPostPeriods = ${x.numPost}`);
  if (method !== "flci") await loadLp();
  const path = restriction === "sd" && method === "flci" ? flciPath(x, l) : null;
  const orig = originalCs(x, l, alpha);
  const values = restriction === "sd" ? (o.M ?? Array.from(rSeq(0, sdUpperBoundMpre(x, 0.05), 10))) : (o.Mbar ?? Array.from(rSeq(0, 2, 10)));
  for (const v of values) if (!(v >= 0)) throw usageError(`M / Mbar values must be ≥ 0, got ${v}`);
  const bounds: BoundRow[] = values.map((v) => {
    const b = bound(x, l, restriction, method, v, alpha, seed, gridPoints, path);
    return {
      restriction: restriction === "sd" ? "SD" : "RM",
      method: METHOD_NAME[method],
      ...(restriction === "sd" ? { M: v } : { Mbar: v }),
      lb: b.lb,
      ub: b.ub,
    };
  });
  let breakdown: Breakdown | null = null;
  if (o.breakdown ?? true) {
    const covers0 = (v: number): boolean => {
      const b = bound(x, l, restriction, method, v, alpha, seed, gridPoints, path);
      return b.lb === null || b.ub === null ? false : b.lb <= 0 && b.ub >= 0;
    };
    const rname = restriction === "sd" ? "SD" : "RM";
    const notSig = orig.lb <= 0 && orig.ub >= 0;
    const steps = method === "flci" ? 40 : 14;
    // bracket from the rows already computed, else by doubling
    let lo = -1,
      hi = -1;
    const sorted = bounds.map((b, i) => ({ v: values[i]!, b })).sort((a, c) => a.v - c.v);
    for (const { v, b } of sorted) {
      const inc = b.lb !== null && b.ub !== null && b.lb <= 0 && b.ub >= 0;
      if (inc) {
        hi = v;
        break;
      }
      lo = v;
    }
    const limit = restriction === "rm" ? 64 : 64 * Math.max(sdUpperBoundMpre(x, 0.05), sdTheta(x, l));
    if (hi < 0) {
      let v = Math.max(lo, restriction === "rm" ? 0.5 : sdTheta(x, l) / 10) * 2;
      while (v <= limit && !covers0(v)) {
        lo = v;
        v *= 2;
      }
      if (v <= limit) hi = v;
    }
    if (hi === 0 || (hi > 0 && lo < 0 && covers0(0))) {
      breakdown = {
        restriction: rname,
        method: METHOD_NAME[method],
        value: 0,
        bracket: [0, 0],
        not_significant_at_zero: notSig,
        note: "the robust set contains 0 already at 0",
      };
    } else if (hi < 0) {
      breakdown = {
        restriction: rname,
        method: METHOD_NAME[method],
        value: null,
        bracket: null,
        not_significant_at_zero: notSig,
        note: `0 stays outside the robust set up to ${limit}`,
      };
    } else {
      let a = Math.max(lo, 0),
        b = hi;
      for (let i = 0; i < steps && b - a > 1e-12 * Math.max(1, b); i++) {
        const mid = (a + b) / 2;
        if (covers0(mid)) b = mid;
        else a = mid;
      }
      breakdown = {
        restriction: rname,
        method: METHOD_NAME[method],
        value: b,
        bracket: [a, b],
        not_significant_at_zero: notSig,
        note: `bisection (${steps} steps) between the last ${restriction === "sd" ? "M" : "Mbar"} whose set excludes 0 and the first that includes it`,
      };
    }
  }
  return {
    numPrePeriods: x.numPre,
    numPostPeriods: x.numPost,
    l_vec: Array.from(l),
    alpha,
    seed,
    original: { estimate: thetaHat(x, l), std_error: sdTheta(x, l), lb: orig.lb, ub: orig.ub },
    bounds,
    breakdown,
  };
}

/** Parse --l-vec: "first" (e₁), "average" (1/T each), or T comma-separated weights. */
export function parseLVec(s: string | undefined, T: number): Float64Array {
  if (s === undefined || s === "first") return basisVector(1, T);
  if (s === "average" || s === "avg" || s === "mean") return new Float64Array(T).fill(1 / T);
  const v = s.split(",").map((t) => Number(t.trim()));
  if (v.length !== T || v.some((q) => !Number.isFinite(q)))
    throw usageError(`--l-vec needs ${T} numbers (one per post period), 'first' or 'average'; got '${s}'`);
  return Float64Array.from(v);
}

interface VcovMatrixBlock {
  terms: string[];
  matrix: number[][];
}

/** Event time of a term `rel::K` (null otherwise). */
const relOf = (t: string): number | null => {
  const m = /^rel::(-?\d+)$/.exec(t);
  return m ? Number(m[1]) : null;
};

/**
 * Read the HonestDiD input from JSON: either {betahat, sigma, numPrePeriods, numPostPeriods} (sigma nested
 * or flat), or a keytech result carrying `vcov_matrix` over `rel::K` terms (`did event`, `did sunab`,
 * `did imputation`, and `did cs`, whose dynamic aggregation's event times are the `rel::K` terms). The
 * pre periods are K ≤ −2 and the post periods K ≥ 0 (the reference −1 left out, a CS row of e = −1 with
 * zero variance under a universal base dropped); both runs must be consecutive.
 */
export function readHonestInput(doc: unknown): { input: HonestInput; terms: string[] | null; source: string } {
  if (typeof doc !== "object" || doc === null) throw usageError("--from: expected a JSON object");
  const d = doc as Record<string, unknown>;
  if (Array.isArray(d.betahat)) {
    const betahat = Float64Array.from(d.betahat as number[]);
    const sig = d.sigma as number[] | number[][];
    const sigma = Float64Array.from(Array.isArray(sig[0]) ? (sig as number[][]).flat() : (sig as number[]));
    const input = { betahat, sigma, numPre: Number(d.numPrePeriods), numPost: Number(d.numPostPeriods) };
    return { input: checkInput(input), terms: Array.isArray(d.coef_names) ? (d.coef_names as string[]) : null, source: "betahat/sigma" };
  }
  const vm = d.vcov_matrix as VcovMatrixBlock | undefined;
  if (!vm || !Array.isArray(vm.terms) || !Array.isArray(vm.matrix))
    throw usageError(
      `--from: the JSON has neither betahat/sigma nor a vcov_matrix block (command '${String(d.command ?? "?")}'; rerun it with this keytech version)`,
    );
  const opts = ((d.provenance as Record<string, unknown> | undefined)?.options ?? {}) as Record<string, unknown>;
  if (d.command === "did cs" && opts.base !== undefined && opts.base !== "universal")
    throw usageError("--from: HonestDiD needs a common reference period; rerun `did cs` with --base universal");
  // estimates by term
  const est = new Map<string, number>();
  for (const e of (d.estimates as { term: string; estimate: number | null }[] | undefined) ?? []) if (e.estimate !== null) est.set(e.term, e.estimate);
  const dyn = (d.aggregations as { dynamic?: { by?: { e: number; estimate: number | null }[] } } | undefined)?.dynamic?.by;
  if (d.command === "did cs" && dyn) for (const b of dyn) if (b.estimate !== null) est.set(`rel::${b.e}`, b.estimate);
  const idx: { k: number; i: number }[] = [];
  vm.terms.forEach((t, i) => {
    const k = relOf(t);
    if (k === null || k === -1) return;
    if (vm.matrix[i]![i] === 0 && (est.get(t) ?? 0) === 0) return; // normalised reference row
    idx.push({ k, i });
  });
  idx.sort((a, b) => a.k - b.k);
  const pre = idx.filter((q) => q.k < 0),
    post = idx.filter((q) => q.k >= 0);
  if (pre.length === 0 || post.length === 0) throw usageError("--from: need at least one pre-period (rel::K, K ≤ −2) and one post-period (K ≥ 0) term");
  const ks = idx.map((q) => q.k);
  for (let j = 1; j < pre.length; j++)
    if (pre[j]!.k !== pre[j - 1]!.k + 1) throw usageError(`--from: pre-period terms must be consecutive (have ${ks.join(", ")})`);
  if (pre[pre.length - 1]!.k !== -2) throw usageError(`--from: the last pre-period term must be rel::-2 with rel::-1 the reference (have ${ks.join(", ")})`);
  for (let j = 0; j < post.length; j++) if (post[j]!.k !== j) throw usageError(`--from: post-period terms must be rel::0, rel::1, … (have ${ks.join(", ")})`);
  const n = idx.length;
  const betahat = new Float64Array(n),
    sigma = new Float64Array(n * n);
  idx.forEach((a, p) => {
    const t = vm.terms[a.i]!;
    const v = est.get(t);
    if (v === undefined) throw usageError(`--from: no estimate for ${t}`);
    betahat[p] = v;
    idx.forEach((b, q) => (sigma[p * n + q] = vm.matrix[a.i]![b.i]!));
  });
  return {
    input: checkInput({ betahat, sigma, numPre: pre.length, numPost: post.length }),
    terms: idx.map((a) => vm.terms[a.i]!),
    source: String(d.command ?? "keytech result"),
  };
}
