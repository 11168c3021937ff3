/**
 * Frank–Wolfe solver for the synthetic-control weight problem of R synthdid 0.0.9 (`sc.weight.fw`,
 * `fw.step`; METHODS.md §3.3):
 *
 *   minimise f(x) = ζ²‖x‖² + ‖Ax − b‖²/R   over the simplex x ∈ Δ_C   (A is R×C)
 *
 * Each iteration takes the exact-line-search step towards the vertex e_i, i = argmin of the half
 * gradient g = A'(Ax − b) + ηx (η = R·ζ²), step = −g·d / (‖A_i − Ax‖² + η‖d‖²) clipped to [0, 1],
 * d = e_i − x. Stop after `maxIter` iterations or once t ≥ 2 and f_{t−1} − f_t ≤ minDecrease².
 *
 * Speed: the gradient is kept up to date through Gx = A'Ax, which moves as Gx ← Gx + s(G_i − Gx)
 * where G_i = A'A_i is the Gram column of the chosen vertex, computed once per distinct vertex (or
 * read from a precomputed Gram matrix shared across replications). One iteration then costs
 * O(R + C) instead of R's O(R·C); the first visit of a vertex costs O(R·C). Ax and the residual are
 * updated the same way, so the objective is computed exactly from the residual each iteration.
 *
 * The same algorithm runs as a WebAssembly kernel (kernels/frank-wolfe.wat, loaded by
 * frank-wolfe-kernel.ts) whenever it is built: identical floating-point operations in the same order,
 * so identical bits, without the JIT's warm-up on the first call. The TypeScript below is the
 * fallback and the reference the kernel is tested against.
 */

import { fwKernel, kernelGram, type KernelSolveInput, kernelSolve } from "./frank-wolfe-kernel.js";

