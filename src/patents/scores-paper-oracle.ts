/**
 * Second test oracle, written straight from the definitions (METHODS §1.1–1.2; seed paper eqs. 2–3,
 * KPST 2021) with nothing shared with scores.ts or scores-pairwise.ts but the option types:
 *   - dense TF vectors: TF_pω = c_pω / c_p, the share of p's codes that fall in field ω;
 *   - one dense IDF vector per data year t, counted from the corpus: seed eq. 3
 *     IDF_ωt = ln(P_≤t / P_ω,≤t) (0 when P_ω,≤t = 0), or KPST BIDF_ωt = ln(P_<t / (1 + P_ω,<t))
 *     (undefined when P_<t = 0: such a year's pairs count 0);
 *   - cos_t(p, q) = x_p·x_q / (‖x_p‖ ‖x_q‖), x = TF ∘ IDF_t (0 when a norm is 0), t = min or max of the
 *     two filing years (the common year for same-year pairs);
 *   - explicit window member lists: backward = filed y−B … y−1 (and, `byDate`, same year earlier date),
 *     forward τ = filed y+1 … y+τ (and, `byDate`, same year later date); BS, FS^τ = sums of cosines;
 *   - censoring by counting the observed forward years: none observed ⇒ every FS^τ missing; fewer than τ
 *     ⇒ FS^τ missing under `missing`, the observed sum under `truncate`;
 *   - imp^τ = FS^τ / BS (missing when BS = 0);
 *   - breakthroughs by sorting and ranking: own type-7 quantile q, values within δ of q tied with it;
 *     two candidate prefixes of the ranking (positive values only, for importances): down to q − δ
 *     (k_A values, the tied block in) and above q + δ (k_B, the tied block out). Target t = (1 − p)·n,
 *     ceiling c·n (c = `tieCeiling`), both in exact rational arithmetic with p and c read as the decimals
 *     they are written as. k_A is taken when k_A ≤ ⌈t⌉, or when k_A ≤ t + c·n and k_A is strictly nearer
 *     t than k_B; otherwise k_B.
 * Quadratic in the number of patents and dense in the vocabulary: for tests only.
 */
import type { TermCorpus } from "./corpus.js";
import { resolveScoreOptions, type ScoreOptions } from "./scores.js";

export interface PaperOracleScores {
  bs: Float64Array;
  fs: Float64Array[];
  imp: Float64Array[];
  breakthrough: Int8Array;
  /** 1 when the largest forward window is not fully observed. */
  censored: Uint8Array;
  /** 0 fully observed, 1 partly, 2 no forward year observed. */
  censorKind: Uint8Array;
  logImpResid?: Float64Array;
}

/** Relative tie tolerance of the breakthrough rule (the same definition as the engine's). */
const TIE = 1e-10;

/** Type-7 quantile: with s sorted ascending and h = (n − 1)·p, s[⌊h⌋] + (h − ⌊h⌋)·(s[⌊h⌋+1] − s[⌊h⌋]). */
export function oracleQuantile7(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const j = Math.floor(h);
  const next = s[Math.min(j + 1, s.length - 1)]!;
  return s[j]! + (h - j) * (next - s[j]!);
}

/** A non-negative number as the exact fraction num/den of the decimal it is written as (0.9 = 9/10). */
function decimal(x: number): { num: bigint; den: bigint } {
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(String(x));
  if (!m) throw new RangeError(`${x} is not a plain decimal`);
  const frac = m[2] ?? "";
  const exp = Number(m[3] ?? 0) - frac.length;
  let num = BigInt(m[1]! + frac);
  let den = 1n;
  if (exp >= 0) num *= 10n ** BigInt(exp);
  else den = 10n ** BigInt(-exp);
  return { num, den };
}

/** ⌈(1 − p)·n⌉ with p read as the decimal it is written as (0.9 = 9/10), in exact integer arithmetic. */
export function oracleCap(n: number, p: number): number {
  const { num, den } = decimal(p);
  const top = BigInt(n) * (den - num);
  return Number((top + den - 1n) / den);
}

/**
 * The count the rule flags, from the two candidates kA (tied block in) ≥ kB (tied block out), in exact
 * arithmetic: everything is scaled by D = den(p)·den(c), so T = t·D, C = c·n·D and k·D are integers.
 */
