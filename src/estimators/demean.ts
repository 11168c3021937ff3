/**
 * Within transformation on any number of fixed effects (FWL): x̃ = x − P_FE x, where P_FE is the
 * (W-weighted) orthogonal projection on the span of all fixed-effect dummies (and, for varying slopes
 * `fe[x]`, the per-level slope columns 1_g·x).
 *
 * Algorithms (chosen automatically, `DemeanResult.method` reports which):
 * - one FE (with or without slopes): one exact projection (group means, or a per-group (1+s)×(1+s) solve);
 * - two plain FEs on a balanced panel (every cell once, no weights): closed form x − x̄_a − x̄_b + x̄;
 * - two plain FEs otherwise: exact direct solve. With A the larger and B the smaller FE, the normal
 *   equations reduce to the Schur complement S = D_B − C'D_A⁻¹C (L_B×L_B, C = weighted cell counts), so
 *   γ = S⁺(s_B − C'D_A⁻¹s_A), α = D_A⁻¹(s_A − Cγ). S is factored once and reused for every column; each
 *   column then costs four passes over the data. A MAP check sweep afterwards polishes the result;
 * - otherwise (≥ 3 FEs, slopes with ≥ 2 FEs, or a too-large smaller FE): the method of alternating
 *   projections x ← (I−P_Q)…(I−P_1)x accelerated by Irons–Tuck (as fixest: with X, GX = T(X),
 *   GGX = T(GX): δGX = GGX−GX, δ²X = δGX−GX+X, X ← GGX − (⟨δGX,δ²X⟩/‖δ²X‖²)·δGX).
 * Convergence of the iterative method: max|Δx| ≤ tol·(1 + max|x|) between successive sweeps.
 */
import type { FixedEffectInput } from "./fixed-effect.js";
import { choleskyPivotless, invFromCholesky, invSPD, mat, subMatrix } from "../core/linalg.js";

export interface DemeanOptions {
  weights?: Float64Array | null;
  /** relative convergence tolerance (default 1e-10) */
  tol?: number;
  /** iteration cap for the accelerated MAP (default 10000) */
  maxIter?: number;
  /** "auto" (default) picks the fastest exact path; "map" forces the accelerated MAP (used by tests) */
  algorithm?: "auto" | "map";
  /** per column: true = overwrite that input array with its demeaned version (no copy) */
  inPlace?: boolean[];
  /** per column: for a 0/1 dummy, its rows of ones in ascending order (the balanced path then skips reading it) */
  ones?: (Int32Array | null)[];
}

export type DemeanMethod = "none" | "one-fe" | "balanced" | "two-fe-exact" | "map-irons-tuck";

export interface DemeanResult {
  columns: Float64Array[];
  converged: boolean;
  /** MAP sweeps used (max over columns; 1 for the exact paths) */
  iterations: number;
  method: DemeanMethod;
}

/** Projection on the span of one FE (with optional slopes): data needed for x ← x − P x. */
interface Projector {
  codes: Int32Array;
  nLevels: number;
  w: Float64Array | null;
  /** plain FE: 1 / Σ_{i∈g} w_i (0 for empty levels) */
  invW: Float64Array | null;
  /** slope FE: basis columns (intercept = null entry), and the per-level pseudo-inverse Gram (d×d) */
  basis: (Float64Array | null)[] | null;
  ginv: Float64Array | null;
  d: number;
  /** scratch: per-level accumulators (nLevels × d) */
  acc: Float64Array;
}

