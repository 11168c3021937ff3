/**
 * Breakthrough scores (Kelly, Papanikolaou, Seru & Taddy 2021, on IPC terms; docs METHODS §1), computed
 * exactly in O(N · nnz · (B + F)) time by grouping the other patents by year:
 *   Σ_{q∈S} cos(p, q) = u_p · Σ_{q∈S} u_q,   u = (tf ∘ idf_s) / ‖tf ∘ idf_s‖ (0 when the norm is 0),
 * where s is the pair's IDF year (min or max of the two filing years; same-year pairs use that year).
 *
 * Weights for IDF year s (N = patents, D_w = patents containing w):
 *   kpst (default): BIDF_ws = ln(N_{<s} / (1 + D_{w,<s})) over patents filed before s; a pair whose IDF
 *                   year has no earlier patents (the first data year) contributes 0.
 *   seed:           IDF_ws = ln(N_{≤s} / D_{w,≤s}) over patents filed up to and including s; unseen terms
 *                   (D = 0) weigh 0.
 * TF_pw = c_pw / Σ_k c_pk cancels in the cosine, so counts are used directly.
 * BS_p = Σ cos over patents filed 1..B years before; FS^τ_p over 1..τ years after; same-year pairs are
 * excluded, or (`byDate`) earlier-dated ones go to BS and later-dated ones to every FS^τ (same date:
 * neither). imp^τ = FS^τ / BS (NaN when BS = 0 or FS^τ is missing).
 * Censoring (L = last data year, H = largest τ): a patent filed in L has no forward year observed — it is
 * fully censored: every FS^τ and imp^τ is NaN and it is never a breakthrough, under both rules. A patent
 * with y + H > L > y is partly censored: `truncate` sums the observed years, `missing` sets each FS^τ with
 * y + τ > L to NaN. `censored` = y + H > L (partly or fully).
 * Breakthrough (horizon H), nearest count with a ceiling — n = values of the group (non-missing), q = type-7
 * `quantile` p of the values, target t = (1 − p)·n, cap = ⌈t⌉, c = `tieCeiling` (default 0.02), δ = the
 * tie tolerance (values within δ of q are tied with it); among the values that may be flagged (v > 0 for
 * importances, all for `kpst` residuals) A = #{v ≥ q − δ} (with the block tied at q), B = #{v > q + δ}
 * (without it):
 *   A ≤ cap: flag v ≥ q − δ (the plain top rule);
 *   else flag v ≥ q − δ when A ≤ t + c·n and |A − t| < |B − t| (A strictly nearer the target),
 *   else flag v > q + δ (the tied block is dropped; `thresholds[].strict`).
 * So a group has at most max(⌈t⌉, t + c·n) breakthroughs (ties lift a year at most 2 points of share above
 * the target by default), and a tied block past ⌈t⌉ is kept only when that stays within the ceiling and
 * lands nearer t than dropping it; c = 0 is the hard cap (never above ⌈t⌉). Without
 * ties at q and with q > 0 the flags are the plain `v ≥ q`. The comparisons with t are made with a guard
 * of 1e-12·max(1, n) counts, so that t = (1 − p)·n is read as the decimal it is (A = t + c·n counts as
 * within the ceiling, |A − t| = |B − t| as not nearer). δ absorbs rounding (values are computed to
 * ~1e-15 relative; mathematically equal importances can differ in their last bits).
 *   `year`: groups = filing years, v = imp^H, δ = 1e-10·|q|.
 *   `kpst`: one pooled group, v = ln(imp^H) minus its filing-year mean (imp^H > 0 only), δ = 1e-10·max(1, |q|).
 */
import { quantile7 } from "../core/stats.js";
import type { TermCorpus } from "./corpus.js";
import type { IpcLevel } from "./ipc.js";

export type IdfKind = "kpst" | "seed";
export type PairYearRule = "min" | "max";
export type SameYearRule = "exclude" | "byDate";
export type CensoringRule = "truncate" | "missing";
export type BreakthroughRule = "year" | "kpst";

