/**
 * OLS with any number of absorbed fixed effects (the fixest `feols` / reghdfe model).
 * API contract shared by every estimator that needs a TWFE-type regression. Implementation: FWL —
 * demean y and X on all fixed effects (src/estimators/demean.ts), then OLS on the demeaned data.
 */
import type { Mat } from "../core/linalg.js";
import { choleskyPivotless, invSPD, mat, matvec, subMatrix } from "../core/linalg.js";
import { crossLong, gramLong } from "./hdfe-linalg.js";
import { estimationError, inputError, printable } from "../core/errors.js";
import { demean, dummyCells, type DummyCells } from "./demean.js";

export type { FixedEffectInput } from "./fixed-effect.js";
import type { FixedEffectInput } from "./fixed-effect.js";

export interface FeolsInput {
  y: Float64Array;
  yName: string;
  /**
   * Regressors. `owned: true` lets feols overwrite `values` with the demeaned column (no copy: saves memory and
   * time for freshly built columns such as event-time dummies); the caller must not reuse the array afterwards.
   * `ones`: for a 0/1 dummy, the rows (ascending) where it is 1 — `values` must agree; spares a pass over the
   * column and, on a balanced panel, the demeaning's accumulation pass. `n`: the number of rows, given with
   * `ones` when `values` is an accessor that materialises the dense column on first read (eventDummies):
   * on the dummy-cell fast path (see `feols`) the dense column is then never built.
   */
  x: { name: string; values: Float64Array; owned?: boolean; ones?: Int32Array; n?: number }[];
  fixedEffects: FixedEffectInput[];
  /** observation weights (fixest `weights`) */
  weights?: Float64Array;
  /** add an intercept column; only meaningful without fixed effects (default: true when there are none) */
  intercept?: boolean;
  /** demeaning convergence tolerance (default 1e-10 relative, tighter than fixest's 1e-6 so refs match to 1e-9) */
  tol?: number;
  /** demeaning iteration cap (default 10000) */
  maxIter?: number;
  /** drop observations that are singletons in some fixed effect, iteratively (default false, as fixest) */
  removeSingletons?: boolean;
  /** collinearity tolerance for dropping regressors (default 1e-9, fixest's collin.tol) */
  collinTol?: number;
}

export interface FeolsFit {
  yName: string;
  /** names of the estimated (non-dropped) coefficients, in input order */
  coefNames: string[];
  coef: Float64Array;
  /** regressors dropped as collinear (with the fixed effects or each other) */
  droppedCollinear: string[];
  /** indices (into the input rows) of the observations used, or null if all were used */
  keep: Int32Array | null;
  singletonsRemoved: number;
  nobs: number;
  /**
   * demeaned regressors (kept coefficients only) and outcome, on the used observations. On the dummy-cell fast
   * path the dense columns are built on first access from `xCells`.
   */
  xTilde: Float64Array[];
  /**
   * The dummy-cell fast path's implicit X̃ (see `feols`): coefficient a with col[a] ≥ 0 has
   * x̃_a,i = tab[cellOf[i]·m + col[a]]; the others are dense[a]. Absent on the ordinary path.
   */
  xCells?: { cellOf: Int32Array; nCells: number; m: number; tab: Float64Array; col: Int32Array; dense: (Float64Array | null)[] };
  yTilde: Float64Array;
  residuals: Float64Array;
  weights: Float64Array | null;
  /** (X̃'WX̃)^{-1} */
  bread: Mat;
  /** fixed effects as used (codes restricted to kept observations and re-indexed) */
  fixedEffects: FixedEffectInput[];
  /** number of parameters: k + Σ_q (L_q − 1) + 1 for FE models (fixest nparams; slopes add L_q each) */
  nparams: number;
  /** Σ w ê² */
  ssr: number;
  r2: number;
  adjR2: number;
  withinR2: number | null;
  converged: boolean;
  iterations: number;
  /** what the user must hear about the fit (an essentially perfect fit) */
  warnings?: string[];
}

export type { Mat };