function makeProjector(fe: FixedEffectInput, w: Float64Array | null): Projector {
  const { codes, nLevels } = fe;
  const n = codes.length;
  const slopes = fe.slopes ?? [];
  if (slopes.length === 0) {
    const sw = new Float64Array(nLevels);
    if (w) for (let i = 0; i < n; i++) sw[codes[i]!]! += w[i]!;
    else for (let i = 0; i < n; i++) sw[codes[i]!]! += 1;
    for (let g = 0; g < nLevels; g++) sw[g] = sw[g]! > 0 ? 1 / sw[g]! : 0;
    return { codes, nLevels, w, invW: sw, basis: null, ginv: null, d: 1, acc: new Float64Array(nLevels) };
  }
  const basis: (Float64Array | null)[] = [];
  if (!fe.slopesOnly) basis.push(null);
  for (const s of slopes) basis.push(s.values);
  const d = basis.length;
  const gram = new Float64Array(nLevels * d * d);
  for (let i = 0; i < n; i++) {
    const o = codes[i]! * d * d;
    const wi = w ? w[i]! : 1;
    for (let a = 0; a < d; a++) {
      const ba = basis[a] ? basis[a]![i]! : 1;
      for (let b = a; b < d; b++) {
        const bb = basis[b] ? basis[b]![i]! : 1;
        gram[o + a * d + b]! += wi * ba * bb;
      }
    }
  }
  const ginv = new Float64Array(nLevels * d * d);
  const m = mat(d, d);
  for (let g = 0; g < nLevels; g++) {
    const o = g * d * d;
    for (let a = 0; a < d; a++)
      for (let b = a; b < d; b++) {
        m.data[a * d + b] = gram[o + a * d + b]!;
        m.data[b * d + a] = gram[o + a * d + b]!;
      }
    // pseudo-inverse on the linearly independent part of the level's basis (e.g. x constant in a level)
    const { kept } = choleskyPivotless(m, 1e-12);
    if (kept.length === 0) continue;
    const inv = invSPD(subMatrix(m, kept, kept));
    for (let a = 0; a < kept.length; a++) for (let b = 0; b < kept.length; b++) ginv[o + kept[a]! * d + kept[b]!] = inv.data[a * kept.length + b]!;
  }
  return { codes, nLevels, w, invW: null, basis, ginv, d, acc: new Float64Array(nLevels * d) };
}

/** x ← x − P x (in place) for one FE. */
function projectOut(p: Projector, x: Float64Array): void {
  const { codes, w, acc } = p;
  const n = x.length;
  acc.fill(0);
  if (p.invW) {
    const invW = p.invW;
    if (w) for (let i = 0; i < n; i++) acc[codes[i]!]! += w[i]! * x[i]!;
    else for (let i = 0; i < n; i++) acc[codes[i]!]! += x[i]!;
    for (let g = 0; g < p.nLevels; g++) acc[g]! *= invW[g]!;
    for (let i = 0; i < n; i++) x[i]! -= acc[codes[i]!]!;
    return;
  }
  const d = p.d,
    basis = p.basis!,
    ginv = p.ginv!;
  for (let i = 0; i < n; i++) {
    const o = codes[i]! * d;
    const v = (w ? w[i]! : 1) * x[i]!;
    for (let a = 0; a < d; a++) acc[o + a]! += v * (basis[a] ? basis[a]![i]! : 1);
  }
  const c = new Float64Array(d);
  for (let g = 0; g < p.nLevels; g++) {
    const o = g * d,
      oo = g * d * d;
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let b = 0; b < d; b++) s += ginv[oo + a * d + b]! * acc[o + b]!;
      c[a] = s;
    }
    for (let a = 0; a < d; a++) acc[o + a] = c[a]!;
  }
  for (let i = 0; i < n; i++) {
    const o = codes[i]! * d;
    let s = 0;
    for (let a = 0; a < d; a++) s += acc[o + a]! * (basis[a] ? basis[a]![i]! : 1);
    x[i]! -= s;
  }
}

function maxAbs(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const v = Math.abs(x[i]!);
    if (v > m) m = v;
  }
  return m;
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]! - b[i]!);
    if (v > m) m = v;
  }
  return m;
}

/**
 * Accelerated MAP on one column, starting from x (modified in place). Returns sweeps used and whether
 * the criterion max|Δx| ≤ thr was met.
 */
