/**
 * BART split rules: for each predictor, a sorted list of cutpoints; an observation goes left at
 * (v, k) iff x_v < c_v[k]. Each value is stored as its bin b = #{k : c_v[k] ≤ x_v}, so "left" is b ≤ k.
 * Predictors with at most `numcut + 1` distinct values get the midpoints of consecutive distinct values
 * (binary and count variables keep all their splits); others get `numcut` cutpoints, uniform between
 * the minimum and maximum (as R BART's default `usequants = FALSE`) or at the quantiles of the values.
 */

export type CutRule = "uniform" | "quantile";

export function makeCutpoints(x: Float64Array, numcut: number, rule: CutRule): Float64Array {
  const s = Float64Array.from(x).sort();
  const uniq: number[] = [];
  for (let i = 0; i < s.length; i++) if (i === 0 || s[i] !== s[i - 1]) uniq.push(s[i]!);
  if (uniq.length <= 1) return new Float64Array(0);
  if (uniq.length - 1 <= numcut) {
    const c = new Float64Array(uniq.length - 1);
    for (let k = 0; k < c.length; k++) c[k] = (uniq[k]! + uniq[k + 1]!) / 2;
    return c;
  }
  const c = new Float64Array(numcut);
  if (rule === "uniform") {
    const lo = uniq[0]!,
      hi = uniq[uniq.length - 1]!;
    for (let k = 0; k < numcut; k++) c[k] = lo + ((hi - lo) * (k + 1)) / (numcut + 1);
    return c;
  }
  // quantile: midpoints between distinct values at evenly spaced ranks
  const out: number[] = [];
  for (let k = 0; k < numcut; k++) {
    const r = Math.floor(((k + 1) * (uniq.length - 1)) / (numcut + 1));
    const v = (uniq[r]! + uniq[r + 1]!) / 2;
    if (out.length === 0 || v > out[out.length - 1]!) out.push(v);
  }
  return Float64Array.from(out);
}

/** Bin of every value: the number of cutpoints ≤ x (binary search). */
export function binColumn(x: Float64Array, cuts: Float64Array): Uint16Array {
  const b = new Uint16Array(x.length);
  const m = cuts.length;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    let lo = 0,
      hi = m; // first index with cuts[idx] > v
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cuts[mid]! <= v) lo = mid + 1;
      else hi = mid;
    }
    b[i] = lo;
  }
  return b;
}