/** Re-index codes to 0..L−1 over the levels that occur (in order of first code value). */
export function compactCodes(codes: Int32Array, nLevels: number): { codes: Int32Array; nLevels: number } {
  const map = new Int32Array(nLevels).fill(-1);
  for (let i = 0; i < codes.length; i++) map[codes[i]!] = 0;
  let L = 0;
  for (let g = 0; g < nLevels; g++) if (map[g] === 0) map[g] = L++;
  if (L === nLevels) return { codes, nLevels };
  const out = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = map[codes[i]!]!;
  return { codes: out, nLevels: L };
}

/**
 * Iteratively drop observations that are alone in a level of some fixed effect (reghdfe's and fixest's
 * `fixef.rm = "singleton"`), until none is left. Returns the kept row indices (null if none dropped).
 */
export function singletonKeep(fes: FixedEffectInput[], n: number): Int32Array | null {
  let alive: Uint8Array | null = null; // built at the first level with a single row
  let dropped = 0;
  for (;;) {
    let changed = false;
    for (const fe of fes) {
      const cnt = new Int32Array(fe.nLevels);
      const codes = fe.codes;
      if (dropped === 0) for (let i = 0; i < n; i++) cnt[codes[i]!]!++;
      else for (let i = 0; i < n; i++) if (alive![i]) cnt[codes[i]!]!++;
      // no level with a single row: nothing to drop for this FE (the usual case), no pass over the rows
      let single = false;
      for (let g = 0; g < cnt.length && !single; g++) single = cnt[g] === 1;
      if (!single) continue;
      alive ??= new Uint8Array(n).fill(1);
      for (let i = 0; i < n; i++)
        if (alive[i] && cnt[codes[i]!] === 1) {
          alive[i] = 0;
          dropped++;
          changed = true;
        }
    }
    if (!changed) break;
  }
  if (dropped === 0 || !alive) return null;
  const keep = new Int32Array(n - dropped);
  let j = 0;
  for (let i = 0; i < n; i++) if (alive[i]) keep[j++] = i;
  return keep;
}

/** x restricted to the rows `keep` (x itself when every row is kept). */
export function take(x: Float64Array, keep: Int32Array | null): Float64Array {
  if (!keep) return x;
  const out = new Float64Array(keep.length);
  for (let i = 0; i < keep.length; i++) out[i] = x[keep[i]!]!;
  return out;
}

/** Integer codes restricted to the rows `keep` (as `take`). */
export function takeInt(x: Int32Array, keep: Int32Array | null): Int32Array {
  if (!keep) return x;
  const out = new Int32Array(keep.length);
  for (let i = 0; i < keep.length; i++) out[i] = x[keep[i]!]!;
  return out;
}

/**
 * One pass over a regressor: throws on a non-finite value (naming the input row); weighted sum of squares,
 * centred at the weighted mean when `centred` (shifted by the first value for accuracy); the rows equal to 1
 * when the column is a 0/1 dummy with at most n/4 ones.
 */
function describeColumn(
  name: string,
  x: Float64Array,
  w: Float64Array | null,
  sw: number,
  centred: boolean,
  keep: Int32Array | null,
): { ss: number; ones: Int32Array | null } {
  const n = x.length;
  const x0 = centred && n ? x[0]! : 0;
  let s1 = 0,
    s2 = 0,
    nnz = 0,
    binary = true;
  let bad = -1;
  if (w) {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      if (!Number.isFinite(v)) {
        bad = i;
        break;
      }
      const d = v - x0;
      const wi = w[i]!;
      s1 += wi * d;
      s2 += wi * d * d;
      if (v !== 0) {
        nnz++;
        if (v !== 1) binary = false;
      }
    }
  } else {
    // unweighted: the same sums as with w = 1 (1·d and 1·d·d are exact), without the per-row weight branch
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      if (!Number.isFinite(v)) {
        bad = i;
        break;
      }
      const d = v - x0;
      s1 += d;
      s2 += d * d;
      if (v !== 0) {
        nnz++;
        if (v !== 1) binary = false;
      }
    }
  }
  if (bad >= 0) {
    const row = (keep ? keep[bad]! : bad) + 1;
    throw inputError(`variable "${name}" is missing or not finite at row ${row}: drop or impute such rows before estimation`, { row, column: name });
  }
  const ss = centred ? Math.max(0, s2 - (s1 * s1) / sw) : s2;
  let ones: Int32Array | null = null;
  if (binary && nnz <= n / 4) {
    ones = new Int32Array(nnz);
    for (let i = 0, p = 0; i < n; i++) if (x[i] === 1) ones[p++] = i;
  }
  return { ss, ones };
}