function mapIronsTuck(ps: Projector[], x: Float64Array, thr: number, maxIter: number, scratch: Scratch): { it: number; ok: boolean } {
  const n = x.length;
  scratch.gx ??= new Float64Array(n);
  scratch.ggx ??= new Float64Array(n);
  const gx = scratch.gx,
    ggx = scratch.ggx;
  const sweep = (v: Float64Array) => {
    for (const p of ps) projectOut(p, v);
  };
  let it = 0;
  while (it < maxIter) {
    gx.set(x);
    sweep(gx);
    it++;
    if (maxAbsDiff(gx, x) <= thr) {
      x.set(gx);
      return { it, ok: true };
    }
    ggx.set(gx);
    sweep(ggx);
    it++;
    if (maxAbsDiff(ggx, gx) <= thr) {
      x.set(ggx);
      return { it, ok: true };
    }
    // Irons–Tuck extrapolation
    let num = 0,
      den = 0;
    for (let i = 0; i < n; i++) {
      const dgx = ggx[i]! - gx[i]!;
      const d2x = dgx - gx[i]! + x[i]!;
      num += dgx * d2x;
      den += d2x * d2x;
    }
    if (den > 0 && Number.isFinite(num / den)) {
      const r = num / den;
      for (let i = 0; i < n; i++) x[i] = ggx[i]! - r * (ggx[i]! - gx[i]!);
    } else x.set(ggx);
  }
  return { it, ok: false };
}

/** Work arrays shared by all columns of one demean call (fresh memory is expensive: allocate once). */
interface Scratch {
  gx?: Float64Array;
  ggx?: Float64Array;
}

/** Two plain FEs: precomputed Schur-complement solver (see the file comment). */
interface TwoFeSolver {
  a: Int32Array;
  b: Int32Array;
  la: number;
  lb: number;
  w: Float64Array | null;
  wa: Float64Array;
  wb: Float64Array;
  kept: number[];
  sinv: Float64Array;
  /** rows sorted by the A codes (e.g. a panel sorted by unit) */
  sortedA: boolean;
  /** scratch reused across columns */
  sa?: Float64Array;
  cg?: Float64Array;
}

/**
 * Rows grouped by their level of `a` (la levels), by a counting sort: level g's rows are
 * order[start[g] .. start[g+1]) in ascending row order, or the rows start[g] .. start[g+1] − 1 themselves
 * when `a` is already sorted (order null).
 */
function groupRows(a: Int32Array, n: number, la: number): { start: Int32Array; order: Int32Array | null } {
  const start = new Int32Array(la + 1);
  for (let i = 0; i < n; i++) start[a[i]! + 1]!++;
  for (let g = 0; g < la; g++) start[g + 1]! += start[g]!;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (a[i]! < a[i - 1]!) sorted = false;
  if (sorted) return { start, order: null };
  const pos = start.slice(0, la);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[pos[a[i]!]!++] = i;
  return { start, order };
}

const MAX_SCHUR_LEVELS = 3000;

function makeTwoFeSolver(fa: FixedEffectInput, fb: FixedEffectInput, w: Float64Array | null): TwoFeSolver | null {
  // A = larger FE, B = smaller
  if (fa.nLevels < fb.nLevels) [fa, fb] = [fb, fa];
  const a = fa.codes,
    b = fb.codes,
    la = fa.nLevels,
    lb = fb.nLevels;
  if (lb > MAX_SCHUR_LEVELS) return null;
  const n = a.length;
  const wa = new Float64Array(la),
    wb = new Float64Array(lb);
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i]! : 1;
    wa[a[i]!]! += wi;
    wb[b[i]!]! += wi;
  }
  // group observations by A (counting sort)
  const { start, order } = groupRows(a, n, la);
  const sortedA = order === null;
  // cost guard: Σ_i (distinct B levels in i)² — bounded by Σ_i n_i²
  let cost = 0;
  for (let g = 0; g < la; g++) {
    const m = Math.min(start[g + 1]! - start[g]!, lb);
    cost += m * m;
  }
  if (cost > 4e9) return null;
  const S = new Float64Array(lb * lb);
  for (let t = 0; t < lb; t++) S[t * lb + t] = wb[t]!;
  const cnt = new Float64Array(lb);
  const touched = new Int32Array(lb);
  for (let g = 0; g < la; g++) {
    if (!(wa[g]! > 0)) continue;
    let nt = 0;
    for (let p = start[g]!; p < start[g + 1]!; p++) {
      const i = order ? order[p]! : p;
      const t = b[i]!;
      if (cnt[t] === 0) touched[nt++] = t;
      cnt[t]! += w ? w[i]! : 1;
    }
    const inv = 1 / wa[g]!;
    // only the lower triangle (s ≤ t) is accumulated: the Cholesky factorisations below read nothing else
    for (let u = 0; u < nt; u++) {
      const t = touched[u]!;
      const ct = cnt[t]! * inv;
      const row = t * lb;
      for (let v = 0; v < nt; v++) {
        const s = touched[v]!;
        if (s <= t) S[row + s]! -= ct * cnt[s]!;
      }
    }
    for (let u = 0; u < nt; u++) cnt[touched[u]!] = 0;
  }
  const Sm = mat(lb, lb, S);
  const { L, kept } = choleskyPivotless(Sm, 1e-11);
  // S_kept⁻¹ from the factor just computed: L restricted to the kept rows and columns is the Cholesky factor of
  // S_kept (the dropped columns of L are zero), the same bits invSPD(S_kept) would factor again
  const sinv = kept.length ? invFromCholesky(subMatrix(L, kept, kept)).data : new Float64Array(0);
  return { a, b, la, lb, w, wa, wb, kept, sinv, sortedA };
}