/** A column-major R×C matrix: column j occupies data[j·rows … j·rows + rows − 1]. */
export interface ColMajor {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** Optional source of Gram columns A'A_j (e.g. a matrix precomputed once for all placebo draws). */
export type GramColumn = (j: number, out: Float64Array) => void;

export interface FwOptions {
  zeta: number;
  minDecrease: number;
  maxIter: number;
  /** Gram columns from outside; default computes A'A_j from A on first use */
  gramColumn?: GramColumn;
  /** the whole Gram matrix A'A (C×C row-major), when already computed; takes precedence over gramColumn */
  gram?: Float64Array;
  /** at most this many Gram columns are cached (default: as many as fit in 64 MB); later ones are recomputed */
  cacheColumns?: number;
}

export interface FwResult {
  x: Float64Array;
  iterations: number;
  /** objective after the last iteration */
  value: number;
}

/** Reusable work arrays (grown on demand) so that replications allocate nothing in the hot loop. */
export class FwWorkspace {
  ax = new Float64Array(0);
  res = new Float64Array(0);
  g = new Float64Array(0);
  c = new Float64Array(0);
  sup = new Int32Array(0);
  inSup = new Uint8Array(0);
  gramCache = new Float64Array(0);
  /** storage for a full Gram matrix (see frankWolfeSparsified) */
  gram = new Float64Array(0);
  gramSlot = new Int32Array(0);
  state = new Float64Array(5);
  ensure(rows: number, cols: number, cacheCols: number): void {
    if (this.ax.length < rows) {
      this.ax = new Float64Array(rows);
      this.res = new Float64Array(rows);
    }
    if (this.g.length < cols) {
      this.g = new Float64Array(cols);
      this.c = new Float64Array(cols);
      this.sup = new Int32Array(cols);
      this.inSup = new Uint8Array(cols);
      this.gramSlot = new Int32Array(cols);
    }
    if (this.gramCache.length < cacheCols * cols) this.gramCache = new Float64Array(cacheCols * cols);
  }
}

const defaultWorkspace = new FwWorkspace();

/**
 * Run Frank–Wolfe from x0 (copied). Returns the final weights, the number of iterations and f.
 * Mirrors `sc.weight.fw(Y, zeta, intercept = FALSE, lambda = x0, min.decrease, max.iter)` with A, b
 * already centred by the caller when an intercept is wanted.
 *
 * Bookkeeping: the half gradient g = A'(Ax − b) + ηx is updated as g ← (1−s)g + s(G_i − A'b + ηe_i)
 * (one pass over C); x changes only on its support, where g·x and ‖x‖² are summed afresh each
 * iteration. When R > C the residual terms come from the Gram matrix too — ‖A_i − Ax‖² =
 * G_ii − 2(Gx)_i + x'Gx and ‖Ax − b‖² = x'Gx − 2b'Ax + b'b — so an iteration never touches the R
 * rows; otherwise Ax and the residual are updated in O(R).
 */
export function frankWolfe(A: ColMajor, b: Float64Array, x0: Float64Array, opts: FwOptions, ws: FwWorkspace = defaultWorkspace): FwResult {
  const k = fwKernel();
  if (k) return kernelSolve(k, kernelInput(A, b, x0, opts, opts.gram ?? null));
  // one object shape for every call, so that the optimised solver is not thrown away (V8 "wrong map"
  // deoptimisation) when callers pass option objects built differently
  const o: FwCoreOptions = {
    zeta: opts.zeta,
    minDecrease: opts.minDecrease,
    maxIter: opts.maxIter,
    gramColumn: opts.gramColumn ?? null,
    gram: opts.gram ?? null,
    cacheCols: cacheColumns(A.cols, opts),
  };
  return frankWolfeCore(A, b, x0, o, ws);
}

/** Columns of G_i − A'b cached per distinct vertex visited (at most min(C, maxIter + 1), ≤ 64 MB). */
function cacheColumns(C: number, opts: FwOptions): number {
  return Math.max(1, Math.min(C, opts.maxIter + 1, Math.floor(8_000_000 / C), opts.cacheColumns ?? Infinity));
}

function kernelInput(A: ColMajor, b: Float64Array, x0: Float64Array, opts: FwOptions, gram: KernelSolveInput["gram"]): KernelSolveInput {
  return {
    R: A.rows,
    C: A.cols,
    a: A.data,
    b,
    x0,
    zeta: opts.zeta,
    minDecrease: opts.minDecrease,
    maxIter: opts.maxIter,
    cacheCols: cacheColumns(A.cols, opts),
    gram,
    provider: gram === null ? (opts.gramColumn ?? null) : null,
  };
}

interface FwCoreOptions {
  zeta: number;
  minDecrease: number;
  maxIter: number;
  gramColumn: GramColumn | null;
  gram: Float64Array | null;
  cacheCols: number;
}

function frankWolfeCore(A: ColMajor, b: Float64Array, x0: Float64Array, opts: FwCoreOptions, ws: FwWorkspace): FwResult {
  const R = A.rows;
  const C = A.cols;
  const a = A.data;
  const zeta2 = opts.zeta * opts.zeta;
  const eta = R * zeta2;
  const minDec2 = opts.minDecrease * opts.minDecrease;
  const maxIter = opts.maxIter;
  const viaGram = R > C;
  const x = Float64Array.from(x0);
  const cacheCols = opts.cacheCols;
  ws.ensure(R, C, cacheCols);
  const { ax, res, g, c, sup, inSup } = ws;
  const slot = ws.gramSlot;
  const cache = ws.gramCache;
  slot.fill(-1, 0, C);
  inSup.fill(0, 0, C);
  let nsup = 0;
  for (let j = 0; j < C; j++) {
    if (x[j] !== 0) {
      sup[nsup++] = j;
      inSup[j] = 1;
    }
  }

  // Ax, residual, c = A'b, g = A'(Ax) − c + ηx
  for (let r = 0; r < R; r++) ax[r] = 0;
  for (let k = 0; k < nsup; k++) {
    const j = sup[k]!;
    const xj = x[j]!;
    const off = j * R;
    for (let r = 0; r < R; r++) ax[r] += a[off + r]! * xj;
  }
  let bb = 0;
  let rr = 0;
  for (let r = 0; r < R; r++) {
    res[r] = ax[r]! - b[r]!;
    bb += b[r]! * b[r]!;
    rr += res[r]! * res[r]!;
  }
  for (let j = 0; j < C; j++) {
    const off = j * R;
    let sb = 0;
    let sx = 0;
    for (let r = 0; r < R; r++) {
      const v = a[off + r]!;
      sb += v * b[r]!;
      sx += v * ax[r]!;
    }
    c[j] = sb;
    g[j] = sx - sb + eta * x[j]!;
  }

  const cx0: CacheCtx = { a, R, C, c, slot, cache, cacheCols, used: 0, full: opts.gram, provider: opts.gramColumn, scratch: null, at: null, arr: cache };
  const st = ws.state;
  argminG(g, C, st);
  let imin = st[1]!;
  let gmin = st[0]!;
  supportSums(sup, nsup, x, g, c, st);
  let gdotx = st[0]!;
  let xx = st[1]!;
  let cx = st[2]!;
  if (viaGram) rr = gdotx + cx - eta * xx - 2 * cx + bb;

  // Wide problems (many columns, few rows: the ω problem) keep x lazily scaled, so that an iteration
  // touches only g and one Gram column; narrow ones update x explicitly.
  const lazy = !viaGram && C > 64;
  let sigma = 1;
  let t = 0;
  let prev = Number.NaN;
  let cur = Number.NaN;
  while (t < maxIter && (t < 2 || prev - cur > minDec2)) {
    t++;
    const xi = lazy ? sigma * x[imin]! : x[imin]!;
    // d = e_i − x; d = 0 iff x is the vertex e_i (then x stays and f does not move)
    if (!(xi === 1 && xx === 1)) {
      const off = imin * R;
      const goff = gramCol(cx0, imin);
      const colArr = cx0.arr;
      let derr2: number;
      if (viaGram) {
        const gii = colArr[goff + imin]! + c[imin]!;
        const gxi = g[imin]! + c[imin]! - eta * xi;
        derr2 = gii - 2 * gxi + (gdotx + cx - eta * xx);
      } else derr2 = distSq(a, off, ax, R);
      const dd = xx - 2 * xi + 1; // ‖e_i − x‖²
      const gd = gmin - gdotx; // g·d
      let step = -gd / (derr2 + eta * dd);
      if (!(step > 0))
        step = 0; // also maps NaN (0/0) to 0
      else if (step > 1) step = 1;
      if (step > 0) {
        if (!viaGram) rr = moveRows(a, off, ax, res, b, R, step);
        if (lazy) {
          // x = σ·x̃ scales as a whole; only x̃_i moves. g·x, ‖x‖², c·x follow exact recursions and
          // are re-summed from the support every 64 iterations (bounded drift).
          const keep = 1 - step;
          const gii = colArr[goff + imin]! + c[imin]!;
          const gxi = gmin + c[imin]! - eta * xi;
          const xgx = keep * keep * (gdotx + cx - eta * xx) + 2 * step * keep * gxi + step * step * gii;
          cx = keep * cx + step * c[imin]!;
          xx = keep * keep * xx + 2 * step * keep * xi + step * step;
          gdotx = xgx - cx + eta * xx;
          sigma *= keep;
          x[imin] = x[imin]! + step / sigma;
          if (inSup[imin] === 0) {
            inSup[imin] = 1;
            sup[nsup++] = imin;
          }
          moveG(g, colArr, goff, C, step, imin, eta, st);
          gmin = st[0]!;
          imin = st[1]!;
          if (sigma < 1e-100 || (t & 63) === 0) {
            for (let k = 0; k < nsup; k++) x[sup[k]!] = x[sup[k]!]! * sigma;
            sigma = 1;
            supportSums(sup, nsup, x, g, c, st);
            gdotx = st[0]!;
            xx = st[1]!;
            cx = st[2]!;
          }
        } else {
          moveAll(x, g, c, colArr, goff, C, step, imin, xi, eta, st);
          gmin = st[0]!;
          imin = st[1]!;
          gdotx = st[2]!;
          xx = st[3]!;
          cx = st[4]!;
        }
        if (viaGram) rr = gdotx + cx - eta * xx - 2 * cx + bb;
      }
    }
    prev = cur;
    cur = zeta2 * xx + rr / R;
  }
  if (lazy && sigma !== 1) for (let k = 0; k < nsup; k++) x[sup[k]!] = x[sup[k]!]! * sigma;
  return { x, iterations: t, value: cur };
}

interface CacheCtx {
  a: Float64Array;
  R: number;
  C: number;
  c: Float64Array;
  slot: Int32Array;
  cache: Float64Array;
  cacheCols: number;
  used: number;
  full: Float64Array | null;
  provider: GramColumn | null;
  scratch: Float64Array | null;
  /** row-major copy of A, made on the first Gram column computed from A */
  at: Float64Array | null;
  /** the array holding the column last returned by gramCol */
  arr: Float64Array;
}

/** Offset of G_i − c for vertex i in ctx.arr (cached per distinct vertex; provider or A'A_i). */
function gramCol(ctx: CacheCtx, i: number): number {
  const C = ctx.C;
  let s = ctx.slot[i]!;
  if (s >= 0) {
    ctx.arr = ctx.cache;
    return s * C;
  }
  let out: Float64Array;
  let off: number;
  if (ctx.used >= ctx.cacheCols) {
    ctx.scratch ??= new Float64Array(C);
    out = ctx.scratch;
    off = 0;
  } else {
    s = ctx.used++;
    ctx.slot[i] = s;
    out = ctx.cache;
    off = s * C;
  }
  const c = ctx.c;
  if (ctx.full) {
    const G = ctx.full;
    const gi = i * C;
    for (let j = 0; j < C; j++) out[off + j] = G[gi + j]! - c[j]!;
    ctx.arr = out;
    return off;
  }
  if (ctx.provider) ctx.provider(i, out.subarray(off, off + C));
  else {
    if (!ctx.at) {
      // row-major copy of A so that a Gram column is R contiguous axpy passes over C
      const R = ctx.R;
      const at = (ctx.at = new Float64Array(R * C));
      for (let j = 0; j < C; j++) for (let r = 0; r < R; r++) at[r * C + j] = ctx.a[j * R + r]!;
    }
    fillGram(ctx.at, ctx.a, ctx.R, C, i, out, off);
  }
  for (let j = 0; j < C; j++) out[off + j] = out[off + j]! - c[j]!;
  ctx.arr = out;
  return off;
}

/** st[0], st[1] ← min g, argmin g (first index). */
function argminG(g: Float64Array, C: number, st: Float64Array): void {
  let imin = 0;
  let gmin = Infinity;
  for (let j = 0; j < C; j++) {
    if (g[j]! < gmin) {
      gmin = g[j]!;
      imin = j;
    }
  }
  st[0] = gmin;
  st[1] = imin;
}

/** st[0..2] ← g·x, ‖x‖², c·x summed over the support of x. */
function supportSums(sup: Int32Array, nsup: number, x: Float64Array, g: Float64Array, c: Float64Array, st: Float64Array): void {
  let gx = 0;
  let xx = 0;
  let cx = 0;
  for (let k = 0; k < nsup; k++) {
    const j = sup[k]!;
    const xj = x[j]!;
    gx += g[j]! * xj;
    xx += xj * xj;
    cx += c[j]! * xj;
  }
  st[0] = gx;
  st[1] = xx;
  st[2] = cx;
}

/**
 * One pass over the C coordinates: x ← x + step·(e_i − x) exactly as R forms it (x_j − step·x_j,
 * and x_i + step·(1 − x_i)), g ← g + step·(col − g) + step·η·e_i, and of the new point
 * st ← [min g, first argmin g, g·x, ‖x‖², c·x].
 */
function moveAll(
  x: Float64Array,
  g: Float64Array,
  c: Float64Array,
  col: Float64Array,
  off: number,
  C: number,
  step: number,
  i: number,
  xi: number,
  eta: number,
  st: Float64Array,
): void {
  let imin = 0;
  let gmin = Infinity;
  let gx = 0;
  let xx = 0;
  let cx = 0;
  const xiNew = xi + step * (1 - xi);
  const bump = step * eta;
  for (let j = 0; j < C; j++) {
    let xj: number;
    let v = g[j]! + step * (col[off + j]! - g[j]!);
    if (j === i) {
      xj = xiNew;
      v += bump;
    } else xj = x[j]! + step * -x[j]!;
    x[j] = xj;
    g[j] = v;
    if (v < gmin) {
      gmin = v;
      imin = j;
    }
    gx += v * xj;
    xx += xj * xj;
    cx += c[j]! * xj;
  }
  st[0] = gmin;
  st[1] = imin;
  st[2] = gx;
  st[3] = xx;
  st[4] = cx;
}

/**
 * g ← g + step·(col − g) + step·η·e_i; st[0], st[1] ← min and first argmin of the new g. The pass is
 * split around i so that the hot loops carry no test on j (same arithmetic, same first argmin).
 */
function moveG(g: Float64Array, col: Float64Array, off: number, C: number, step: number, i: number, eta: number, st: Float64Array): void {
  let imin = 0;
  let gmin = Infinity;
  for (let j = 0; j < i; j++) {
    const gj = g[j]!;
    const v = gj + step * (col[off + j]! - gj);
    g[j] = v;
    if (v < gmin) {
      gmin = v;
      imin = j;
    }
  }
  {
    const gi = g[i]!;
    const v = gi + step * (col[off + i]! - gi) + step * eta;
    g[i] = v;
    if (v < gmin) {
      gmin = v;
      imin = i;
    }
  }
  for (let j = i + 1; j < C; j++) {
    const gj = g[j]!;
    const v = gj + step * (col[off + j]! - gj);
    g[j] = v;
    if (v < gmin) {
      gmin = v;
      imin = j;
    }
  }
  st[0] = gmin;
  st[1] = imin;
}

/** ‖A_i − Ax‖² with A_i at a[off …]. */
function distSq(a: Float64Array, off: number, ax: Float64Array, R: number): number {
  let s = 0;
  for (let r = 0; r < R; r++) {
    const d = a[off + r]! - ax[r]!;
    s += d * d;
  }
  return s;
}

/** Ax ← Ax + step·(A_i − Ax), residual Ax − b; returns ‖Ax − b‖². */
function moveRows(a: Float64Array, off: number, ax: Float64Array, res: Float64Array, b: Float64Array, R: number, step: number): number {
  let rr = 0;
  for (let r = 0; r < R; r++) {
    const v = ax[r]! + step * (a[off + r]! - ax[r]!);
    ax[r] = v;
    const e = v - b[r]!;
    res[r] = e;
    rr += e * e;
  }
  return rr;
}

/** out[outOff + j] = Σ_r A_rj·A_ri from the row-major copy `at` (r outer, j inner: contiguous). */
function fillGram(at: Float64Array, a: Float64Array, R: number, C: number, i: number, out: Float64Array, outOff: number): void {
  for (let j = 0; j < C; j++) out[outOff + j] = 0;
  const oi = i * R;
  for (let r = 0; r < R; r++) {
    const v = a[oi + r]!;
    if (v === 0) continue;
    const o = r * C;
    for (let j = 0; j < C; j++) out[outOff + j] = out[outOff + j]! + at[o + j]! * v;
  }
}

/**
 * The full Gram matrix G = A'A (C×C, symmetric, row-major) of a column-major A. Each entry is the dot
 * product Σ_r A_ri·A_rj summed in row order from 0, so it equals bit for bit the column that
 * `fillGram` would compute; four columns j share each pass over column i.
 */
export function gramMatrix(A: ColMajor, out?: Float64Array): Float64Array {
  const { rows: R, cols: C, data: a } = A;
  const k = fwKernel();
  if (k) return kernelGram(k, a, R, C, out);
  const G = out && out.length >= C * C ? out : new Float64Array(C * C);
  for (let i = 0; i < C; i++) {
    const oi = i * R;
    let j = i;
    for (; j + 3 < C; j += 4) {
      const o0 = j * R;
      const o1 = o0 + R;
      const o2 = o1 + R;
      const o3 = o2 + R;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let r = 0; r < R; r++) {
        const v = a[oi + r]!;
        s0 += v * a[o0 + r]!;
        s1 += v * a[o1 + r]!;
        s2 += v * a[o2 + r]!;
        s3 += v * a[o3 + r]!;
      }
      G[i * C + j] = s0;
      G[i * C + j + 1] = s1;
      G[i * C + j + 2] = s2;
      G[i * C + j + 3] = s3;
    }
    for (; j < C; j++) {
      const oj = j * R;
      let s0 = 0;
      for (let r = 0; r < R; r++) s0 += a[oi + r]! * a[oj + r]!;
      G[i * C + j] = s0;
    }
  }
  // lower triangle ← upper, in 64×64 tiles so that the strided side stays in cache
  for (let ib = 0; ib < C; ib += 64) {
    const ie = Math.min(C, ib + 64);
    for (let jb = ib; jb < C; jb += 64) {
      const je = Math.min(C, jb + 64);
      for (let j = jb; j < je; j++) {
        const row = j * C;
        const top = Math.min(ie, j);
        for (let i = ib; i < top; i++) G[row + i] = G[i * C + j]!;
      }
    }
  }
  return G;
}