/** describeColumn for a 0/1 dummy given by its rows of ones (no pass over the column). */
function describeDummy(ones: Int32Array, w: Float64Array | null, sw: number, centred: boolean, n: number): { ss: number; ones: Int32Array | null } {
  let s1 = 0;
  if (w) for (let p = 0; p < ones.length; p++) s1 += w[ones[p]!]!;
  else s1 = ones.length;
  const ss = centred ? Math.max(0, s1 - (s1 * s1) / sw) : s1;
  return { ss, ones: ones.length <= n / 4 ? ones : null };
}

/** e = ỹ − X̃β, four columns per pass over the rows (same order of operations as one column at a time). */
function residualsOf(y: Float64Array, xs: Float64Array[], coef: Float64Array): Float64Array {
  const n = y.length;
  const e = y.slice();
  let j = 0;
  for (; j + 4 <= xs.length; j += 4) {
    const x0 = xs[j]!,
      x1 = xs[j + 1]!,
      x2 = xs[j + 2]!,
      x3 = xs[j + 3]!;
    const b0 = coef[j]!,
      b1 = coef[j + 1]!,
      b2 = coef[j + 2]!,
      b3 = coef[j + 3]!;
    for (let i = 0; i < n; i++) e[i] = e[i]! - b0 * x0[i]! - b1 * x1[i]! - b2 * x2[i]! - b3 * x3[i]!;
  }
  for (; j < xs.length; j++) {
    const b = coef[j]!,
      xj = xs[j]!;
    for (let i = 0; i < n; i++) e[i]! -= b * xj[i]!;
  }
  return e;
}

function checkFinite(name: string, v: Float64Array): void {
  for (let i = 0; i < v.length; i++)
    if (!Number.isFinite(v[i]!))
      throw inputError(`variable "${name}" is missing or not finite at row ${i + 1}: drop or impute such rows before estimation`, { row: i + 1, column: name });
}

/**
 * HDFE OLS by Frisch–Waugh–Lovell: demean y and every regressor on all fixed effects (demean.ts), then
 * β = (X̃'WX̃)⁻¹X̃'Wỹ. Regressors are checked for collinearity in input order: a column whose demeaned
 * weighted sum of squares is ≤ collinTol × its weighted centred sum of squares (absorbed by the FEs, e.g. a
 * time-invariant control under unit FE) is dropped, then pivotless Cholesky on X̃'WX̃ drops columns whose
 * remaining pivot is ≤ collinTol × diagonal (dependence among regressors).
 * Fit statistics as fixest: r2 = 1 − SSR/TSS (TSS about the weighted mean of y), adj_r2 =
 * 1 − (SSR/(n−nparams))/(TSS/(n−1)), within_r2 = 1 − SSR/Σwỹ²; nparams = k + Σ_q(L_q − 1) + 1, plus L_q per
 * varying-slope variable (slopes-only FEs contribute only their slopes and no intercept).
 * Dummy-cell fast path (issue #17): with exactly two plain FEs, no weights, no dropped rows and 0/1 regressors
 * given by their rows of `ones` (event-time dummies), the dummies are demeaned on the small class × period
 * table of demean.ts `dummyCells` (exact: units with identical (period, dummy) signatures share their
 * demeaned values) and never built as dense columns (`feolsCells`); otherwise the dense path below.
 */
/**
 * Refuse an outcome nothing can be estimated on (fixest: "The dependent variable is a constant"): constant
 * when the model has fixed effects or an intercept; or a regressor that is the outcome itself.
 */
