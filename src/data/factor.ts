/**
 * Factor coding: map a column's values to integer codes 0..L−1 with levels in ascending order (numbers
 * numerically, text lexicographically), as R's factor() does. Missing values get code −1.
 */
import type { Column } from "./table.js";

export interface Factor {
  codes: Int32Array;
  nLevels: number;
  /** level values: numbers (numeric columns) or strings */
  levels: Float64Array | string[];
}

/** Label of level k as R prints it ("2004", "-4", "a"). */
export function levelLabel(f: Factor, k: number): string {
  const v = f.levels[k]!;
  return typeof v === "number" ? String(v) : v;
}

/**
 * Factors of recently coded arrays. The same column is often coded several times in one analysis (panel
 * check, fixed effect, cluster) and across analyses on one read; a hit is used only after checking, in one
 * pass without new memory, that it is still the coding of the array's current values.
 */
const recent = new WeakMap<Float64Array, Factor>();

/** True when f is exactly what factorizeNumbers(x) gives now: every x_i is its level, every level occurs. */
function stillCodes(f: Factor, x: Float64Array): boolean {
  const codes = f.codes,
    lev = f.levels as Float64Array,
    n = x.length;
  if (codes.length !== n) return false;
  const seen = new Uint8Array(f.nLevels);
  for (let i = 0; i < n; i++) {
    const c = codes[i]!,
      v = x[i]!;
    if (c < 0) {
      if (!Number.isNaN(v)) return false;
    } else if (lev[c] !== v) return false;
    else seen[c] = 1;
  }
  for (let k = 0; k < seen.length; k++) if (!seen[k]) return false;
  return true;
}

/** Codes for a numeric array (NaN → −1), reusing the coding of an unchanged array (see `recent`). */
export function factorizeNumbers(x: Float64Array): Factor {
  const hit = recent.get(x);
  if (hit && stillCodes(hit, x)) return hit;
  const f = codeNumbers(x);
  recent.set(x, f);
  return f;
}

/**
 * Codes for a numeric array (NaN → −1). Ascending data is coded in one pass; integer values in a compact
 * range use a direct lookup table; otherwise sort and binary search.
 */
function codeNumbers(x: Float64Array): Factor {
  const n = x.length;
  const codes = new Int32Array(n);
  // sorted data (e.g. a panel sorted by unit), coded while scanning: each run of equal values is the next
  // level; at the first NaN or decrease the other paths take over (they write every code)
  const lv: number[] = [];
  let L = -1,
    prev = Number.NaN,
    i = 0;
  for (; i < n; i++) {
    const v = x[i]!;
    if (v !== prev) {
      if (Number.isNaN(v) || (L >= 0 && v < prev)) break;
      lv.push(v);
      L++;
      prev = v;
    }
    codes[i] = L;
  }
  if (i === n) return { codes, nLevels: lv.length, levels: Float64Array.from(lv) };
  return codeUnsorted(x, codes);
}

/** codeNumbers for data that is not ascending (or has a NaN): every code of `codes` is written. */
function codeUnsorted(x: Float64Array, codes: Int32Array): Factor {
  const n = x.length;
  let lo = Infinity,
    hi = -Infinity,
    allInt = true;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (Number.isNaN(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (allInt && !Number.isInteger(v)) allInt = false;
  }
  if (lo > hi) {
    codes.fill(-1);
    return { codes, nLevels: 0, levels: new Float64Array(0) };
  }
  if (allInt && hi - lo <= 4 * n + 1_000_000) {
    const span = hi - lo + 1;
    const map = new Int32Array(span).fill(-1);
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      if (!Number.isNaN(v)) map[v - lo] = 0;
    }
    let L = 0;
    for (let j = 0; j < span; j++) if (map[j] === 0) map[j] = L++;
    const levels = new Float64Array(L);
    for (let j = 0; j < span; j++) if (map[j]! >= 0) levels[map[j]!] = lo + j;
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      codes[i] = Number.isNaN(v) ? -1 : map[v - lo]!;
    }
    return { codes, nLevels: L, levels };
  }
  const sorted = Float64Array.from(x).sort(); // NaN sorts last
  let L = 0;
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!;
    if (Number.isNaN(v)) break;
    if (L === 0 || sorted[L - 1] !== v) sorted[L++] = v;
  }
  const levels = sorted.slice(0, L);
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (Number.isNaN(v)) {
      codes[i] = -1;
      continue;
    }
    let a = 0,
      b = L - 1;
    while (a < b) {
      const m = (a + b) >> 1;
      if (levels[m]! < v) a = m + 1;
      else b = m;
    }
    codes[i] = a;
  }
  return { codes, nLevels: L, levels };
}

/** Codes for a text array (null → −1), levels sorted by code point. */
export function factorizeStrings(x: (string | null)[]): Factor {
  const seen = new Map<string, number>();
  for (const v of x) if (v !== null && !seen.has(v)) seen.set(v, 0);
  const levels = [...seen.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  levels.forEach((l, k) => seen.set(l, k));
  const codes = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    codes[i] = v === null ? -1 : seen.get(v)!;
  }
  return { codes, nLevels: levels.length, levels };
}

export function factorize(c: Column): Factor {
  return c.kind === "num" ? factorizeNumbers(c.values) : factorizeStrings(c.values);
}

/**
 * The interaction a^b of two factors (fixest `fe1^fe2`): one level per observed pair, ordered by
 * (a, b); labels "a_b".
 */
export function combineFactors(a: Factor, b: Factor): Factor {
  const n = a.codes.length;
  const key = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ca = a.codes[i]!,
      cb = b.codes[i]!;
    key[i] = ca < 0 || cb < 0 ? Number.NaN : ca * b.nLevels + cb;
  }
  const f = factorizeNumbers(key);
  const keys = f.levels as Float64Array;
  const labels = new Array<string>(f.nLevels);
  for (let k = 0; k < f.nLevels; k++) {
    const kv = keys[k]!;
    const ia = Math.floor(kv / b.nLevels),
      ib = kv - ia * b.nLevels;
    labels[k] = `${levelLabel(a, ia)}_${levelLabel(b, ib)}`;
  }
  return { codes: f.codes, nLevels: f.nLevels, levels: labels };
}