export interface ScoreOptions {
  /** Backward window in years (default 5). */
  backward: number;
  /** Forward horizons τ in years, ascending (default [1, 5, 10]). */
  forward: number[];
  idf: IdfKind;
  pairYear: PairYearRule;
  sameYear: SameYearRule;
  censoring: CensoringRule;
  breakthrough: BreakthroughRule;
  /** Breakthrough threshold quantile (default 0.9). */
  quantile: number;
  /**
   * Tie ceiling c of the breakthrough rule, a share of the group (default 0.02 = 2 points): a block tied
   * at the threshold is kept above ⌈(1 − p)·n⌉ only when that flags at most (1 − p + c)·n and lands
   * strictly nearer (1 − p)·n than dropping it. 0 = the hard cap ⌈(1 − p)·n⌉.
   */
  tieCeiling: number;
}

export const DEFAULT_SCORE_OPTIONS: ScoreOptions = {
  backward: 5,
  forward: [1, 5, 10],
  idf: "kpst",
  pairYear: "min",
  sameYear: "exclude",
  censoring: "truncate",
  breakthrough: "year",
  quantile: 0.9,
  tieCeiling: 0.02,
};

/**
 * The seed paper's definitions (Shi–Yang–Qian 2025, eqs. 2–3, METHODS §1.2): eq. 3 IDF
 * ln(N_≤t / N_ω,≤t) (cumulative to and including t, no +1, unseen fields weigh 0), pair IDF year = the
 * earlier filing year, same-year pairs excluded, BS over 5 years back, FS over 1, 5, 10 years ahead,
 * breakthrough = top decile of imp^10 within the filing year, truncated forward windows.
 */
export const PAPER_SCORE_OPTIONS: Readonly<ScoreOptions> = Object.freeze({
  backward: 5,
  forward: [1, 5, 10],
  idf: "seed",
  pairYear: "min",
  sameYear: "exclude",
  censoring: "truncate",
  breakthrough: "year",
  quantile: 0.9,
  tieCeiling: 0.02,
});

/** The seed paper matches patents on the 4-character IPC subclass (四位码): its term level. */
export const PAPER_LEVEL: IpcLevel = "subclass";

/** Tie tolerance of the breakthrough rule (relative; see the file comment). */
export const BREAKTHROUGH_TIE_TOLERANCE = 1e-10;

/**
 * Default tie ceiling of the breakthrough rule (`tieCeiling`, a share of the group): a tied block may lift
 * a group at most 2 points above the target share 1 − p (file comment).
 */
export const BREAKTHROUGH_TIE_CEILING = 0.02;

/** Breakthrough threshold of one group (a filing year, or the pooled `kpst` group). */
export interface BreakthroughThreshold {
  /** Filing year, null for the pooled `kpst` threshold. */
  year: number | null;
  /** Type-7 quantile q of the group's values. */
  value: number;
  /** Values in the group (patents with a non-missing imp^H, resp. residual). */
  n: number;
  /** ⌈(1 − quantile)·n⌉: more flags than this only when the tie ceiling keeps the tied block. */
  cap: number;
  /** Breakthroughs flagged. */
  flagged: number;
  /** True when the block tied at q was dropped (flags are v > q + δ instead of v ≥ q − δ). */
  strict: boolean;
  /** Flaggable values tied at q (within δ): the block kept or dropped. */
  tied: number;
}

/**
 * Data coverage of a run. L = last, F = first data year, B = backward window, H = largest horizon.
 * Year lists hold filing years that have patents, ascending.
 */
export interface ScoreCoverage {
  firstYear: number | null;
  lastYear: number | null;
  /** Patents filed in L: no forward year observed (fs/imp missing, breakthrough −1). */
  fullyCensored: number;
  fullyCensoredYears: number[];
  /** Patents with y < L < y + H: the H-year window is partly observed (handled by `censoring`). */
  partlyCensored: number;
  partlyCensoredYears: number[];
  /** Patents with y − B < F (y ≤ F + B − 1): their backward window starts before the first data year. */
  backwardIncomplete: number;
  backwardIncompleteYears: number[];
}