function checkOutcome(
  yName: string,
  y: Float64Array,
  xs: { name: string; values?: Float64Array; ones?: Int32Array }[],
  w: Float64Array | null,
  absorbed: boolean,
): void {
  const n = y.length;
  if (n === 0) return;
  if (absorbed) {
    let constant = true;
    for (let i = 1; i < n && constant; i++) if (y[i] !== y[0] && !(w && w[i] === 0)) constant = false;
    if (constant)
      throw estimationError(
        `the dependent variable '${printable(yName)}' is constant (all ${n} observations are ${y[0]}); nothing can be estimated — check that the outcome column is the one you mean`,
      );
  }
  for (const x of xs) {
    if (x.name === yName)
      throw estimationError(`the regressor '${printable(x.name)}' is also the dependent variable '${printable(yName)}'; remove it from the right-hand side`);
    let same = true;
    if (x.values) {
      for (let i = 0; i < n && same; i++) if (x.values[i] !== y[i]) same = false;
    } else {
      // a dummy given by its rows of ones (ascending)
      for (let i = 0, p = 0; i < n && same; i++) {
        const one = p < x.ones!.length && x.ones![p] === i;
        if (one) p++;
        if (y[i] !== (one ? 1 : 0)) same = false;
      }
    }
    if (same)
      throw estimationError(
        `the regressor '${printable(x.name)}' is identical to the dependent variable '${printable(yName)}' on every observation; remove it from the right-hand side`,
      );
  }
}

/** fixest refuses a constant outcome; an outcome the fixed effects explain exactly is the same dead end. */
function checkAbsorbedOutcome(yName: string, y: Float64Array, yTilde: Float64Array, w: Float64Array | null, sw: number, fes: FixedEffectInput[]): void {
  const n = y.length;
  // fixest refuses a constant outcome; an outcome the fixed effects explain exactly is the same dead end
  let ssT = 0,
    ssC = 0,
    mean = 0;
  for (let i = 0; i < n; i++) mean += (w ? w[i]! : 1) * y[i]!;
  mean /= sw;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i]! : 1;
    ssT += wi * yTilde[i]! ** 2;
    ssC += wi * (y[i]! - mean) ** 2;
  }
  if (ssT <= 1e-14 * ssC)
    throw estimationError(
      `the dependent variable '${printable(yName)}' is constant within the fixed effects (${fes.map((f) => printable(f.name)).join(", ")}): they explain it exactly, so no coefficient can be estimated; use an outcome that varies within the fixed-effect groups, or fewer fixed effects`,
    );
}

/**
 * Which regressors to keep, and the bread (X̃'WX̃)⁻¹ of the kept ones, from the Gram matrix of the demeaned
 * regressors: column j is absorbed by the FEs when its demeaned SS ≤ tol × its raw SS (`rawSS[j]`, or raw
 * SS 0), then collinear columns among the rest are dropped by a pivotless Cholesky (fixest's order).
 */
function collinearityAndBread(Gall: Mat, rawSS: ArrayLike<number>, collinTol: number): { keptIdx: number[]; droppedIdx: Set<number>; bread: Mat } {
  const K0 = Gall.rows;
  const cand: number[] = [];
  const droppedIdx = new Set<number>();
  for (let j = 0; j < K0; j++) {
    const ss = rawSS[j]!;
    const sst = Gall.data[j * K0 + j]!;
    if (!(ss > 0) || sst <= collinTol * ss) droppedIdx.add(j);
    else cand.push(j);
  }
  const G0 = subMatrix(Gall, cand, cand);
  const ch = choleskyPivotless(G0, collinTol);
  for (const d of ch.dropped) droppedIdx.add(cand[d]!);
  const keptIdx: number[] = [];
  for (let j = 0; j < K0; j++) if (!droppedIdx.has(j)) keptIdx.push(j);
  const G = subMatrix(G0, ch.kept, ch.kept);
  try {
    return { keptIdx, droppedIdx, bread: invSPD(G) };
  } catch {
    throw estimationError("X'X of the demeaned regressors is singular after removing collinear columns");
  }
}

