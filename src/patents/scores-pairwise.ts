/**
 * Brute-force O(N²) scores: the definition of scores.ts applied pair by pair (test oracle only).
 * For every ordered pair (p, q), p ≠ q: decide whether q is in p's backward window, in which forward
 * windows, or neither; take the pair's IDF year (min/max rule; the common year for same-year pairs);
 * build both weight vectors for that year from scratch, and add their cosine. Patents filed in the last
 * data year have every FS^τ missing; breakthroughs follow the tie rule of scores.ts (nearest count with a
 * ceiling), written here in shares of the group.
 */
import { quantile7 } from "../core/stats.js";
import type { TermCorpus } from "./corpus.js";
import { breakthroughCap, resolveScoreOptions, BREAKTHROUGH_TIE_TOLERANCE, type ScoreOptions } from "./scores.js";

export interface PairwiseScores {
  bs: Float64Array;
  fs: Float64Array[];
  imp: Float64Array[];
  breakthrough: Int8Array;
  censored: Uint8Array;
  logImpResid?: Float64Array;
}

/**
 * Flags of the tie rule for the values `v` (see scores.ts), in shares of the group: with the block tied
 * at q the weak flags v ≥ q − δ have share sA, without it the strict flags v > q + δ have share sB; the
 * target share is s = 1 − p. Weak when the weak count is ≤ ⌈s·n⌉, or when sA ≤ s + c and sA is strictly nearer s
 * than sB (comparisons with a 1e-12 slack); strict otherwise.
 */
function topFlags(v: number[], p: number, c: number, scaleFloor: number, positive: boolean): number[] {
  const q = quantile7(v, p);
  const d = BREAKTHROUGH_TIE_TOLERANCE * Math.max(scaleFloor, Math.abs(q));
  const ok = (x: number): boolean => !positive || x > 0;
  const weak = v.map((x) => (x >= q - d && ok(x) ? 1 : 0));
  const strict = v.map((x) => (x > q + d && ok(x) ? 1 : 0));
  const count = (f: number[]): number => f.reduce((a: number, b) => a + b, 0);
  if (count(weak) <= breakthroughCap(v.length, p)) return weak;
  const s = 1 - p;
  const sA = count(weak) / v.length;
  const sB = count(strict) / v.length;
  const eps = 1e-12;
  return sA <= s + c + eps && Math.abs(sA - s) < Math.abs(sB - s) - eps ? weak : strict;
}