export interface ScoreResult {
  /** Forward horizons, ascending. */
  horizons: number[];
  bs: Float64Array;
  /** fs[k] for horizons[k]. */
  fs: Float64Array[];
  /** imp[k] = fs[k] / bs. */
  imp: Float64Array[];
  /** 1 breakthrough, 0 not, −1 missing (importance missing, e.g. fully censored). */
  breakthrough: Int8Array;
  /** 1 when y + H > last data year (partly or fully censored), else 0. */
  censored: Uint8Array;
  /** 0 full forward window, 1 partly censored, 2 fully censored (filed in the last data year). */
  censorKind: Uint8Array;
  /** Distinct terms per patent. */
  nTerms: Int32Array;
  /** KPST rule only: ln(imp^H) residualised on filing year (NaN when missing). */
  logImpResid?: Float64Array;
  /** Breakthrough thresholds used (per year for `year`, one pooled value for `kpst`). */
  thresholds: BreakthroughThreshold[];
  /** `censored` = partly + fully censored patents. */
  counts: { patents: number; bsZero: number; impMissing: number; zeroVectorPairsYears: number[]; censored: number };
  coverage: ScoreCoverage;
}

/** ⌈(1 − p)·n⌉ = n − ⌊n·p⌋, with a 1e-12 relative guard so that e.g. p = 0.9, n = 10 gives 1. */
export function breakthroughCap(n: number, p: number): number {
  return n - Math.floor(n * p * (1 + 1e-12));
}

/**
 * Whether the tie rule keeps the block tied at q (file comment): A = flaggable values ≥ q − δ, B = those
 * > q + δ, in a group of n values with quantile p and tie ceiling c; t = (1 − p)·n. Keep when A ≤ ⌈t⌉, or
 * when A ≤ t + c·n and |A − t| < |B − t|. Comparisons with t carry a guard of 1e-12·max(1, n) counts.
 */
export function keepTiedBlock(a: number, b: number, n: number, p: number, c: number): boolean {
  if (a <= breakthroughCap(n, p)) return true;
  const t = n - n * p;
  const g = 1e-12 * Math.max(1, n);
  return a <= t + c * n + g && Math.abs(a - t) < Math.abs(b - t) - g;
}

/** Resolve a partial option object against the defaults, validating values. */
export function resolveScoreOptions(o: Partial<ScoreOptions> = {}): ScoreOptions {
  const r: ScoreOptions = { ...DEFAULT_SCORE_OPTIONS, ...o };
  r.forward = [...new Set(r.forward)].sort((a, b) => a - b);
  if (!Number.isInteger(r.backward) || r.backward < 0) throw new RangeError(`backward window must be a non-negative integer, got ${r.backward}`);
  if (r.forward.length === 0 || r.forward.some((t) => !Number.isInteger(t) || t < 1))
    throw new RangeError(`forward horizons must be positive integers, got ${r.forward.join(",")}`);
  if (!(r.quantile > 0 && r.quantile < 1)) throw new RangeError(`breakthrough quantile must be in (0, 1), got ${r.quantile}`);
  if (!(r.tieCeiling >= 0 && r.tieCeiling < 1)) throw new RangeError(`tie ceiling must be in [0, 1), got ${r.tieCeiling}`);
  return r;
}

/** IDF tables: idf[s*V + w] for year index s, and whether year s can serve as an IDF year. */
export function idfTables(c: TermCorpus, minYear: number, T: number, kind: IdfKind): { idf: Float64Array; valid: Uint8Array; V: number } {
  const V = c.vocabulary.length;
  const df = new Float64Array(T * V);
  const ny = new Float64Array(T);
  for (let p = 0; p < c.n; p++) {
    const t = c.year[p]! - minYear;
    ny[t]! += 1;
    for (let k = c.termOffsets[p]!; k < c.termOffsets[p + 1]!; k++) df[t * V + c.termIds[k]!]! += 1;
  }
  const idf = new Float64Array(T * V);
  const valid = new Uint8Array(T);
  const cum = new Float64Array(V);
  let ncum = 0;
  for (let s = 0; s < T; s++) {
    if (kind === "seed") {
      ncum += ny[s]!;
      for (let w = 0; w < V; w++) cum[w]! += df[s * V + w]!;
    }
    if (ncum > 0) {
      valid[s] = 1;
      const base = s * V;
      for (let w = 0; w < V; w++) {
        const d = cum[w]!;
        idf[base + w] = kind === "kpst" ? Math.log(ncum / (1 + d)) : d > 0 ? Math.log(ncum / d) : 0;
      }
    }
    if (kind === "kpst") {
      ncum += ny[s]!;
      for (let w = 0; w < V; w++) cum[w]! += df[s * V + w]!;
    }
  }
  return { idf, valid, V };
}