/**
 * feols on the dummy-cell fast path (two plain FEs, no weights, no dropped rows, the 0/1 regressors given by
 * their rows of ones and demeaned exactly through `dummyCells`: x̃_a,i = T_a[cell(i)]). Only y and the dense
 * regressors are demeaned row by row; every cross-product with a dummy comes from per-cell sums:
 * x̃_a'x̃_b = Σ_c N_c T_a[c] T_b[c] (N_c = rows in cell c), x̃_a'z̃ = Σ_c T_a[c] Z̃_c with Z̃_c = Σ_{i∈c} z̃_i;
 * residuals ê = ỹ − Z̃β_z − R[cell(i)], R = Σ_a β_a T_a. The dummies' dense columns are never built unless
 * `xTilde` is read. Same estimates as the dense path up to floating-point summation order.
 */
function feolsCells(
  input: FeolsInput,
  cells: DummyCells,
  dumIdx: number[],
  y: Float64Array,
  fes: FixedEffectInput[],
  collinTol: number,
  singletonsRemoved: number,
): FeolsFit {
  const n = y.length,
    sw = n;
  const X = input.x,
    K0 = X.length;
  const { cellOf, nCells, m, tab, count } = cells;
  const dumCol = new Int32Array(K0).fill(-1);
  dumIdx.forEach((j, q) => (dumCol[j] = q));
  checkOutcome(
    input.yName,
    y,
    X.map((v, j) => (dumCol[j]! >= 0 ? { name: v.name, ones: v.ones! } : { name: v.name, values: v.values })),
    null,
    true,
  );
  const denseIdx = X.map((_, j) => j).filter((j) => dumCol[j]! < 0);
  const desc = X.map((v, j) => (dumCol[j]! >= 0 ? describeDummy(v.ones!, null, sw, true, n) : describeColumn(v.name, v.values, null, sw, true, null)));
  const dm = demean(fes, [y, ...denseIdx.map((j) => X[j]!.values)], {
    weights: null,
    tol: input.tol ?? 1e-10,
    maxIter: input.maxIter ?? 10000,
    inPlace: [false, ...denseIdx.map((j) => !!X[j]!.owned)],
    ones: [null, ...denseIdx.map((j) => desc[j]!.ones)],
  });
  const yTilde = dm.columns[0]!;
  const dense = dm.columns.slice(1);
  checkAbsorbedOutcome(input.yName, y, yTilde, null, sw, fes);
  // per-cell sums of the demeaned dense columns and of ỹ: Z[cell·md + q], q = 0..D−1 regressors, D = ỹ
  const D = denseIdx.length,
    md = D + 1;
  const Z = new Float64Array(nCells * md);
  for (let q = 0; q < md; q++) {
    const z = q < D ? dense[q]! : yTilde;
    for (let i = 0; i < n; i++) Z[cellOf[i]! * md + q]! += z[i]!;
  }
  const Gd = gramLong(
    dense,
    null,
    denseIdx.map((j) => desc[j]!.ones),
  );
  const cd = crossLong(
    dense,
    yTilde,
    null,
    denseIdx.map((j) => desc[j]!.ones),
  );
  const denseRank = new Int32Array(K0).fill(-1);
  denseIdx.forEach((j, q) => (denseRank[j] = q));
  const Gall = mat(K0, K0);
  const cross = new Float64Array(K0);
  for (let a = 0; a < K0; a++) {
    const ta = dumCol[a]!;
    if (ta < 0) cross[a] = cd[denseRank[a]!]!;
    else {
      let v = 0;
      for (let c = 0; c < nCells; c++) v += tab[c * m + ta]! * Z[c * md + D]!;
      cross[a] = v;
    }
    for (let b = a; b < K0; b++) {
      const tb = dumCol[b]!;
      let v = 0;
      if (ta < 0 && tb < 0) v = Gd.data[denseRank[a]! * D + denseRank[b]!]!;
      else if (ta >= 0 && tb >= 0) for (let c = 0; c < nCells; c++) v += count[c]! * tab[c * m + ta]! * tab[c * m + tb]!;
      else {
        const t = ta >= 0 ? ta : tb,
          q = denseRank[ta >= 0 ? b : a]!;
        for (let c = 0; c < nCells; c++) v += tab[c * m + t]! * Z[c * md + q]!;
      }
      Gall.data[a * K0 + b] = v;
      Gall.data[b * K0 + a] = v;
    }
  }
  // collinearity exactly as on the dense path
  const { keptIdx, droppedIdx, bread } = collinearityAndBread(
    Gall,
    desc.map((d) => d.ss),
    collinTol,
  );
  const k = keptIdx.length;
  const coef = k
    ? matvec(
        bread,
        Float64Array.from(keptIdx, (j) => cross[j]!),
      )
    : new Float64Array(0);
  // ê = ỹ − Σ_dense β z̃ − R[cell]
  const keptDense = keptIdx.map((j, a) => [j, a] as const).filter(([j]) => dumCol[j]! < 0);
  const residuals = residualsOf(
    yTilde,
    keptDense.map(([j]) => dense[denseRank[j]!]!),
    Float64Array.from(keptDense, ([, a]) => coef[a]!),
  );
  const R = new Float64Array(nCells);
  keptIdx.forEach((j, a) => {
    const t = dumCol[j]!;
    if (t < 0) return;
    const b = coef[a]!;
    for (let c = 0; c < nCells; c++) R[c]! += b * tab[c * m + t]!;
  });
  for (let i = 0; i < n; i++) residuals[i]! -= R[cellOf[i]!]!;
  const { ssr, r2, adjR2, withinR2, nparams, warnings } = fitStats(input.yName, y, yTilde, residuals, null, sw, fes, false, k);
  const col = Int32Array.from(keptIdx, (j) => dumCol[j]!);
  const denseKept = keptIdx.map((j) => (dumCol[j]! < 0 ? dense[denseRank[j]!]! : null));
  const fit: Omit<FeolsFit, "xTilde"> = {
    yName: input.yName,
    coefNames: keptIdx.map((j) => X[j]!.name),
    coef,
    droppedCollinear: [...droppedIdx].sort((a, b) => a - b).map((j) => X[j]!.name),
    keep: null,
    singletonsRemoved,
    nobs: n,
    xCells: { cellOf, nCells, m, tab, col, dense: denseKept },
    yTilde,
    residuals,
    weights: null,
    bread,
    fixedEffects: fes,
    nparams,
    ssr,
    r2,
    adjR2,
    withinR2,
    converged: dm.converged && cells.converged,
    iterations: Math.max(dm.iterations, cells.iterations),
    ...(warnings.length ? { warnings } : {}),
  };
  // X̃ materialised on first read (vcov's cluster meat and the Wald test do not need it)
  let xt: Float64Array[] | null = null;
  Object.defineProperty(fit, "xTilde", {
    enumerable: true,
    configurable: true,
    get: (): Float64Array[] =>
      (xt ??= keptIdx.map((_, a) => {
        const dv = denseKept[a];
        if (dv) return dv;
        const t = col[a]!,
          v = new Float64Array(n);
        for (let i = 0; i < n; i++) v[i] = tab[cellOf[i]! * m + t]!;
        return v;
      })),
    set: (v: Float64Array[]) => {
      xt = v;
    },
  });
  return fit as FeolsFit;
}