/** Pair-by-pair BS_p = Σ_{q ∈ B_p} cos(p, q), FS^τ_p = Σ_{q ∈ F^τ_p} cos(p, q), imp^τ = FS^τ / BS. */
export function scorePatentsPairwise(c: TermCorpus, options: Partial<ScoreOptions> = {}): PairwiseScores {
  const o = resolveScoreOptions(options);
  const n = c.n;
  const H = o.forward;
  const Fmax = H[H.length - 1]!;
  let minYear = Infinity;
  let maxYear = -Infinity;
  for (let p = 0; p < n; p++) {
    minYear = Math.min(minYear, c.year[p]!);
    maxYear = Math.max(maxYear, c.year[p]!);
  }
  // Weight of term w for IDF year s, straight from the definition (counts over the whole corpus).
  const idfCache = new Map<number, { ok: boolean; w: Map<number, number> }>();
  const idfOf = (s: number): { ok: boolean; w: Map<number, number> } => {
    let e = idfCache.get(s);
    if (e) return e;
    let N = 0;
    const D = new Map<number, number>();
    for (let q = 0; q < n; q++) {
      const y = c.year[q]!;
      if (o.idf === "kpst" ? y < s : y <= s) {
        N++;
        for (let k = c.termOffsets[q]!; k < c.termOffsets[q + 1]!; k++) D.set(c.termIds[k]!, (D.get(c.termIds[k]!) ?? 0) + 1);
      }
    }
    const w = new Map<number, number>();
    for (let t = 0; t < c.vocabulary.length; t++) {
      const d = D.get(t) ?? 0;
      w.set(t, o.idf === "kpst" ? Math.log(N / (1 + d)) : d > 0 ? Math.log(N / d) : 0);
    }
    e = { ok: N > 0, w };
    idfCache.set(s, e);
    return e;
  };
  // Weight vector of p for IDF year s (TF × IDF; term ids ascending), cached per (p, s).
  interface Vec {
    ids: Int32Array;
    vals: Float64Array;
    sq: number;
  }
  const vecCache = new Map<number, Vec>();
  const vec = (p: number, s: number): Vec => {
    const key = p * 100000 + (s - minYear);
    const hit = vecCache.get(key);
    if (hit) return hit;
    const { w } = idfOf(s);
    let total = 0;
    for (let k = c.termOffsets[p]!; k < c.termOffsets[p + 1]!; k++) total += c.termCounts[k]!;
    const ids = c.termIds.slice(c.termOffsets[p]!, c.termOffsets[p + 1]!);
    const vals = new Float64Array(ids.length);
    let sq = 0;
    for (let j = 0; j < ids.length; j++) {
      const k = c.termOffsets[p]! + j;
      vals[j] = (c.termCounts[k]! / total) * w.get(ids[j]!)!;
      sq += vals[j]! * vals[j]!;
    }
    const v = { ids, vals, sq };
    vecCache.set(key, v);
    return v;
  };
  const cosine = (p: number, q: number, s: number): number => {
    if (!idfOf(s).ok) return 0;
    const a = vec(p, s);
    const b = vec(q, s);
    if (a.sq === 0 || b.sq === 0) return 0;
    let ab = 0;
    for (let i = 0, j = 0; i < a.ids.length && j < b.ids.length;) {
      if (a.ids[i]! === b.ids[j]!) ab += a.vals[i++]! * b.vals[j++]!;
      else if (a.ids[i]! < b.ids[j]!) i++;
      else j++;
    }
    return ab / Math.sqrt(a.sq * b.sq);
  };
  const bs = new Float64Array(n);
  const fs = H.map(() => new Float64Array(n));
  const censored = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    const yp = c.year[p]!;
    for (let q = 0; q < n; q++) {
      if (q === p) continue;
      const yq = c.year[q]!;
      let back = false;
      let fwdDist = -1; // years after p (0 = same year, later date)
      if (yq < yp && yp - yq <= o.backward) back = true;
      else if (yq > yp && yq - yp <= Fmax) fwdDist = yq - yp;
      else if (yq === yp && o.sameYear === "byDate") {
        if (c.date![q]! < c.date![p]!) back = true;
        else if (c.date![q]! > c.date![p]!) fwdDist = 0;
      }
      if (!back && fwdDist < 0) continue;
      const s = o.pairYear === "min" ? Math.min(yp, yq) : Math.max(yp, yq);
      const cs = cosine(p, q, s);
      if (back) bs[p]! += cs;
      else
        H.forEach((tau, k) => {
          if (fwdDist <= tau) fs[k]![p]! += cs;
        });
    }
    if (yp + Fmax > maxYear) censored[p] = 1;
    if (o.censoring === "missing" || yp === maxYear)
      H.forEach((tau, k) => {
        if (yp + tau > maxYear) fs[k]![p] = Number.NaN;
      });
  }
  const imp = H.map((_, k) => fs[k]!.map((f, p) => (bs[p] === 0 ? Number.NaN : f / bs[p]!)));
  const impH = imp[H.length - 1]!;
  const { breakthrough, logImpResid } = pairwiseBreakthroughs(c.year, impH, o);
  return { bs, fs, imp, breakthrough, censored, logImpResid };
}

/** Breakthrough flags (and the `kpst` residual) from filing years and imp^H by `topFlags`, per the options. */
export function pairwiseBreakthroughs(
  year: ArrayLike<number>,
  impH: ArrayLike<number>,
  options: Partial<ScoreOptions> = {},
): { breakthrough: Int8Array; logImpResid?: Float64Array } {
  const r = resolveScoreOptions(options);
  const n = impH.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let p = 0; p < n; p++) {
    lo = Math.min(lo, year[p]!);
    hi = Math.max(hi, year[p]!);
  }
  const breakthrough = new Int8Array(n).fill(-1);
  let logImpResid: Float64Array | undefined;
  if (r.breakthrough === "year") {
    for (let y = lo; y <= hi; y++) {
      const idx = [...Array(n).keys()].filter((p) => year[p] === y && !Number.isNaN(impH[p]!));
      if (idx.length === 0) continue;
      const f = topFlags(
        idx.map((p) => impH[p]!),
        r.quantile,
        r.tieCeiling,
        0,
        true,
      );
      idx.forEach((p, i) => (breakthrough[p] = f[i]!));
    }
  } else {
    logImpResid = new Float64Array(n).fill(Number.NaN);
    for (let y = lo; y <= hi; y++) {
      const idx = [...Array(n).keys()].filter((p) => year[p] === y && impH[p]! > 0);
      if (idx.length === 0) continue;
      const m = idx.reduce((a, p) => a + Math.log(impH[p]!), 0) / idx.length;
      for (const p of idx) logImpResid[p] = Math.log(impH[p]!) - m;
    }
    const idx = [...Array(n).keys()].filter((p) => !Number.isNaN(logImpResid![p]!));
    if (idx.length > 0) {
      const f = topFlags(
        idx.map((p) => logImpResid![p]!),
        r.quantile,
        r.tieCeiling,
        1,
        false,
      );
      idx.forEach((p, i) => (breakthrough[p] = f[i]!));
    }
  }
  return { breakthrough, logImpResid };
}