/** Demean x in place on the two FEs; returns max_t |P_B x̃| (≈ 0: the size of the next MAP step). */
function solveTwoFe(s: TwoFeSolver, x: Float64Array): number {
  const { a, b, la, lb, w, wa, wb, kept, sinv } = s;
  const n = x.length;
  s.sa ??= new Float64Array(la);
  const sa = s.sa.fill(0),
    sb = new Float64Array(lb);
  if (w)
    for (let i = 0; i < n; i++) {
      const v = w[i]! * x[i]!;
      sa[a[i]!]! += v;
      sb[b[i]!]! += v;
    }
  else
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      sa[a[i]!]! += v;
      sb[b[i]!]! += v;
    }
  for (let g = 0; g < la; g++) sa[g] = wa[g]! > 0 ? sa[g]! / wa[g]! : 0; // ȳ_A
  // rhs_t = s_B[t] − Σ_{obs∈t} w ȳ_A
  const rhs = sb;
  if (w) for (let i = 0; i < n; i++) rhs[b[i]!]! -= w[i]! * sa[a[i]!]!;
  else for (let i = 0; i < n; i++) rhs[b[i]!]! -= sa[a[i]!]!;
  const k = kept.length;
  const gamma = new Float64Array(lb);
  for (let r = 0; r < k; r++) {
    let v = 0;
    for (let c = 0; c < k; c++) v += sinv[r * k + c]! * rhs[kept[c]!]!;
    gamma[kept[r]!] = v;
  }
  // α_g = ȳ_A,g − (Σ_{obs∈g} w γ_t)/w_A,g; x̃ = x − α − γ; and Σ_{obs∈t} w x̃ for the exactness check
  const chk = rhs.fill(0);
  if (s.sortedA) {
    // rows of each A level are contiguous: one fused pass (the level's rows are re-read from cache)
    let i0 = 0;
    while (i0 < n) {
      const g = a[i0]!;
      let i1 = i0,
        c = 0;
      if (w) for (; i1 < n && a[i1] === g; i1++) c += w[i1]! * gamma[b[i1]!]!;
      else for (; i1 < n && a[i1] === g; i1++) c += gamma[b[i1]!]!;
      const alpha = wa[g]! > 0 ? sa[g]! - c / wa[g]! : 0;
      for (let i = i0; i < i1; i++) {
        const v = x[i]! - alpha - gamma[b[i]!]!;
        x[i] = v;
        chk[b[i]!]! += w ? w[i]! * v : v;
      }
      i0 = i1;
    }
  } else {
    const cg = (s.cg ??= new Float64Array(la)).fill(0);
    if (w) for (let i = 0; i < n; i++) cg[a[i]!]! += w[i]! * gamma[b[i]!]!;
    else for (let i = 0; i < n; i++) cg[a[i]!]! += gamma[b[i]!]!;
    for (let g = 0; g < la; g++) sa[g] = wa[g]! > 0 ? sa[g]! - cg[g]! / wa[g]! : 0;
    for (let i = 0; i < n; i++) {
      const v = x[i]! - sa[a[i]!]! - gamma[b[i]!]!;
      x[i] = v;
      chk[b[i]!]! += w ? w[i]! * v : v;
    }
  }
  let m = 0;
  for (let t = 0; t < lb; t++) {
    const v = wb[t]! > 0 ? Math.abs(chk[t]! / wb[t]!) : 0;
    if (v > m) m = v;
  }
  return m;
}