export function feols(input: FeolsInput): FeolsFit {
  const n0 = input.y.length;
  for (const xv of input.x) {
    const len = xv.ones && xv.n !== undefined ? xv.n : xv.values.length;
    if (len !== n0) throw inputError(`regressor "${xv.name}" has ${len} values, expected ${n0}`);
  }
  for (const fe of input.fixedEffects) {
    if (fe.codes.length !== n0) throw inputError(`fixed effect "${fe.name}" has ${fe.codes.length} codes, expected ${n0}`);
    for (const s of fe.slopes ?? []) {
      if (s.values.length !== n0) throw inputError(`slope variable "${s.name}" has ${s.values.length} values, expected ${n0}`);
      checkFinite(s.name, s.values);
    }
  }
  checkFinite(input.yName, input.y);
  if (input.weights) {
    if (input.weights.length !== n0) throw inputError(`weights have ${input.weights.length} values, expected ${n0}`);
    checkFinite("weights", input.weights);
    for (let i = 0; i < n0; i++) if (input.weights[i]! < 0) throw inputError(`negative weight at row ${i + 1}`, { row: i + 1, column: "weights" });
  }
  const collinTol = input.collinTol ?? 1e-9;
  const keep = input.removeSingletons && input.fixedEffects.length ? singletonKeep(input.fixedEffects, n0) : null;
  const singletonsRemoved = keep ? n0 - keep.length : 0;
  const n = keep ? keep.length : n0;
  const w = input.weights ? take(input.weights, keep) : null;
  const fes: FixedEffectInput[] = input.fixedEffects.map((fe) => {
    const c = compactCodes(takeInt(fe.codes, keep), fe.nLevels);
    const out: FixedEffectInput = { name: fe.name, codes: c.codes, nLevels: c.nLevels };
    if (fe.slopes?.length) out.slopes = fe.slopes.map((s) => ({ name: s.name, values: take(s.values, keep) }));
    if (fe.slopesOnly) out.slopesOnly = true;
    return out;
  });
  if (n0 > 0 && n === 0)
    throw estimationError(
      `every observation is a singleton of a fixed effect; nothing is left to estimate (each of the ${n0} observations is alone in its group of ${input.fixedEffects.map((f) => `'${printable(f.name)}'`).join(" or ")}); use coarser fixed effects, or --keep-singletons to keep them`,
    );
  const y = take(input.y, keep);
  const intercept = fes.length === 0 && (input.intercept ?? true);
  // dummy-cell fast path: two plain FEs, no weights, no rows dropped, 0/1 regressors given by their ones
  if (!keep && !w && fes.length === 2 && fes.every((f) => !f.slopes?.length) && input.x.some((v) => v.ones)) {
    const dumIdx = input.x.flatMap((v, j) => (v.ones ? [j] : []));
    const cells = dummyCells(
      fes,
      dumIdx.map((j) => input.x[j]!.ones!),
      { tol: input.tol ?? 1e-10, maxIter: input.maxIter ?? 10000 },
    );
    if (cells) return feolsCells(input, cells, dumIdx, y, fes, collinTol, singletonsRemoved);
  }
  const xs = input.x.map((v) => ({ name: v.name, values: take(v.values, keep) }));
  checkOutcome(input.yName, y, xs, w, fes.length > 0 || intercept);
  if (intercept) xs.unshift({ name: "(Intercept)", values: new Float64Array(n).fill(1) });
  let sw = 0;
  if (w) for (let i = 0; i < n; i++) sw += w[i]!;
  else sw = n;
  // one pass per regressor before any in-place demeaning: finiteness, weighted (centred with FEs) sum of
  // squares, and the rows of 0/1 dummies (for the sparse cross-products)
  const desc = xs.map((v, j) => {
    const ones = keep ? undefined : input.x[j - (intercept ? 1 : 0)]?.ones;
    return ones ? describeDummy(ones, w, sw, fes.length > 0, n) : describeColumn(v.name, v.values, w, sw, fes.length > 0, keep);
  });
  const rawSS = desc.map((d) => d.ss);
  const owned = [false, ...xs.map((v, j) => (intercept && j === 0) || (!!keep && fes.length > 0) || !!input.x[j - (intercept ? 1 : 0)]?.owned)];
  const dm = demean(fes, [y, ...xs.map((v) => v.values)], {
    weights: w,
    tol: input.tol ?? 1e-10,
    maxIter: input.maxIter ?? 10000,
    inPlace: owned,
    ones: [null, ...desc.map((d) => d.ones)],
  });
  const yTilde = dm.columns[0]!;
  const xAll = dm.columns.slice(1);
  if (fes.length > 0) checkAbsorbedOutcome(input.yName, y, yTilde, w, sw, fes);

  // collinearity: absorbed by the FEs (demeaned SS ≤ tol × raw SS), then among regressors (pivotless Cholesky)
  const ones = desc.map((d) => d.ones);
  const Gall = gramLong(xAll, w, ones);
  const { keptIdx, droppedIdx, bread } = collinearityAndBread(Gall, rawSS, collinTol);
  const xTilde = keptIdx.map((j) => xAll[j]!);
  const k = xTilde.length;
  const coef = k
    ? matvec(
        bread,
        crossLong(
          xTilde,
          yTilde,
          w,
          keptIdx.map((j) => ones[j]!),
        ),
      )
    : new Float64Array(0);
  const residuals = residualsOf(yTilde, xTilde, coef);
  const { ssr, r2, adjR2, withinR2, nparams, warnings } = fitStats(input.yName, y, yTilde, residuals, w, sw, fes, intercept, k);
  return {
    yName: input.yName,
    coefNames: keptIdx.map((j) => xs[j]!.name),
    coef,
    droppedCollinear: [...droppedIdx].sort((a, b) => a - b).map((j) => xs[j]!.name),
    keep,
    singletonsRemoved,
    nobs: n,
    xTilde,
    yTilde,
    residuals,
    weights: w,
    bread,
    fixedEffects: fes,
    nparams,
    ssr,
    r2,
    adjR2,
    withinR2,
    converged: dm.converged,
    iterations: dm.iterations,
    ...(warnings.length ? { warnings } : {}),
  };
}

