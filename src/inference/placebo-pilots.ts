/**
 * Counterfactual ("random pilot") placebo for a TWFE DID (METHODS.md §11): draw fake pilot units many
 * times, keeping each real cohort's size and adoption year, re-estimate y_it = α_i + γ_t + βD_it + X'δ + ε
 * and compare the real β̂ with the placebo distribution (two-sided randomisation p = share of
 * |β_r| ≥ |β̂|).
 *
 * Each replication is cheap by Frisch–Waugh–Lovell. Once: demean y and the controls X on the unit and
 * period effects (ỹ₀, X̃), Q = (X̃'X̃)⁻¹, and ỹ = ỹ₀ − X̃Qx̃'ỹ₀ (y partialled out on FE and X). For a
 * fake D with D̃ = M_FE·D:
 *
 *   β = D̃'M_X ỹ₀ / D̃'M_X D̃ = D'ỹ / (D'D̃ − (X̃'D)'Q(X̃'D)),
 *
 * since ỹ and X̃ are already FE-demeaned. D'ỹ and X̃'D are sums over the fake treated cells, read from
 * per-unit suffix sums (O(#fake units) per draw). On a balanced panel D'D̃ has the closed form
 * |D| − Σ_i n_i²/T − Σ_t m_t²/N + |D|²/(NT) (n_i treated periods of unit i, m_t treated units in period
 * t); otherwise D̃ comes from the core's demeaning (alternating projections / exact two-FE solve).
 *
 * Each draw also gets its cluster-robust (by unit) SE, computed as fixest does for the real estimate
 * (`feols(y ~ D + x | unit + period)`, vcov clustered by unit, default ssc): with ẑ = D̃ − X̃Q(X̃'D)
 * (the treatment partialled out on FE and X) and e = ỹ − βẑ (the full-model residual),
 *
 *   se² = G/(G−1) · (n−1)/(n−K) · Σ_u (Σ_{r∈u} ẑ_r e_r)² / (ẑ'ẑ)²,   K = 1 + k + #periods
 *
 * (unit FE nested in the clusters, fixest's K.fixef = "nested"). O(n) per draw. The studentised
 * randomisation p is the share of |t_r| ≥ |t̂| (t = β/se), next to the coefficient p (|β_r| ≥ |β̂|).
 */
import { assertUniqueKeysOf } from "../data/panel.js";
import { estimationError } from "../core/errors.js";
import { choleskyPivotless, invSPD, mat, type Mat } from "../core/linalg.js";
import type { Rng } from "../core/rng.js";
import { quantile7 } from "../core/stats.js";
import { demean } from "../estimators/demean.js";
import type { FixedEffectInput } from "../estimators/feols.js";

export interface PilotPanel {
  /** unit code per observation, 0..nUnits−1 */
  unit: Int32Array;
  nUnits: number;
  /** period code per observation, 0..nTimes−1 (ascending periods) */
  time: Int32Array;
  nTimes: number;
  y: Float64Array;
  x: { name: string; values: Float64Array }[];
  /** first treated period code of each unit; −1 = never treated (a cohort after the last period: nTimes) */
  cohort: Int32Array;
}

export type PilotStrata = "none" | "rank";
export type PilotPool = "nonpilot" | "all";

export interface PilotOptions {
  replications: number;
  strata?: PilotStrata;
  pool?: PilotPool;
  onProgress?: (done: number) => void;
  /** called with each draw's fake pilots (units, period codes) — for tests and diagnostics */
  onDraw?: (units: Int32Array, cohorts: Int32Array) => void;
}

export interface PilotResult {
  /** β̂ with the real pilots */
  estimate: number;
  /** its cluster-robust (by unit) SE and t = β̂/se */
  stdError: number;
  tStat: number;
  draws: Float64Array;
  /** each draw's cluster-robust SE and t statistic */
  drawsSe: Float64Array;
  drawsT: Float64Array;
  /** share of |β_r| ≥ |β̂| */
  pValue: number;
  /** studentised: share of |t_r| ≥ |t̂| */
  pValueT: number;
  mean: number;
  sd: number;
  quantiles: { p: number; value: number }[];
  droppedCollinear: string[];
  balanced: boolean;
  poolSize: number;
  /** real pilots per cohort (period code → count) */
  cohortSizes: { cohort: number; size: number }[];
  /** rank strata: decile of each real pilot's pre-period mean outcome among the pool */
  strata?: { decile: number; pool: number; pilots: number }[];
}