export function oracleChoice(kA: number, kB: number, n: number, p: number, c: number): number {
  if (kA <= oracleCap(n, p)) return kA;
  const P = decimal(p);
  const Q = decimal(c);
  const D = P.den * Q.den;
  const N = BigInt(n);
  const T = N * (P.den - P.num) * Q.den;
  const C = N * Q.num * P.den;
  const a = BigInt(kA) * D;
  const b = BigInt(kB) * D;
  const abs = (x: bigint): bigint => (x < 0n ? -x : x);
  return a <= T + C && abs(a - T) < abs(b - T) ? kA : kB;
}

/**
 * Flags of the ranked rule on (patent, value) items: rank by value descending; kA = the longest prefix
 * with value ≥ q − δ, kB = the longest with value > q + δ (positive values only when `positive`);
 * δ = TIE · max(scaleFloor, |q|); the top `oracleChoice(kA, kB, …)` items are flagged.
 */
function rankedFlags(items: { p: number; v: number }[], quantile: number, ceiling: number, scaleFloor: number, positive: boolean, out: Int8Array): void {
  const q = oracleQuantile7(
    items.map((x) => x.v),
    quantile,
  );
  const d = TIE * Math.max(scaleFloor, Math.abs(q));
  const ranked = [...items].sort((a, b) => b.v - a.v);
  const prefix = (keep: (v: number) => boolean): number => {
    let k = 0;
    while (k < ranked.length && keep(ranked[k]!.v) && (!positive || ranked[k]!.v > 0)) k++;
    return k;
  };
  const kA = prefix((v) => v >= q - d);
  const kB = prefix((v) => v > q + d);
  const k = oracleChoice(kA, kB, items.length, quantile, ceiling);
  ranked.forEach((x, r) => (out[x.p] = r < k ? 1 : 0));
}

/**
 * Scores from the equations: BS_p = Σ_{q ∈ back(p)} cos_t(p, q), FS^τ_p = Σ_{q ∈ fwd_τ(p)} cos_t(p, q),
 * imp^τ_p = FS^τ_p / BS_p, breakthrough by the ranked rule (see the file comment).
 */
export function scorePatentsPaperOracle(c: TermCorpus, options: Partial<ScoreOptions> = {}): PaperOracleScores {
  const o = resolveScoreOptions(options);
  const n = c.n;
  const V = c.vocabulary.length;
  const taus = o.forward;
  const H = taus[taus.length - 1]!;
  if (o.sameYear === "byDate" && !c.date) throw new RangeError("byDate needs dates");
  const years = Array.from(c.year);
  const first = Math.min(...years);
  const last = Math.max(...years);

  // Dense TF rows.
  const tf: Float64Array[] = [];
  for (let p = 0; p < n; p++) {
    const row = new Float64Array(V);
    let codes = 0;
    for (let k = c.termOffsets[p]!; k < c.termOffsets[p + 1]!; k++) codes += c.termCounts[k]!;
    for (let k = c.termOffsets[p]!; k < c.termOffsets[p + 1]!; k++) row[c.termIds[k]!] = c.termCounts[k]! / codes;
    tf.push(row);
  }

  // IDF vector of every data year from its definition (null = undefined year).
  const idf = new Map<number, Float64Array | null>();
  for (let t = first; t <= last; t++) {
    const inSet = (y: number): boolean => (o.idf === "seed" ? y <= t : y < t);
    let P = 0;
    const Pw = new Float64Array(V);
    for (let p = 0; p < n; p++) {
      if (!inSet(years[p]!)) continue;
      P++;
      for (let w = 0; w < V; w++) if (tf[p]![w]! > 0) Pw[w]! += 1;
    }
    if (P === 0) {
      idf.set(t, null);
      continue;
    }
    const v = new Float64Array(V);
    for (let w = 0; w < V; w++) v[w] = o.idf === "seed" ? (Pw[w]! > 0 ? Math.log(P / Pw[w]!) : 0) : Math.log(P / (1 + Pw[w]!));
    idf.set(t, v);
  }

  // Unit weight vectors x/‖x‖ per (patent, year), zero vector when ‖x‖ = 0 or the year is undefined.
  const unitCache = new Map<string, Float64Array>();
  const unit = (p: number, t: number): Float64Array => {
    const key = `${p}:${t}`;
    let u = unitCache.get(key);
    if (u) return u;
    u = new Float64Array(V);
    const w = idf.get(t);
    if (w) {
      let ss = 0;
      for (let j = 0; j < V; j++) {
        u[j] = tf[p]![j]! * w[j]!;
        ss += u[j]! * u[j]!;
      }
      const nr = Math.sqrt(ss);
      for (let j = 0; j < V; j++) u[j] = nr > 0 ? u[j]! / nr : 0;
    }
    unitCache.set(key, u);
    return u;
  };
  const cos = (p: number, q: number): number => {
    const t = o.pairYear === "min" ? Math.min(years[p]!, years[q]!) : Math.max(years[p]!, years[q]!);
    const a = unit(p, t);
    const b = unit(q, t);
    let s = 0;
    for (let j = 0; j < V; j++) s += a[j]! * b[j]!;
    return s;
  };

  const bs = new Float64Array(n);
  const fs = taus.map(() => new Float64Array(n));
  const censored = new Uint8Array(n);
  const censorKind = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    const y = years[p]!;
    const sameEarlier = (q: number): boolean => o.sameYear === "byDate" && years[q] === y && c.date![q]! < c.date![p]!;
    const sameLater = (q: number): boolean => o.sameYear === "byDate" && years[q] === y && c.date![q]! > c.date![p]!;
    const back: number[] = [];
    for (let q = 0; q < n; q++) if (q !== p && ((years[q]! >= y - o.backward && years[q]! <= y - 1) || sameEarlier(q))) back.push(q);
    bs[p] = back.reduce((s, q) => s + cos(p, q), 0);
    // Observed forward years of the largest window: y+1 … min(y+H, last).
    const observed = Math.max(0, Math.min(H, last - y));
    censorKind[p] = observed === 0 ? 2 : observed < H ? 1 : 0;
    censored[p] = censorKind[p]! > 0 ? 1 : 0;
    // Members of the largest forward window with their cosines; window τ keeps those filed by y + τ.
    const fwd: { q: number; cos: number }[] = [];
    if (observed > 0) for (let q = 0; q < n; q++) if (q !== p && ((years[q]! >= y + 1 && years[q]! <= y + H) || sameLater(q))) fwd.push({ q, cos: cos(p, q) });
    taus.forEach((tau, k) => {
      const seen = Math.max(0, Math.min(tau, last - y));
      if (seen === 0 || (seen < tau && o.censoring === "missing")) {
        fs[k]![p] = Number.NaN;
        return;
      }
      fs[k]![p] = fwd.filter((m) => years[m.q]! <= y + tau).reduce((s, m) => s + m.cos, 0);
    });
  }
  const imp = fs.map((f) => Float64Array.from(f, (x, p) => (bs[p] === 0 ? Number.NaN : x / bs[p]!)));
  const { breakthrough, logImpResid } = paperOracleBreakthroughs(years, imp[imp.length - 1]!, o);
  return { bs, fs, imp, breakthrough, censored, censorKind, logImpResid };
}