/** Fit statistics shared by both paths of feols (see the feols comment): SSR, R², adjusted and within R², nparams, warnings. */
function fitStats(
  yName: string,
  y: Float64Array,
  yTilde: Float64Array,
  residuals: Float64Array,
  w: Float64Array | null,
  sw: number,
  fes: FixedEffectInput[],
  intercept: boolean,
  k: number,
): { ssr: number; r2: number; adjR2: number; withinR2: number | null; nparams: number; warnings: string[] } {
  const n = y.length;
  let ssr = 0,
    ssy = 0,
    ym = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i]! : 1;
    ssr += wi * residuals[i]! ** 2;
    ssy += wi * yTilde[i]! ** 2;
    ym += wi * y[i]!;
  }
  ym /= sw;
  let tss = 0;
  const hasConst = intercept || fes.some((f) => !f.slopesOnly);
  for (let i = 0; i < n; i++) tss += (w ? w[i]! : 1) * (hasConst ? y[i]! - ym : y[i]!) ** 2;
  let nparams = k;
  let anyIntercept = false;
  for (const f of fes) {
    if (!f.slopesOnly) {
      nparams += f.nLevels - 1;
      anyIntercept = true;
    }
    nparams += (f.slopes?.length ?? 0) * f.nLevels;
  }
  if (anyIntercept) nparams += 1;
  const r2 = 1 - ssr / tss;
  const adjR2 = 1 - ssr / (n - nparams) / (tss / (n - 1));
  const withinR2 = fes.length ? 1 - ssr / ssy : null;
  // an essentially perfect fit (R's lm warns "essentially perfect fit: summary may be unreliable"; fixest
  // reports it silently): the estimates stand, their standard errors and tests mean nothing
  const warnings: string[] = [];
  const base = fes.length ? ssy : tss;
  if (k > 0 && base > 0 && ssr <= PERFECT_FIT_TOL * base) {
    const yp = printable(yName);
    warnings.push(
      `essentially perfect fit: the regressors${fes.length ? " and fixed effects" : ""} explain '${yp}' exactly (1 − ${fes.length ? "within R²" : "R²"} = ${(ssr / base).toExponential(1)}); ` +
        `the standard errors, t statistics and p-values are not meaningful — check whether '${yp}' is computed from the regressors (an accounting identity), or drop the regressor that reproduces it`,
    );
  }
  return { ssr, r2, adjR2, withinR2, nparams, warnings };
}

/** SSR ≤ this × the (within) variation of the outcome is an essentially perfect fit (relative RMS residual 1e-5). */
export const PERFECT_FIT_TOL = 1e-10;