/** The once-per-dataset part: partialled-out outcome, suffix sums and the draw machinery. */
export class PilotEngine {
  readonly N: number;
  readonly T: number;
  readonly balanced: boolean;
  readonly droppedCollinear: string[];
  private readonly k: number;
  private readonly Q: Mat;
  /** suffix sums over periods ≥ c of ỹ per unit: sy[u·(T+1) + c] */
  private readonly sy: Float64Array;
  /** suffix sums of each kept X̃ column: sx[k][u·(T+1) + c] */
  private readonly sx: Float64Array[];
  private readonly fes: FixedEffectInput[];
  private readonly p: PilotPanel;
  private readonly xd: Float64Array;
  private readonly mt: Float64Array;
  private dvec: Float64Array | null = null;
  /** FE- and X-partialled outcome ỹ and the kept FE-demeaned controls X̃ (for the SEs) */
  private readonly yt: Float64Array;
  private readonly xs: Float64Array[];
  /** G/(G−1)·(n−1)/(n−K) of fixest's clustered vcov */
  private readonly ssc: number;
  private readonly start: Int32Array;
  private readonly cum: Float64Array;
  private readonly score: Float64Array;
  private readonly w: Float64Array;
  /** the last draw's pieces: D'ỹ, ẑ'ẑ, Σ n_i, D̃ (unbalanced) */
  private lastNum = 0;
  private lastDen = 0;
  private lastND = 0;
  private lastDt: Float64Array | null = null;