/** Balanced two-way panel without weights: every (a, b) cell exactly once. */
function isBalanced(fa: FixedEffectInput, fb: FixedEffectInput): boolean {
  const n = fa.codes.length;
  if (n !== fa.nLevels * fb.nLevels) return false;
  const a = fa.codes,
    b = fb.codes,
    lb = fb.nLevels;
  // rows sorted by a (the usual layout): no b twice within an a-block, and n = L_a·L_b, means every cell once
  const stamp = new Int32Array(lb).fill(-1);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const ai = a[i]!;
    if (i > 0 && ai < a[i - 1]!) {
      sorted = false;
      break;
    }
    if (stamp[b[i]!] === ai) return false;
    stamp[b[i]!] = ai;
  }
  if (sorted) return true;
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = a[i]! * lb + b[i]!;
    if (seen[c]) return false;
    seen[c] = 1;
  }
  return true;
}

/** dst = src − x̄_a − x̄_b + x̄ (dst may be src). */
function demeanBalanced(fa: FixedEffectInput, fb: FixedEffectInput, x: Float64Array, dst: Float64Array): void {
  const a = fa.codes,
    b = fb.codes,
    n = x.length;
  const ma = new Float64Array(fa.nLevels),
    mb = new Float64Array(fb.nLevels);
  let tot = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    ma[a[i]!]! += v;
    mb[b[i]!]! += v;
    tot += v;
  }
  const ia = 1 / fb.nLevels,
    ib = 1 / fa.nLevels,
    m = tot / n;
  for (let g = 0; g < fa.nLevels; g++) ma[g]! *= ia;
  for (let g = 0; g < fb.nLevels; g++) mb[g] = mb[g]! * ib - m;
  for (let i = 0; i < n; i++) dst[i] = x[i]! - (ma[a[i]!]! + mb[b[i]!]!);
}

/** demeanBalanced for four columns at once (one read of the codes per pass; same arithmetic per column). */
function demeanBalanced4(fa: FixedEffectInput, fb: FixedEffectInput, xs: Float64Array[], dsts: Float64Array[]): void {
  const a = fa.codes,
    b = fb.codes,
    n = xs[0]!.length,
    La = fa.nLevels,
    Lb = fb.nLevels;
  const x0 = xs[0]!,
    x1 = xs[1]!,
    x2 = xs[2]!,
    x3 = xs[3]!;
  // level sums interleaved: ma[4g + c], mb[4t + c]
  const ma = new Float64Array(4 * La),
    mb = new Float64Array(4 * Lb);
  let t0 = 0,
    t1 = 0,
    t2 = 0,
    t3 = 0;
  for (let i = 0; i < n; i++) {
    const ga = 4 * a[i]!,
      gb = 4 * b[i]!;
    const v0 = x0[i]!,
      v1 = x1[i]!,
      v2 = x2[i]!,
      v3 = x3[i]!;
    ma[ga]! += v0;
    ma[ga + 1]! += v1;
    ma[ga + 2]! += v2;
    ma[ga + 3]! += v3;
    mb[gb]! += v0;
    mb[gb + 1]! += v1;
    mb[gb + 2]! += v2;
    mb[gb + 3]! += v3;
    t0 += v0;
    t1 += v1;
    t2 += v2;
    t3 += v3;
  }
  const ia = 1 / Lb,
    ib = 1 / La;
  const m = [t0 / n, t1 / n, t2 / n, t3 / n];
  for (let g = 0; g < 4 * La; g++) ma[g]! *= ia;
  for (let t = 0; t < Lb; t++) for (let c = 0; c < 4; c++) mb[4 * t + c] = mb[4 * t + c]! * ib - m[c]!;
  const d0 = dsts[0]!,
    d1 = dsts[1]!,
    d2 = dsts[2]!,
    d3 = dsts[3]!;
  for (let i = 0; i < n; i++) {
    const ga = 4 * a[i]!,
      gb = 4 * b[i]!;
    d0[i] = x0[i]! - (ma[ga]! + mb[gb]!);
    d1[i] = x1[i]! - (ma[ga + 1]! + mb[gb + 1]!);
    d2[i] = x2[i]! - (ma[ga + 2]! + mb[gb + 2]!);
    d3[i] = x3[i]! - (ma[ga + 3]! + mb[gb + 3]!);
  }
}