/**
 * Scores of every patent (file comment): BS_p = Σ_{q: y_p−B ≤ y_q < y_p} cos_s(p, q),
 * FS^τ_p = Σ_{q: y_p < y_q ≤ y_p+τ} cos_s(p, q), imp^τ = FS^τ / BS, with cos_s the cosine of the TF·IDF_s
 * vectors at the pair's IDF year s; censoring and the breakthrough tie rule as documented above.
 */
export function scorePatents(c: TermCorpus, options: Partial<ScoreOptions> = {}): ScoreResult {
  const o = resolveScoreOptions(options);
  const n = c.n;
  const H = o.forward;
  const K = H.length;
  const Fmax = H[K - 1]!;
  const B = o.backward;
  const bs = new Float64Array(n);
  const fs = H.map(() => new Float64Array(n));
  const nTerms = new Int32Array(n);
  const censored = new Uint8Array(n);
  const censorKind = new Uint8Array(n);
  const empty = (): ScoreResult => ({
    horizons: H,
    bs,
    fs,
    imp: H.map(() => new Float64Array(n)),
    breakthrough: new Int8Array(n),
    censored,
    censorKind,
    nTerms,
    thresholds: [],
    counts: { patents: 0, bsZero: 0, impMissing: 0, zeroVectorPairsYears: [], censored: 0 },
    coverage: {
      firstYear: null,
      lastYear: null,
      fullyCensored: 0,
      fullyCensoredYears: [],
      partlyCensored: 0,
      partlyCensoredYears: [],
      backwardIncomplete: 0,
      backwardIncompleteYears: [],
    },
  });
  if (n === 0) return empty();
  if (o.sameYear === "byDate" && !c.date) throw new RangeError("sameYear 'byDate' needs filing dates");

  let minYear = Infinity;
  let maxYear = -Infinity;
  for (let p = 0; p < n; p++) {
    const y = c.year[p]!;
    if (y < minYear) minYear = y;
    if (y > maxYear) maxYear = y;
    nTerms[p] = c.termOffsets[p + 1]! - c.termOffsets[p]!;
  }
  const T = maxYear - minYear + 1;
  // Patents grouped by year (counting sort), and by date within year when byDate.
  const start = new Int32Array(T + 1);
  for (let p = 0; p < n; p++) start[c.year[p]! - minYear + 1]! += 1;
  for (let t = 0; t < T; t++) start[t + 1]! += start[t]!;
  const ord = new Int32Array(n);
  {
    const fill = start.slice(0, T);
    for (let p = 0; p < n; p++) ord[fill[c.year[p]! - minYear]!++] = p;
  }
  if (o.sameYear === "byDate") {
    const d = c.date!;
    for (let t = 0; t < T; t++) {
      const seg = ord.subarray(start[t]!, start[t + 1]!);
      const sorted = Array.from(seg).sort((a, b) => d[a]! - d[b]! || a - b);
      seg.set(sorted);
    }
  }

  const { idf, valid, V } = idfTables(c, minYear, T, o.idf);
  const offs = c.termOffsets;
  const tid = c.termIds;
  const tc = c.termCounts;

  /** ‖c_p ∘ idf_s‖ (Euclidean). */
  const norm = (p: number, s: number): number => {
    const base = s * V;
    let ss = 0;
    for (let k = offs[p]!; k < offs[p + 1]!; k++) {
      const v = tc[k]! * idf[base + tid[k]!]!;
      ss += v * v;
    }
    return Math.sqrt(ss);
  };
  /** u_p(s) · vec[vecBase …]. */
  const dot = (p: number, s: number, vec: Float64Array, vecBase: number): number => {
    const nr = norm(p, s);
    if (nr === 0) return 0;
    const base = s * V;
    let acc = 0;
    for (let k = offs[p]!; k < offs[p + 1]!; k++) {
      const w = tid[k]!;
      acc += tc[k]! * idf[base + w]! * vec[vecBase + w]!;
    }
    return acc / nr;
  };
  /** vec[vecBase …] += u_p(s). */
  const addU = (p: number, s: number, vec: Float64Array, vecBase: number): void => {
    const nr = norm(p, s);
    if (nr === 0) return;
    const base = s * V;
    for (let k = offs[p]!; k < offs[p + 1]!; k++) {
      const w = tid[k]!;
      vec[vecBase + w]! += (tc[k]! * idf[base + w]!) / nr;
    }
  };

  // A_s = Σ_{q in year s} u_q(s): own-year sums.
  const A = new Float64Array(T * V);
  for (let s = 0; s < T; s++) {
    if (!valid[s]) continue;
    for (let i = start[s]!; i < start[s + 1]!; i++) addU(ord[i]!, s, A, s * V);
  }

  const C = new Float64Array(V);
  let maxNnz = 0;
  for (let p = 0; p < n; p++) if (nTerms[p]! > maxNnz) maxNnz = nTerms[p]!;
  const wbuf = new Float64Array(maxNnz);
  for (let t = 0; t < T; t++) {
    const lo = start[t]!;
    const hi = start[t + 1]!;
    if (lo === hi) continue;
    if (o.pairYear === "min") {
      // IDF year s = t (the earlier patent's year) for every pair between year t and a later year t + d.
      // One pass per later patent q computes its weights w = c_q ∘ idf_t once and uses them twice: added
      // (normalised) into C = Σ_{q: t < y_q ≤ t+d} u_q(t) for the forward sums of year t's patents, and,
      // when d ≤ B, dotted with A_t for q's own backward sum. Same summation order as pair by pair.
      if (valid[t]) {
        C.fill(0);
        const At = t * V;
        const base = t * V;
        let k = 0;
        for (let d = 1; d <= Math.max(Fmax, B); d++) {
          const s = t + d;
          if (s >= T) break;
          const back = d <= B;
          const fwd = d <= Fmax;
          for (let i = start[s]!; i < start[s + 1]!; i++) {
            const q = ord[i]!;
            const k0 = offs[q]!;
            const k1 = offs[q + 1]!;
            let ss = 0;
            for (let j = k0; j < k1; j++) {
              const v = tc[j]! * idf[base + tid[j]!]!;
              wbuf[j - k0] = v;
              ss += v * v;
            }
            const nr = Math.sqrt(ss);
            if (nr === 0) continue;
            if (back) {
              let acc = 0;
              for (let j = k0; j < k1; j++) acc += wbuf[j - k0]! * A[At + tid[j]!]!;
              bs[q]! += acc / nr;
            }
            if (fwd) for (let j = k0; j < k1; j++) C[tid[j]!]! += wbuf[j - k0]! / nr;
          }
          while (k < K && H[k] === d) {
            const f = fs[k]!;
            for (let i = lo; i < hi; i++) {
              const p = ord[i]!;
              f[p] = dot(p, t, C, 0);
            }
            k++;
          }
        }
        // Horizons beyond the data end: the sums stop at the last year.
        while (k < K) {
          const f = fs[k]!;
          for (let i = lo; i < hi; i++) {
            const p = ord[i]!;
            f[p] = dot(p, t, C, 0);
          }
          k++;
        }
      }
    } else {
      // max rule — backward pairs use the focal year t: u_p(t) · Σ_{s=t−B..t−1} Σ_q u_q(t).
      if (valid[t] && B > 0) {
        C.fill(0);
        for (let s = Math.max(0, t - B); s < t; s++) for (let i = start[s]!; i < start[s + 1]!; i++) addU(ord[i]!, t, C, 0);
        for (let i = lo; i < hi; i++) {
          const p = ord[i]!;
          bs[p] = dot(p, t, C, 0);
        }
      }
      // Forward pairs use the later (other) patent's year s: u_p(s) · A_s, cumulated over horizons.
      for (let i = lo; i < hi; i++) {
        const p = ord[i]!;
        let acc = 0;
        let k = 0;
        for (let d = 1; d <= Fmax && k < K; d++) {
          const s = t + d;
          if (s < T && valid[s]) acc += dot(p, s, A, s * V);
          while (k < K && H[k] === d) fs[k++]![p] = acc;
        }
      }
    }
    // Same-year pairs by filing date (IDF year t for both rules).
    if (o.sameYear === "byDate" && valid[t]) {
      const d = c.date!;
      const before = new Float64Array(hi - lo);
      const after = new Float64Array(hi - lo);
      C.fill(0);
      for (let g0 = lo; g0 < hi;) {
        let g1 = g0 + 1;
        while (g1 < hi && d[ord[g1]!] === d[ord[g0]!]) g1++;
        for (let i = g0; i < g1; i++) before[i - lo] = dot(ord[i]!, t, C, 0);
        for (let i = g0; i < g1; i++) addU(ord[i]!, t, C, 0);
        g0 = g1;
      }
      C.fill(0);
      for (let g1 = hi; g1 > lo;) {
        let g0 = g1 - 1;
        while (g0 > lo && d[ord[g0 - 1]!] === d[ord[g1 - 1]!]) g0--;
        for (let i = g0; i < g1; i++) after[i - lo] = dot(ord[i]!, t, C, 0);
        for (let i = g0; i < g1; i++) addU(ord[i]!, t, C, 0);
        g1 = g0;
      }
      for (let i = lo; i < hi; i++) {
        const p = ord[i]!;
        bs[p]! += before[i - lo]!;
        for (let k = 0; k < K; k++) fs[k]![p]! += after[i - lo]!;
      }
    }
    // Censoring: the last year observes no forward year (every FS^τ missing, both rules); partly
    // censored years follow the rule.
    if (t === T - 1) {
      for (let i = lo; i < hi; i++) {
        const p = ord[i]!;
        censored[p] = 1;
        censorKind[p] = 2;
        for (let k = 0; k < K; k++) fs[k]![p] = Number.NaN;
      }
    } else if (t + Fmax > T - 1) {
      for (let i = lo; i < hi; i++) {
        const p = ord[i]!;
        censored[p] = 1;
        censorKind[p] = 1;
        if (o.censoring === "missing") for (let k = 0; k < K; k++) if (t + H[k]! > T - 1) fs[k]![p] = Number.NaN;
      }
    }
  }

  // Importance.
  const imp = H.map(() => new Float64Array(n));
  let bsZero = 0;
  for (let p = 0; p < n; p++) {
    const b = bs[p]!;
    if (b === 0) bsZero++;
    for (let k = 0; k < K; k++) imp[k]![p] = b === 0 ? Number.NaN : fs[k]![p]! / b;
  }
  const impH = imp[K - 1]!;
  let impMissing = 0;
  for (let p = 0; p < n; p++) if (Number.isNaN(impH[p]!)) impMissing++;

  // Breakthroughs (nearest count with a ceiling, file comment).
  const breakthrough = new Int8Array(n).fill(-1);
  const thresholds: BreakthroughThreshold[] = [];
  let logImpResid: Float64Array | undefined;
  if (o.breakthrough === "year") {
    const vals = new Float64Array(maxYearCount(start, T));
    for (let t = 0; t < T; t++) {
      let m = 0;
      for (let i = start[t]!; i < start[t + 1]!; i++) {
        const v = impH[ord[i]!]!;
        if (!Number.isNaN(v)) vals[m++] = v;
      }
      if (m === 0) continue;
      const cut = topCut(vals.subarray(0, m), o.quantile, o.tieCeiling, 0, true);
      let flagged = 0;
      for (let i = start[t]!; i < start[t + 1]!; i++) {
        const p = ord[i]!;
        const v = impH[p]!;
        if (Number.isNaN(v)) continue;
        const b = v > 0 && (cut.strict ? v > cut.hi : v >= cut.lo) ? 1 : 0;
        breakthrough[p] = b;
        flagged += b;
      }
      thresholds.push({ year: minYear + t, value: cut.q, n: m, cap: cut.cap, flagged, strict: cut.strict, tied: cut.tied });
    }
  } else {
    logImpResid = new Float64Array(n).fill(Number.NaN);
    const pooled: number[] = [];
    for (let t = 0; t < T; t++) {
      let sum = 0;
      let cnt = 0;
      for (let i = start[t]!; i < start[t + 1]!; i++) {
        const v = impH[ord[i]!]!;
        if (v > 0) {
          sum += Math.log(v);
          cnt++;
        }
      }
      if (cnt === 0) continue;
      const m = sum / cnt;
      for (let i = start[t]!; i < start[t + 1]!; i++) {
        const p = ord[i]!;
        const v = impH[p]!;
        if (v > 0) {
          const r = Math.log(v) - m;
          logImpResid[p] = r;
          pooled.push(r);
        }
      }
    }
    if (pooled.length > 0) {
      const cut = topCut(pooled, o.quantile, o.tieCeiling, 1, false);
      let flagged = 0;
      for (let p = 0; p < n; p++) {
        const r = logImpResid[p]!;
        if (Number.isNaN(r)) continue;
        const b = cut.strict ? (r > cut.hi ? 1 : 0) : r >= cut.lo ? 1 : 0;
        breakthrough[p] = b;
        flagged += b;
      }
      thresholds.push({ year: null, value: cut.q, n: pooled.length, cap: cut.cap, flagged, strict: cut.strict, tied: cut.tied });
    }
  }
  const invalidYears: number[] = [];
  for (let t = 0; t < T; t++) if (!valid[t]) invalidYears.push(minYear + t);
  let nCens = 0;
  for (let p = 0; p < n; p++) nCens += censored[p]!;
  const coverage: ScoreCoverage = {
    firstYear: minYear,
    lastYear: maxYear,
    fullyCensored: 0,
    fullyCensoredYears: [],
    partlyCensored: 0,
    partlyCensoredYears: [],
    backwardIncomplete: 0,
    backwardIncompleteYears: [],
  };
  for (let t = 0; t < T; t++) {
    const cnt = start[t + 1]! - start[t]!;
    if (cnt === 0) continue;
    if (t === T - 1) {
      coverage.fullyCensored += cnt;
      coverage.fullyCensoredYears.push(minYear + t);
    } else if (t + Fmax > T - 1) {
      coverage.partlyCensored += cnt;
      coverage.partlyCensoredYears.push(minYear + t);
    }
    if (t < B) {
      coverage.backwardIncomplete += cnt;
      coverage.backwardIncompleteYears.push(minYear + t);
    }
  }
  return {
    horizons: H,
    bs,
    fs,
    imp,
    breakthrough,
    censored,
    censorKind,
    nTerms,
    logImpResid,
    thresholds,
    counts: { patents: n, bsZero, impMissing, zeroVectorPairsYears: invalidYears, censored: nCens },
    coverage,
  };
}