/** synthdid's `sparsify_function`: v_k ← 0 where v_k ≤ max(v)/4, then v/Σv. */
export function sparsify(v: Float64Array): Float64Array {
  let mx = -Infinity;
  for (let k = 0; k < v.length; k++) if (v[k]! > mx) mx = v[k]!;
  const cut = mx / 4;
  const out = new Float64Array(v.length);
  let s = 0;
  for (let k = 0; k < v.length; k++) {
    const w = v[k]! <= cut ? 0 : v[k]!;
    out[k] = w;
    s += w;
  }
  for (let k = 0; k < v.length; k++) out[k] = out[k]! / s;
  return out;
}

/** synthdid's `sum_normalize`: x/Σx, or uniform weights when Σx = 0. */
export function sumNormalize(x: Float64Array): Float64Array {
  let s = 0;
  for (let k = 0; k < x.length; k++) s += x[k]!;
  const out = new Float64Array(x.length);
  if (s !== 0) for (let k = 0; k < x.length; k++) out[k] = x[k]! / s;
  else out.fill(1 / x.length);
  return out;
}

/**
 * The two-round procedure of `synthdid_estimate`: ≤ maxIterPreSparsify iterations from x0 (uniform
 * when null), sparsify, then ≤ maxIter iterations from the sparsified vector.
 */