/** demeanBalanced for a 0/1 column given by its rows of ones: the same sums (zeros add nothing), no read of x. */
function demeanBalancedDummy(fa: FixedEffectInput, fb: FixedEffectInput, ones: Int32Array, dst: Float64Array): void {
  const a = fa.codes,
    b = fb.codes,
    n = dst.length;
  const ma = new Float64Array(fa.nLevels),
    mb = new Float64Array(fb.nLevels);
  for (let p = 0; p < ones.length; p++) {
    const i = ones[p]!;
    ma[a[i]!]! += 1;
    mb[b[i]!]! += 1;
  }
  const ia = 1 / fb.nLevels,
    ib = 1 / fa.nLevels,
    m = ones.length / n;
  for (let g = 0; g < fa.nLevels; g++) ma[g]! *= ia;
  for (let g = 0; g < fb.nLevels; g++) mb[g] = mb[g]! * ib - m;
  for (let i = 0; i < n; i++) dst[i] = 0 - (ma[a[i]!]! + mb[b[i]!]!);
  for (let p = 0; p < ones.length; p++) {
    const i = ones[p]!;
    dst[i] = 1 - (ma[a[i]!]! + mb[b[i]!]!);
  }
}

/**
 * Demean every column on all fixed effects (returns new arrays; inputs untouched). Weighted
 * projections when `weights` are given. See the file comment for the algorithms.
 */
export function demean(fes: FixedEffectInput[], columns: Float64Array[], opts: DemeanOptions = {}): DemeanResult {
  const w = opts.weights ?? null;
  const tol = opts.tol ?? 1e-10;
  const maxIter = opts.maxIter ?? 10000;
  const inPlace = opts.inPlace ?? [];
  const auto = (opts.algorithm ?? "auto") === "auto";
  const plain = fes.every((f) => !f.slopes || f.slopes.length === 0);
  const n = columns[0]?.length ?? 0;
  const balanced = auto && fes.length === 2 && plain && !w && isBalanced(fes[0]!, fes[1]!);
  // destination arrays: the column itself when the caller owns it, else a copy (fused into the balanced pass)
  const out = columns.map((c, j) => (inPlace[j] ? c : balanced ? new Float64Array(n) : c.slice()));
  if (fes.length === 0) return { columns: out, converged: true, iterations: 0, method: "none" };
  if (fes.length === 1 && auto) {
    const p = makeProjector(fes[0]!, w);
    for (const x of out) projectOut(p, x);
    return { columns: out, converged: true, iterations: 1, method: "one-fe" };
  }
  if (balanced) {
    const ones = opts.ones ?? [];
    const dense: number[] = [];
    columns.forEach((c, j) => (ones[j] ? demeanBalancedDummy(fes[0]!, fes[1]!, ones[j]!, out[j]!) : dense.push(j)));
    let q = 0;
    for (; q + 4 <= dense.length; q += 4) {
      const js = dense.slice(q, q + 4);
      demeanBalanced4(
        fes[0]!,
        fes[1]!,
        js.map((j) => columns[j]!),
        js.map((j) => out[j]!),
      );
    }
    for (; q < dense.length; q++) demeanBalanced(fes[0]!, fes[1]!, columns[dense[q]!]!, out[dense[q]!]!);
    return { columns: out, converged: true, iterations: 1, method: "balanced" };
  }
  // the per-FE projectors are built only when MAP sweeps are needed (the two-FE solve is usually exact)
  let psCache: Projector[] | null = null;
  const projectors = (): Projector[] => (psCache ??= fes.map((f) => makeProjector(f, w)));
  const scratch: Scratch = {};
  const thrs = columns.map((c) => tol * (1 + maxAbs(c)));
  if (fes.length === 2 && plain && auto) {
    const solver = makeTwoFeSolver(fes[0]!, fes[1]!, w);
    if (solver) {
      let iterations = 1,
        converged = true;
      for (let j = 0; j < out.length; j++) {
        const x = out[j]!;
        // check (and if needed polish with accelerated MAP sweeps): normally already at the solution. α is
        // computed from γ so that the larger FE's projection vanishes by construction: check the smaller one.
        if (solveTwoFe(solver, x) <= thrs[j]!) continue;
        const r = mapIronsTuck(projectors(), x, thrs[j]!, maxIter, scratch);
        iterations = Math.max(iterations, r.it + 1);
        converged &&= r.ok;
      }
      return { columns: out, converged, iterations, method: "two-fe-exact" };
    }
  }
  const ps = projectors();
  let iterations = 0,
    converged = true;
  for (let j = 0; j < out.length; j++) {
    const r = mapIronsTuck(ps, out[j]!, thrs[j]!, maxIter, scratch);
    iterations = Math.max(iterations, r.it);
    converged &&= r.ok;
  }
  return { columns: out, converged, iterations, method: "map-irons-tuck" };
}