/**
 * Breakthrough flags (1/0, −1 missing) and, for the `kpst` rule, the residualised log importance, from
 * the filing years and imp^H by the ranked rule (file comment); the options give the rule, the quantile
 * and the tie ceiling.
 */
export function paperOracleBreakthroughs(
  years: ArrayLike<number>,
  top: Float64Array,
  options: Partial<ScoreOptions> = {},
): { breakthrough: Int8Array; logImpResid?: Float64Array } {
  const r = resolveScoreOptions(options);
  const n = top.length;
  const ys = Array.from(years);
  const first = Math.min(...ys);
  const last = Math.max(...ys);
  const breakthrough = new Int8Array(n).fill(-1);
  let logImpResid: Float64Array | undefined;
  if (r.breakthrough === "year") {
    for (let t = first; t <= last; t++) {
      const items: { p: number; v: number }[] = [];
      for (let p = 0; p < n; p++) if (ys[p] === t && !Number.isNaN(top[p]!)) items.push({ p, v: top[p]! });
      if (items.length > 0) rankedFlags(items, r.quantile, r.tieCeiling, 0, true, breakthrough);
    }
  } else {
    logImpResid = new Float64Array(n).fill(Number.NaN);
    for (let t = first; t <= last; t++) {
      const ps = [...Array(n).keys()].filter((p) => ys[p] === t && top[p]! > 0);
      if (ps.length === 0) continue;
      const mean = ps.reduce((s, p) => s + Math.log(top[p]!), 0) / ps.length;
      for (const p of ps) logImpResid[p] = Math.log(top[p]!) - mean;
    }
    const items: { p: number; v: number }[] = [];
    for (let p = 0; p < n; p++) if (!Number.isNaN(logImpResid[p]!)) items.push({ p, v: logImpResid[p]! });
    if (items.length > 0) rankedFlags(items, r.quantile, r.tieCeiling, 1, false, breakthrough);
  }
  return { breakthrough, logImpResid };
}