  constructor(p: PilotPanel) {
    this.p = p;
    const n = p.y.length;
    const N = (this.N = p.nUnits);
    const T = (this.T = p.nTimes);
    this.fes = [
      { name: "unit", codes: p.unit, nLevels: N },
      { name: "time", codes: p.time, nLevels: T },
    ];
    // the one duplicate (unit, period) check (src/data/panel.ts), on the coded input
    assertUniqueKeysOf({ unitName: "unit", timeName: "period index", label: (g) => String(g), rowOf: (r) => r + 1 }, p.unit, N, Float64Array.from(p.time));
    this.balanced = n === N * T;
    const dm = demean(this.fes, [p.y, ...p.x.map((c) => c.values)]);
    const y0 = dm.columns[0]!;
    let xs = dm.columns.slice(1);
    // drop controls absorbed by the FEs or collinear with each other (pivotless Cholesky, fixest's 1e-9)
    const K = xs.length;
    const G = mat(K, K);
    for (let a = 0; a < K; a++)
      for (let b = a; b < K; b++) {
        let s = 0;
        for (let r = 0; r < n; r++) s += xs[a]![r]! * xs[b]![r]!;
        G.data[a * K + b] = s;
        G.data[b * K + a] = s;
      }
    const ch = K > 0 ? choleskyPivotless(G, 1e-9) : { kept: [] as number[], dropped: [] as number[] };
    this.droppedCollinear = ch.dropped.map((j) => p.x[j]!.name);
    xs = ch.kept.map((j) => xs[j]!);
    const k = (this.k = xs.length);
    const Gk = mat(k, k);
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) Gk.data[a * k + b] = G.data[ch.kept[a]! * K + ch.kept[b]!]!;
    this.Q = k > 0 ? invSPD(Gk) : mat(0, 0);
    const xy = new Float64Array(k);
    for (let a = 0; a < k; a++) {
      let s = 0;
      for (let r = 0; r < n; r++) s += xs[a]![r]! * y0[r]!;
      xy[a] = s;
    }
    const gamma = new Float64Array(k);
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) gamma[a] = gamma[a]! + this.Q.data[a * k + b]! * xy[b]!;
    const yt = Float64Array.from(y0);
    for (let a = 0; a < k; a++) for (let r = 0; r < n; r++) yt[r] = yt[r]! - gamma[a]! * xs[a]![r]!;
    const suffix = (v: Float64Array): Float64Array => {
      const s = new Float64Array(N * (T + 1));
      for (let r = 0; r < n; r++) s[p.unit[r]! * (T + 1) + p.time[r]!] += v[r]!;
      for (let u = 0; u < N; u++) for (let c = T - 1; c >= 0; c--) s[u * (T + 1) + c] += s[u * (T + 1) + c + 1]!;
      return s;
    };
    this.sy = suffix(yt);
    this.sx = xs.map(suffix);
    this.xd = new Float64Array(k);
    this.mt = new Float64Array(T + 1);
    this.yt = yt;
    this.xs = xs;
    const present = new Uint8Array(N);
    const periods = new Uint8Array(T);
    for (let r = 0; r < n; r++) {
      present[p.unit[r]!] = 1;
      periods[p.time[r]!] = 1;
    }
    const nClusters = present.reduce((a, v) => a + v, 0);
    const dofK = 1 + k + periods.reduce((a, v) => a + v, 0);
    this.ssc = (nClusters / (nClusters - 1)) * ((n - 1) / (n - dofK));
    this.start = new Int32Array(N);
    this.cum = new Float64Array(T);
    this.score = new Float64Array(N);
    this.w = new Float64Array(k);
  }

  /** β for the assignment unit units[j] first treated at period code cohorts[j] (j < m). */
  beta(units: Int32Array, cohorts: Int32Array, m: number): number {
    const T = this.T;
    const T1 = T + 1;
    const k = this.k;
    let num = 0;
    const xd = this.xd;
    xd.fill(0);
    for (let j = 0; j < m; j++) {
      const o = units[j]! * T1 + Math.min(cohorts[j]!, T);
      num += this.sy[o]!;
      for (let a = 0; a < k; a++) xd[a] = xd[a]! + this.sx[a]![o]!;
    }
    let dd: number;
    if (this.balanced) {
      const mt = this.mt;
      mt.fill(0);
      let nD = 0;
      let sumNi2 = 0;
      for (let j = 0; j < m; j++) {
        const c = Math.min(cohorts[j]!, T);
        const ni = T - c;
        nD += ni;
        sumNi2 += ni * ni;
        mt[c] = mt[c]! + 1;
      }
      let run = 0;
      let sumMt2 = 0;
      for (let t = 0; t < T; t++) {
        run += mt[t]!;
        this.cum[t] = run;
        sumMt2 += run * run;
      }
      dd = nD - sumNi2 / T - sumMt2 / this.N + (nD * nD) / (this.N * T);
      this.lastND = nD;
    } else {
      const p = this.p;
      const n = p.y.length;
      const start = new Int32Array(this.N).fill(T + 1);
      for (let j = 0; j < m; j++) start[units[j]!] = Math.min(cohorts[j]!, T);
      const d = (this.dvec ??= new Float64Array(n));
      for (let r = 0; r < n; r++) d[r] = p.time[r]! >= start[p.unit[r]!]! ? 1 : 0;
      const dt = demean(this.fes, [d]).columns[0]!;
      this.lastDt = dt;
      dd = 0;
      for (let r = 0; r < n; r++) dd += d[r]! * dt[r]!;
    }
    let quad = 0;
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) quad += xd[a]! * this.Q.data[a * k + b]! * xd[b]!;
    const den = dd - quad;
    this.lastNum = num;
    this.lastDen = den;
    return den > 1e-12 * Math.max(1, dd) ? num / den : Number.NaN;
  }

  /**
   * β and its cluster-robust (by unit) SE for the assignment (see the file comment): out[0] = β,
   * out[1] = se. One pass over the observations after `beta`.
   */
  betaSe(units: Int32Array, cohorts: Int32Array, m: number, out: Float64Array): void {
    const beta = this.beta(units, cohorts, m);
    out[0] = beta;
    if (!Number.isFinite(beta)) {
      out[1] = Number.NaN;
      return;
    }
    const p = this.p;
    const n = p.y.length;
    const N = this.N;
    const T = this.T;
    const k = this.k;
    // w = Q·(X̃'D): ẑ = D̃ − X̃w
    const w = this.w;
    for (let a = 0; a < k; a++) {
      let v = 0;
      for (let b = 0; b < k; b++) v += this.Q.data[a * k + b]! * this.xd[b]!;
      w[a] = v;
    }
    const score = this.score;
    score.fill(0);
    const yt = this.yt;
    const xs = this.xs;
    if (this.balanced) {
      // D̃_r = D_r − n_u/T − m_t/N + |D|/(NT), from each unit's first fake-treated period
      const start = this.start;
      start.fill(T);
      for (let j = 0; j < m; j++) start[units[j]!] = Math.min(cohorts[j]!, T);
      const cum = this.cum;
      const shift = this.lastND / (N * T);
      for (let r = 0; r < n; r++) {
        const u = p.unit[r]!;
        const t = p.time[r]!;
        const su = start[u]!;
        let z = (t >= su ? 1 : 0) - (T - su) / T - cum[t]! / N + shift;
        for (let a = 0; a < k; a++) z -= xs[a]![r]! * w[a]!;
        score[u] = score[u]! + z * (yt[r]! - beta * z);
      }
    } else {
      const dt = this.lastDt!;
      for (let r = 0; r < n; r++) {
        let z = dt[r]!;
        for (let a = 0; a < k; a++) z -= xs[a]![r]! * w[a]!;
        score[p.unit[r]!] = score[p.unit[r]!]! + z * (yt[r]! - beta * z);
      }
    }
    let meat = 0;
    for (let u = 0; u < N; u++) meat += score[u]! * score[u]!;
    const den = this.lastDen;
    out[1] = Math.sqrt((this.ssc * meat) / (den * den));
  }
}