/**
 * 0/1 regressors demeaned on two plain fixed effects through a small table (the event-study fast path).
 * Let A be the FE with more levels (units) and B the other (periods), and give each A level the signature
 * {(b_i, d_i)} over its rows (a multiset; d_i = which dummy row i belongs to, 0 for none). Levels with
 * identical signatures ("classes": in an event study, a cohort's units observed on the same periods) are
 * interchangeable in the least-squares problem, so by uniqueness of the projection their demeaned dummies
 * coincide: x̃_i depends only on the cell (class, position in the signature). Hence the unweighted two-way
 * demeaning of the n-row columns equals the two-way demeaning of the class × signature table weighted by the
 * class sizes (FE class + FE B), broadcast back to the rows. Exact for any panel (a unit whose periods differ
 * from its cohort's forms its own class); refused (null) when weights are given by the caller, when a row is in
 * two dummies, or when the table would not be small (cells > maxCells): the caller then demeans the dense
 * columns as before.
 */
export interface DummyCells {
  /** row → cell */
  cellOf: Int32Array;
  nCells: number;
  /** number of dummy columns m */
  m: number;
  /** rows per cell (= units in its class) */
  count: Float64Array;
  /** demeaned dummies, cell-major: tab[cell·m + j] */
  tab: Float64Array;
  converged: boolean;
  iterations: number;
}

