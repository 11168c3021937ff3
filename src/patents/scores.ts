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
 * neither). imp^τ = FS^τ / BS (NaN when BS = 0 or FS^τ is missing). censored = the largest forward window
 * runs past the last data year; with `censoring: "missing"` each FS^τ whose window does so is NaN.
 * Breakthrough (horizon H = largest τ): `year` = imp^H ≥ the type-7 `quantile` of imp^H among patents of
 * the same filing year; `kpst` = ln(imp^H) minus its filing-year mean ≥ the pooled type-7 quantile.
 */
import { quantile7 } from "../core/stats.js";
import type { TermCorpus } from "./corpus.js";

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
};

export interface ScoreResult {
  /** Forward horizons, ascending. */
  horizons: number[];
  bs: Float64Array;
  /** fs[k] for horizons[k]. */
  fs: Float64Array[];
  /** imp[k] = fs[k] / bs. */
  imp: Float64Array[];
  /** 1 breakthrough, 0 not, −1 missing (importance missing). */
  breakthrough: Int8Array;
  censored: Uint8Array;
  /** Distinct terms per patent. */
  nTerms: Int32Array;
  /** KPST rule only: ln(imp^H) residualised on filing year (NaN when missing). */
  logImpResid?: Float64Array;
  /** Breakthrough thresholds used (per year for `year`, one pooled value for `kpst`). */
  thresholds: { year: number | null; value: number }[];
  counts: { patents: number; bsZero: number; impMissing: number; zeroVectorPairsYears: number[]; censored: number };
}

/** Resolve a partial option object against the defaults, validating values. */
export function resolveScoreOptions(o: Partial<ScoreOptions> = {}): ScoreOptions {
  const r: ScoreOptions = { ...DEFAULT_SCORE_OPTIONS, ...o };
  r.forward = [...new Set(r.forward)].sort((a, b) => a - b);
  if (!Number.isInteger(r.backward) || r.backward < 0) throw new RangeError(`backward window must be a non-negative integer, got ${r.backward}`);
  if (r.forward.length === 0 || r.forward.some((t) => !Number.isInteger(t) || t < 1)) throw new RangeError(`forward horizons must be positive integers, got ${r.forward.join(",")}`);
  if (!(r.quantile > 0 && r.quantile < 1)) throw new RangeError(`breakthrough quantile must be in (0, 1), got ${r.quantile}`);
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

/** Compute the scores of every patent of the corpus (see the file comment for the definitions). */
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
  const empty = (): ScoreResult => ({ horizons: H, bs, fs, imp: H.map(() => new Float64Array(n)), breakthrough: new Int8Array(n), censored, nTerms, thresholds: [], counts: { patents: 0, bsZero: 0, impMissing: 0, zeroVectorPairsYears: [], censored: 0 } });
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
      for (let g0 = lo; g0 < hi; ) {
        let g1 = g0 + 1;
        while (g1 < hi && d[ord[g1]!] === d[ord[g0]!]) g1++;
        for (let i = g0; i < g1; i++) before[i - lo] = dot(ord[i]!, t, C, 0);
        for (let i = g0; i < g1; i++) addU(ord[i]!, t, C, 0);
        g0 = g1;
      }
      C.fill(0);
      for (let g1 = hi; g1 > lo; ) {
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
    // Censoring.
    for (let i = lo; i < hi; i++) {
      const p = ord[i]!;
      if (t + Fmax > T - 1) censored[p] = 1;
      if (o.censoring === "missing") for (let k = 0; k < K; k++) if (t + H[k]! > T - 1) fs[k]![p] = Number.NaN;
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

  // Breakthroughs.
  const breakthrough = new Int8Array(n).fill(-1);
  const thresholds: { year: number | null; value: number }[] = [];
  let logImpResid: Float64Array | undefined;
  if (o.breakthrough === "year") {
    for (let t = 0; t < T; t++) {
      const vals: number[] = [];
      for (let i = start[t]!; i < start[t + 1]!; i++) {
        const v = impH[ord[i]!]!;
        if (!Number.isNaN(v)) vals.push(v);
      }
      if (vals.length === 0) continue;
      const q = quantile7(vals, o.quantile);
      thresholds.push({ year: minYear + t, value: q });
      for (let i = start[t]!; i < start[t + 1]!; i++) {
        const p = ord[i]!;
        const v = impH[p]!;
        if (!Number.isNaN(v)) breakthrough[p] = v >= q ? 1 : 0;
      }
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
      const q = quantile7(pooled, o.quantile);
      thresholds.push({ year: null, value: q });
      for (let p = 0; p < n; p++) {
        const r = logImpResid[p]!;
        if (!Number.isNaN(r)) breakthrough[p] = r >= q ? 1 : 0;
      }
    }
  }
  const invalidYears: number[] = [];
  for (let t = 0; t < T; t++) if (!valid[t]) invalidYears.push(minYear + t);
  let nCens = 0;
  for (let p = 0; p < n; p++) nCens += censored[p]!;
  return {
    horizons: H,
    bs,
    fs,
    imp,
    breakthrough,
    censored,
    nTerms,
    logImpResid,
    thresholds,
    counts: { patents: n, bsZero, impMissing, zeroVectorPairsYears: invalidYears, censored: nCens },
  };
}