/** Pre-period mean outcome per unit (periods before the first real adoption). */
function preMeans(p: PilotPanel, firstCohort: number): Float64Array {
  const s = new Float64Array(p.nUnits);
  const c = new Float64Array(p.nUnits);
  for (let r = 0; r < p.y.length; r++) {
    if (p.time[r]! < firstCohort) {
      s[p.unit[r]!] += p.y[r]!;
      c[p.unit[r]!]! += 1;
    }
  }
  for (let u = 0; u < p.nUnits; u++) s[u] = c[u]! > 0 ? s[u]! / c[u]! : Number.NaN;
  return s;
}

/**
 * Run the placebo. Draws are without replacement from the pool (never-treated units, or all units),
 * each real cohort keeping its size and adoption period. With strata "rank", the pool is cut into
 * deciles of the pre-period mean outcome and each cohort draws as many units from each decile as it
 * has real pilots there (so the fake pilots match the real ones' outcome ranks).
 */
export function placeboPilots(p: PilotPanel, rng: Rng, o: PilotOptions): PilotResult {
  const engine = new PilotEngine(p);
  const strata = o.strata ?? "none";
  const poolKind = o.pool ?? "nonpilot";
  const N = p.nUnits;
  const realUnits: number[] = [];
  const realCoh: number[] = [];
  for (let u = 0; u < N; u++) {
    if (p.cohort[u]! >= 0) {
      realUnits.push(u);
      realCoh.push(p.cohort[u]!);
    }
  }
  const m = realUnits.length;
  if (m === 0) throw estimationError("no pilot unit: every cohort is 0/empty (never treated)");
  const bs = new Float64Array(2);
  engine.betaSe(Int32Array.from(realUnits), Int32Array.from(realCoh), m, bs);
  const estimate = bs[0]!;
  const stdError = bs[1]!;
  const tStat = estimate / stdError;
  if (!Number.isFinite(estimate)) throw estimationError("the treatment indicator is collinear with the fixed effects and controls; β is not identified");
  const pool: number[] = [];
  for (let u = 0; u < N; u++) if (poolKind === "all" || p.cohort[u]! < 0) pool.push(u);
  if (pool.length < m) throw estimationError(`the pool has ${pool.length} units but ${m} fake pilots are needed per draw`);
  const sizes = new Map<number, number>();
  for (const c of realCoh) sizes.set(c, (sizes.get(c) ?? 0) + 1);
  const cohortSizes = [...sizes.entries()].sort((a, b) => a[0] - b[0]).map(([cohort, size]) => ({ cohort, size }));

  // groups: lists of pool units and, per group, the cohorts to fill (one entry per fake pilot)
  let groups: { units: Int32Array; cohorts: Int32Array }[];
  let strataInfo: PilotResult["strata"];
  if (strata === "rank") {
    const first = Math.min(...realCoh);
    if (first <= 0) throw estimationError("rank strata need at least one period before the first adoption");
    const pm = preMeans(p, first);
    const poolVals = Float64Array.from(pool, (u) => pm[u]!);
    if (poolVals.some((v) => Number.isNaN(v))) throw estimationError("a pool unit has no pre-period outcome; rank strata cannot place it");
    const cuts = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((q) => quantile7(poolVals, q / 10));
    const decile = (v: number) => cuts.filter((c) => v > c).length;
    const byDec: number[][] = Array.from({ length: 10 }, () => []);
    for (const u of pool) byDec[decile(pm[u]!)]!.push(u);
    const need: number[][] = Array.from({ length: 10 }, () => []);
    realUnits.forEach((u, j) => {
      const v = pm[u]!;
      if (Number.isNaN(v)) throw estimationError("a pilot unit has no pre-period outcome; rank strata cannot place it");
      need[decile(v)]!.push(realCoh[j]!);
    });
    for (let d = 0; d < 10; d++) {
      if (need[d]!.length > byDec[d]!.length)
        throw estimationError(`rank stratum ${d + 1} has ${byDec[d]!.length} pool units but ${need[d]!.length} real pilots; use --strata none or --pool all`);
    }
    groups = byDec.map((units, d) => ({ units: Int32Array.from(units), cohorts: Int32Array.from(need[d]!) })).filter((g) => g.cohorts.length > 0);
    strataInfo = byDec.map((units, d) => ({ decile: d + 1, pool: units.length, pilots: need[d]!.length }));
  } else {
    groups = [{ units: Int32Array.from(pool), cohorts: Int32Array.from(realCoh) }];
  }

  const R = o.replications;
  const draws = new Float64Array(R);
  const drawsSe = new Float64Array(R);
  const drawsT = new Float64Array(R);
  const fu = new Int32Array(m);
  const fc = new Int32Array(m);
  let exceed = 0;
  let exceedT = 0;
  for (let r = 0; r < R; r++) {
    let j = 0;
    for (const g of groups) {
      // partial Fisher–Yates: the first |cohorts| entries become a uniform draw without replacement
      const U = g.units;
      const L = U.length;
      for (let q = 0; q < g.cohorts.length; q++) {
        const s = q + rng.int(L - q);
        const t = U[q]!;
        U[q] = U[s]!;
        U[s] = t;
        fu[j] = U[q]!;
        fc[j] = g.cohorts[q]!;
        j++;
      }
    }
    o.onDraw?.(fu, fc);
    engine.betaSe(fu, fc, m, bs);
    const b = bs[0]!;
    draws[r] = b;
    drawsSe[r] = bs[1]!;
    drawsT[r] = b / bs[1]!;
    if (Math.abs(b) >= Math.abs(estimate)) exceed++;
    if (Math.abs(drawsT[r]!) >= Math.abs(tStat)) exceedT++;
    if (o.onProgress && ((r + 1) % 50 === 0 || r + 1 === R)) o.onProgress(r + 1);
  }
  let mean = 0;
  for (let r = 0; r < R; r++) mean += draws[r]!;
  mean /= R;
  let ss = 0;
  for (let r = 0; r < R; r++) ss += (draws[r]! - mean) ** 2;
  const probs = [0.01, 0.025, 0.05, 0.1, 0.5, 0.9, 0.95, 0.975, 0.99];
  const res: PilotResult = {
    estimate,
    stdError,
    tStat,
    draws,
    drawsSe,
    drawsT,
    pValue: exceed / R,
    pValueT: exceedT / R,
    mean,
    sd: Math.sqrt(ss / (R - 1)),
    quantiles: probs.map((q) => ({ p: q, value: quantile7(draws, q) })),
    droppedCollinear: engine.droppedCollinear,
    balanced: engine.balanced,
    poolSize: pool.length,
    cohortSizes,
  };
  if (strataInfo) res.strata = strataInfo;
  return res;
}

/** Equal-width histogram of the draws (bins over [min, max] ∪ {β̂}). */
export function histogram(draws: Float64Array, estimate: number, bins = 30): { edges: number[]; counts: number[] } {
  let lo = estimate;
  let hi = estimate;
  for (const v of draws) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi === lo) hi = lo + 1;
  const w = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of draws) counts[Math.min(bins - 1, Math.floor((v - lo) / w))]!++;
  return { edges: Array.from({ length: bins + 1 }, (_, k) => lo + k * w), counts };
}