export function dummyCells(fes: FixedEffectInput[], ones: Int32Array[], opts: { tol?: number; maxIter?: number; maxCells?: number } = {}): DummyCells | null {
  if (fes.length !== 2 || fes.some((f) => f.slopes?.length) || ones.length === 0 || fes[0]!.codes.length === 0) return null;
  let fa = fes[0]!,
    fb = fes[1]!;
  if (fa.nLevels < fb.nLevels) [fa, fb] = [fb, fa];
  const a = fa.codes,
    b = fb.codes,
    la = fa.nLevels,
    lb = fb.nLevels,
    n = a.length,
    m = ones.length;
  const maxCells = opts.maxCells ?? Math.max(4096, n >> 3);
  // which dummy each row belongs to (0 = none); mutually exclusive dummies only
  const d = new Int32Array(n);
  for (let j = 0; j < m; j++) {
    const o = ones[j]!;
    for (let p = 0; p < o.length; p++) {
      const i = o[p]!;
      if (i < 0 || i >= n || d[i] !== 0) return null;
      d[i] = j + 1;
    }
  }
  // rows grouped by A (counting sort unless already sorted)
  const { start, order } = groupRows(a, n, la);
  const M1 = m + 1;
  // per level: its codes r = b·(m+1) + d in ascending order (rows carried along), hashed; classes verified exactly
  const repStart: number[] = []; // class c's signature = sig[repStart[c] .. repStart[c] + repLen[c])
  const repLen: number[] = [];
  const classSize: number[] = [];
  const sig: number[] = [];
  const byHash = new Map<number, number[]>();
  const cellOf = new Int32Array(n);
  let codes = new Int32Array(64),
    rows = new Int32Array(64);
  for (let g = 0; g < la; g++) {
    const s0 = start[g]!,
      len = start[g + 1]! - s0;
    if (len === 0) continue;
    if (len > codes.length) {
      codes = new Int32Array(2 * len);
      rows = new Int32Array(2 * len);
    }
    let asc = true;
    for (let q = 0; q < len; q++) {
      const i = order ? order[s0 + q]! : s0 + q;
      const r = b[i]! * M1 + d[i]!;
      codes[q] = r;
      rows[q] = i;
      if (q > 0 && r < codes[q - 1]!) asc = false;
    }
    if (!asc) {
      // insertion sort (levels are short: a unit's periods)
      for (let q = 1; q < len; q++) {
        const r = codes[q]!,
          i = rows[q]!;
        let k = q - 1;
        for (; k >= 0 && codes[k]! > r; k--) {
          codes[k + 1] = codes[k]!;
          rows[k + 1] = rows[k]!;
        }
        codes[k + 1] = r;
        rows[k + 1] = i;
      }
    }
    let h1 = 0x811c9dc5 ^ len,
      h2 = len * 0x9e3779b1;
    for (let q = 0; q < len; q++) {
      h1 = Math.imul(h1 ^ codes[q]!, 0x01000193);
      h2 = Math.imul(h2 + codes[q]! + 0x7f4a7c15, 0x85ebca6b) ^ (h2 >>> 13);
    }
    // a small-integer key (fast Map hashing); collisions are resolved by the exact comparison below
    const key = (h1 ^ (h2 >>> 7)) & 0x3fffffff;
    let cands = byHash.get(key);
    let c = -1;
    if (cands)
      for (const cc of cands) {
        if (repLen[cc] !== len) continue;
        const o = repStart[cc]!;
        let same = true;
        for (let q = 0; q < len && same; q++) if (sig[o + q] !== codes[q]) same = false;
        if (same) {
          c = cc;
          break;
        }
      }
    if (c < 0) {
      c = repStart.length;
      if (sig.length + len > maxCells) return null;
      repStart.push(sig.length);
      repLen.push(len);
      classSize.push(0);
      for (let q = 0; q < len; q++) sig.push(codes[q]!);
      if (!cands) byHash.set(key, (cands = []));
      cands.push(c);
    }
    classSize[c]!++;
    const o = repStart[c]!;
    for (let q = 0; q < len; q++) cellOf[rows[q]!] = o + q;
  }
  // the weighted table: one row per cell, FE class and FE B, weight = class size
  const nCells = sig.length,
    nClasses = repStart.length;
  const cClass = new Int32Array(nCells),
    cB = new Int32Array(nCells),
    count = new Float64Array(nCells);
  const cols = Array.from({ length: m }, () => new Float64Array(nCells));
  for (let c = 0; c < nClasses; c++)
    for (let q = 0; q < repLen[c]!; q++) {
      const cell = repStart[c]! + q,
        r = sig[cell]!;
      cClass[cell] = c;
      cB[cell] = Math.floor(r / M1);
      count[cell] = classSize[c]!;
      const dj = r % M1;
      if (dj > 0) cols[dj - 1]![cell] = 1;
    }
  const bc = compactLevels(cB, lb);
  const dm = demean(
    [
      { name: fa.name, codes: cClass, nLevels: nClasses },
      { name: fb.name, codes: bc.codes, nLevels: bc.nLevels },
    ],
    cols,
    { weights: count, tol: opts.tol ?? 1e-10, maxIter: opts.maxIter ?? 10000, inPlace: cols.map(() => true) },
  );
  const tab = new Float64Array(nCells * m);
  for (let j = 0; j < m; j++) {
    const x = dm.columns[j]!;
    for (let cell = 0; cell < nCells; cell++) tab[cell * m + j] = x[cell]!;
  }
  return { cellOf, nCells, m, count, tab, converged: dm.converged, iterations: dm.iterations };
}

/** Re-index codes to the levels that occur (as feols.compactCodes; here to keep demean.ts free of feols). */
function compactLevels(codes: Int32Array, nLevels: number): { codes: Int32Array; nLevels: number } {
  const map = new Int32Array(nLevels).fill(-1);
  for (let i = 0; i < codes.length; i++) map[codes[i]!] = 0;
  let L = 0;
  for (let g = 0; g < nLevels; g++) if (map[g] === 0) map[g] = L++;
  const out = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = map[codes[i]!]!;
  return { codes: out, nLevels: L };
}
