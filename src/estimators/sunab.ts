/**
 * Sun & Abraham (2021) interaction-weighted event study, as fixest `sunab(cohort, period)` (METHODS.md §4.2).
 * Model: y = Σ_{c treated} Σ_{l ≠ ref} δ_{c,l}·1[G_i = c]·1[t − c = l] + X'θ + α_i + γ_t + ε.
 * - Reference (never-treated) cohorts: cohort 0, missing/non-finite, or later than the last period (e.g.
 *   10000): no interaction terms. Always-treated cohorts (c ≤ first period: no pre-period) are dropped with
 *   their rows (count reported). Every other cohort is "treated".
 * - Aggregation to relative period l: β(l) = Σ_c s_{c,l} δ_{c,l}, s_{c,l} = n_{c,l} / Σ_{c'} n_{c',l} with n
 *   the number of observations (sum of weights) in the cell; se = sqrt(s'V s) with V the VCOV of the cells
 *   (delta method). `att`: the same over all post cells (l ≥ 0) pooled.
 */
import { feols, type FeolsFit, type FixedEffectInput } from "./feols.js";
import { inputError } from "../core/errors.js";
import type { Mat } from "../core/linalg.js";

export interface SunabInput {
  y: Float64Array;
  yName: string;
  /** unit codes (the unit fixed effect) */
  unit: FixedEffectInput;
  /** period of each row (numeric) */
  time: Float64Array;
  /** first treated period of the row's unit (0 / NaN / beyond the last period = never treated) */
  cohort: Float64Array;
  x?: { name: string; values: Float64Array }[];
  weights?: Float64Array;
  /** reference relative period (default −1) */
  refPeriod?: number;
  tol?: number;
}

export interface SunabCell {
  cohort: number;
  rel: number;
  /** index of the cell's coefficient in fit.coefNames */
  coef: number;
  /** observations (sum of weights) in the cell */
  n: number;
}

export interface SunabFit {
  fit: FeolsFit;
  cells: SunabCell[];
  /** relative periods with at least one estimated cell, ascending */
  rels: number[];
  /** rows of the input used (always-treated dropped), or null = all */
  rows: Int32Array | null;
  alwaysTreatedDropped: number;
  /** cell terms dropped as collinear */
  collinearCells: string[];
}

export interface AggregateRow {
  term: string;
  estimate: number;
  std_error: number;
}

/** Fit the cohort × relative-period interaction model (see the file comment). */
export function sunabFit(input: SunabInput): SunabFit {
  const n0 = input.y.length;
  const ref = input.refPeriod ?? -1;
  let tMin = Infinity,
    tMax = -Infinity;
  for (let i = 0; i < n0; i++) {
    const t = input.time[i]!;
    if (!Number.isFinite(t)) throw inputError(`time is missing at row ${i + 1}`, { row: i + 1 });
    if (t < tMin) tMin = t;
    if (t > tMax) tMax = t;
  }
  const isNever = (c: number) => !Number.isFinite(c) || c === 0 || c > tMax;
  const always = (c: number) => !isNever(c) && c <= tMin;
  let nAlways = 0;
  for (let i = 0; i < n0; i++) if (always(input.cohort[i]!)) nAlways++;
  let rows: Int32Array | null = null;
  if (nAlways > 0) {
    rows = new Int32Array(n0 - nAlways);
    for (let i = 0, j = 0; i < n0; i++) if (!always(input.cohort[i]!)) rows[j++] = i;
  }
  const pick = (v: Float64Array) => (rows ? Float64Array.from(rows, (r) => v[r]!) : v);
  const pickI = (v: Int32Array) => (rows ? Int32Array.from(rows, (r) => v[r]!) : v);
  const y = pick(input.y),
    time = pick(input.time),
    cohort = pick(input.cohort);
  const w = input.weights ? pick(input.weights) : undefined;
  const n = y.length;
  // cells
  const key = (c: number, l: number) => `${c}|${l}`;
  const cellMap = new Map<string, { cohort: number; rel: number; rowsIn: number[] }>();
  for (let i = 0; i < n; i++) {
    const c = cohort[i]!;
    if (isNever(c)) continue;
    const l = time[i]! - c;
    if (l === ref) continue;
    const k = key(c, l);
    let cell = cellMap.get(k);
    if (!cell) cellMap.set(k, (cell = { cohort: c, rel: l, rowsIn: [] }));
    cell.rowsIn.push(i);
  }
  const cellList = [...cellMap.values()].sort((a, b) => a.cohort - b.cohort || a.rel - b.rel);
  const x: { name: string; values: Float64Array; owned?: boolean }[] = cellList.map((c) => {
    const v = new Float64Array(n);
    for (const i of c.rowsIn) v[i] = 1;
    return { name: `cohort::${c.cohort}:rel::${c.rel}`, values: v, owned: true };
  });
  const cellN = cellList.map((c) => (w ? c.rowsIn.reduce((s, i) => s + w[i]!, 0) : c.rowsIn.length));
  for (const xv of input.x ?? []) x.push({ name: xv.name, values: pick(xv.values) });
  // time codes
  const periods = [...new Set(time)].sort((a, b) => a - b);
  const pIndex = new Map(periods.map((p, k) => [p, k]));
  const tCodes = Int32Array.from(time, (t) => pIndex.get(t)!);
  const fit = feols({
    y,
    yName: input.yName,
    x,
    fixedEffects: [
      { name: input.unit.name, codes: pickI(input.unit.codes), nLevels: input.unit.nLevels },
      { name: "time", codes: tCodes, nLevels: periods.length },
    ],
    weights: w,
    tol: input.tol,
  });
  const cells: SunabCell[] = [];
  cellList.forEach((c, j) => {
    const idx = fit.coefNames.indexOf(x[j]!.name);
    if (idx >= 0) cells.push({ cohort: c.cohort, rel: c.rel, coef: idx, n: cellN[j]! });
  });
  const collinearCells = fit.droppedCollinear.filter((t) => t.startsWith("cohort::"));
  const rels = [...new Set(cells.map((c) => c.rel))].sort((a, b) => a - b);
  return { fit, cells, rels, rows, alwaysTreatedDropped: nAlways, collinearCells };
}

/** s'β and sqrt(s'Vs) for cell weights s (on coefficient indices). */
function combine(sf: SunabFit, V: Mat, cells: SunabCell[]): { estimate: number; std_error: number } {
  const tot = cells.reduce((s, c) => s + c.n, 0);
  const k = V.cols;
  let est = 0,
    v = 0;
  for (const a of cells) {
    est += (a.n / tot) * sf.fit.coef[a.coef]!;
    for (const b of cells) v += (a.n / tot) * (b.n / tot) * V.data[a.coef * k + b.coef]!;
  }
  return { estimate: est, std_error: Math.sqrt(v) };
}

/** Aggregated effects by relative period (terms `rel::l`) with delta-method SEs from the full VCOV V. */
export function sunabAggregate(sf: SunabFit, V: Mat): AggregateRow[] {
  return sf.rels.map((l) => ({
    term: `rel::${l}`,
    ...combine(
      sf,
      V,
      sf.cells.filter((c) => c.rel === l),
    ),
  }));
}

/** Overall ATT: all post-treatment cells (l ≥ 0) pooled with cell-share weights (fixest `agg = "ATT"`). */
export function sunabAtt(sf: SunabFit, V: Mat): AggregateRow {
  return {
    term: "ATT",
    ...combine(
      sf,
      V,
      sf.cells.filter((c) => c.rel >= 0),
    ),
  };
}