export function frankWolfeSparsified(
  A: ColMajor,
  b: Float64Array,
  x0: Float64Array | null,
  opts: FwOptions & { maxIterPreSparsify: number; sparsify: boolean },
  ws?: FwWorkspace,
): FwResult & { iterationsPre: number } {
  const start = x0 ?? new Float64Array(A.cols).fill(1 / A.cols);
  const k = fwKernel();
  if (k) {
    // The kernel computes a Gram column on a vertex's first visit (R·C, vectorised) and keeps it for
    // the second round: less work than the whole matrix plus a copy per visit, and no C×C memory.
    // Both rounds get the cache size of the longer one (which columns are cached never changes a value).
    const o1 = { ...opts, maxIter: opts.sparsify ? opts.maxIterPreSparsify : opts.maxIter };
    const in1 = kernelInput(A, b, start, o1, opts.gram ?? null);
    if (opts.sparsify) in1.cacheCols = Math.max(in1.cacheCols, cacheColumns(A.cols, opts));
    const first = kernelSolve(k, in1);
    if (!opts.sparsify) return { ...first, iterationsPre: 0 };
    const in2 = kernelInput(A, b, sparsify(first.x), opts, opts.gram ?? null);
    const second = kernelSolve(k, { ...in2, reuseCache: in2.cacheCols === in1.cacheCols });
    return { ...second, iterationsPre: first.iterations };
  }
  // TypeScript: wide problems (the ω problem: few pre periods, many controls) visit most columns over
  // the two rounds; one symmetric Gram matrix is then cheaper than Gram columns computed per visit.
  if (!opts.gramColumn && !opts.gram && A.cols >= FULL_GRAM_MIN && A.cols <= FULL_GRAM_MAX && A.rows < A.cols) {
    const w = ws ?? defaultWorkspace;
    if (w.gram.length < A.cols * A.cols) w.gram = new Float64Array(A.cols * A.cols);
    opts = { ...opts, gram: gramMatrix(A, w.gram) };
  }
  const first = frankWolfe(A, b, start, { ...opts, maxIter: opts.sparsify ? opts.maxIterPreSparsify : opts.maxIter }, ws);
  if (!opts.sparsify) return { ...first, iterationsPre: 0 };
  const second = frankWolfe(A, b, sparsify(first.x), opts, ws);
  return { ...second, iterationsPre: first.iterations };
}

/** Column range in which frankWolfeSparsified precomputes the whole Gram matrix (≤ 2000² doubles, 32 MB). */
const FULL_GRAM_MIN = 64;
const FULL_GRAM_MAX = 2000;