/** max_t (start[t+1] − start[t]): the most patents of one year. */
function maxYearCount(start: Int32Array, T: number): number {
  let m = 0;
  for (let t = 0; t < T; t++) m = Math.max(m, start[t + 1]! - start[t]!);
  return m;
}

/**
 * The tie rule on one group of values (file comment): q = type-7 quantile, cap = ⌈(1 − p)·n⌉;
 * δ = BREAKTHROUGH_TIE_TOLERANCE · max(scaleFloor, |q|); A = #{v ≥ lo = q − δ}, B = #{v > hi = q + δ}
 * (v > 0 only when `positive`); flag v ≥ lo, or v > hi when `strict` (`keepTiedBlock` says no).
 */
function topCut(
  vals: ArrayLike<number>,
  p: number,
  ceiling: number,
  scaleFloor: number,
  positive: boolean,
): { q: number; cap: number; strict: boolean; lo: number; hi: number; tied: number } {
  const q = quantile7(vals, p);
  const delta = BREAKTHROUGH_TIE_TOLERANCE * Math.max(scaleFloor, Math.abs(q));
  const cap = breakthroughCap(vals.length, p);
  const lo = q - delta;
  const hi = q + delta;
  let atLeast = 0;
  let above = 0;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i]!;
    if (positive && !(v > 0)) continue;
    if (v >= lo) atLeast++;
    if (v > hi) above++;
  }
  return { q, cap, strict: !keepTiedBlock(atLeast, above, vals.length, p, ceiling), lo, hi, tied: atLeast - above };
}
