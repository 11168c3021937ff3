/**
 * Fixed-length confidence interval (FLCI) for θ = l'τ_post under Δ^SD(M) (Rambachan & Roth 2023,
 * Section 4.1; HonestDiD `findOptimalFLCI`). The estimator is affine, θ̂ = l_pre'β̂_pre + l'β̂_post,
 * and the CI is θ̂ ± χ with χ = h·cv_α(M·b(h)/h), cv_α(μ) the (1 − α) quantile of |N(μ, 1)|,
 * b(h) the worst-case bias over Δ^SD(1) of the estimator with the smallest worst-case bias among
 * those with sd ≤ h, and h chosen to minimise χ.
 *
 * Worst-case bias (HonestDiD's U/W programme). With w the pre-period weights in "slope" form
 * (l_pre = D·w, D the first-difference matrix) and c = cumsum(w) (so l_pre = D²c, c_K = s := Σ_t t·l_t
 * fixed by the unbiasedness constraint), the bias is
 *     b = Σ_{r=1}^{T} |Σ_{j=1}^{r} j·l_{T−r+j}| − s + |s| + Σ_{k<K} |c_k|
 * and the variance is a convex quadratic q(c_{1..K−1}) = x'Px + p'x + r₀. HonestDiD solves
 * min ‖x‖₁ s.t. q(x) ≤ h² with a conic solver (CVXR/ECOS). We solve the same convex programme exactly:
 * its solutions for all h are the path of min_x t‖x‖₁ + q(x) over t ≥ 0 (the Lagrangian, t = 1/ν),
 * which is piecewise linear in t (the lasso homotopy): on each piece the active set S and signs σ are
 * fixed and x_S(t) = −P_SS⁻¹(p_S + tσ_S)/2; a piece ends when an active coordinate reaches zero or an
 * inactive one's gradient |2P_j·x + p_j| reaches t. q(x(t)) increases from h²_min = min q (t = 0)
 * to h₀² = q(0), and on a piece it is a quadratic in t, so q(x(t)) = h² is solved in closed form.
 * The KKT conditions of the path are the optimality conditions of the constrained programme with
 * multiplier 1/t, so this is the programme's exact optimum (ECOS agrees to its tolerance, ~1e-8).
 *
 * h is chosen as HonestDiD does: bisection on a numerical derivative of χ(h) between h_min and h₀
 * (step min((h₀ − h_min)/100, h₀·ε^{1/3})), falling back to a 100-point grid when the derivative checks
 * fail, with cv_α simulated from 10⁶ draws of R's generator after `set.seed(seed)` (FoldedNormal).
 */
import { FoldedNormal, mm, solve, tr, type HonestInput } from "./shared.js";

interface Piece {
  t0: number;
  t1: number;
  S: number[];
  a: Float64Array;
  d: Float64Array;
  /** q(x(t)) = A2 t² + A1 t + A0 on the piece */
  A2: number;
  A1: number;
  A0: number;
}

/** The convex programme's data and its solution path for one (Σ, l). */
export interface FlciPath {
  K: number;
  s: number;
  biasConst: number;
  hMin: number;
  h0: number;
  pieces: Piece[];
  /** D² (K × K) */
  D2: Float64Array;
  /** x at t = 0 (the minimum-variance solution) */
  x0: Float64Array;
}

/** Build the programme min ‖x‖₁ s.t. q(x) ≤ h² and its homotopy path. */
export function flciPath(x: HonestInput, l: Float64Array): FlciPath {
  const K = x.numPre,
    T = x.numPost,
    n = K + T;
  let s = 0;
  for (let t = 0; t < T; t++) s += (t + 1) * l[t]!;
  let biasConst = -s;
  for (let r = 1; r <= T; r++) {
    let v = 0;
    for (let j = 1; j <= r; j++) v += j * l[T - r + j - 1]!;
    biasConst += Math.abs(v);
  }
  // D² = (I − S)², S the subdiagonal shift
  const D = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    D[i * K + i] = 1;
    if (i > 0) D[i * K + i - 1] = -1;
  }
  const D2 = mm(D, K, K, D, K);
  const Spre = new Float64Array(K * K);
  const spp = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) Spre[i * K + j] = x.sigma[i * n + j]!;
    let v = 0;
    for (let t = 0; t < T; t++) v += x.sigma[i * n + K + t]! * l[t]!;
    spp[i] = v;
  }
  let vpost = 0;
  for (let a = 0; a < T; a++) for (let b = 0; b < T; b++) vpost += l[a]! * x.sigma[(K + a) * n + K + b]! * l[b]!;
  const m = K - 1;
  // G = D²[:, 0..K−2], g = D²[:, K−1]
  const G = new Float64Array(K * m);
  const g = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < m; j++) G[i * m + j] = D2[i * K + j]!;
    g[i] = D2[i * K + K - 1]!;
  }
  const Sg = mm(Spre, K, K, g, 1);
  let r0 = vpost;
  for (let i = 0; i < K; i++) r0 += s * s * g[i]! * Sg[i]! + 2 * s * g[i]! * spp[i]!;
  const h0 = Math.sqrt(Math.max(r0, 0));
  if (m === 0) return { K, s, biasConst, hMin: h0, h0, pieces: [], D2, x0: new Float64Array(0) };
  const Gt = tr(G, K, m);
  const P = mm(mm(Gt, m, K, Spre, K), m, K, G, m);
  const inner = new Float64Array(K);
  for (let i = 0; i < K; i++) inner[i] = s * Sg[i]! + spp[i]!;
  const p = mm(Gt, m, K, inner, 1).map((v) => 2 * v);

  const pieces: Piece[] = [];
  const restrict = (S: number[]): Float64Array => {
    const k = S.length,
      out = new Float64Array(k * k);
    S.forEach((i, a) => S.forEach((j, b) => (out[a * k + b] = P[i * m + j]!)));
    return out;
  };
  const qOf = (xv: Float64Array): number => {
    let v = r0;
    for (let i = 0; i < m; i++) {
      let row = 0;
      for (let j = 0; j < m; j++) row += P[i * m + j]! * xv[j]!;
      v += xv[i]! * row + p[i]! * xv[i]!;
    }
    return v;
  };
  const x0 = solve(P, m, p).map((v) => -v / 2);
  const hMin = Math.sqrt(Math.max(qOf(x0), 0));
  let S: number[] = [];
  const sign = new Float64Array(m);
  for (let j = 0; j < m; j++)
    if (x0[j] !== 0) {
      S.push(j);
      sign[j] = Math.sign(x0[j]!);
    }
  let tc = 0;
  const tMax = p.reduce((acc, v) => Math.max(acc, Math.abs(v)), 0);
  for (let iter = 0; iter < 20 * (m + 1) && S.length > 0; iter++) {
    const k = S.length;
    const Pss = restrict(S);
    const a = solve(
      Pss,
      k,
      Float64Array.from(S, (j) => p[j]!),
    ).map((v) => -v / 2);
    const d = solve(
      Pss,
      k,
      Float64Array.from(S, (j) => sign[j]!),
    ).map((v) => -v / 2);
    // q on the piece
    const Pd = mm(Pss, k, k, d, 1),
      Pa = mm(Pss, k, k, a, 1);
    let A2 = 0,
      A1 = 0,
      A0 = r0;
    for (let i = 0; i < k; i++) {
      const pj = p[S[i]!]!;
      A2 += d[i]! * Pd[i]!;
      A1 += 2 * a[i]! * Pd[i]! + pj * d[i]!;
      A0 += a[i]! * Pa[i]! + pj * a[i]!;
    }
    let tNext = Number.POSITIVE_INFINITY,
      event = -1,
      enter = 0;
    const tol = 1e-12 * Math.max(1, tMax);
    S.forEach((j, i) => {
      if (d[i] === 0) return;
      const tz = -a[i]! / d[i]!;
      if (tz > tc + tol && tz < tNext) {
        tNext = tz;
        event = j;
        enter = 0;
      }
    });
    for (let j = 0; j < m; j++) {
      if (S.includes(j)) continue;
      let al = p[j]!,
        be = 0;
      S.forEach((jj, i) => {
        al += 2 * P[j * m + jj]! * a[i]!;
        be += 2 * P[j * m + jj]! * d[i]!;
      });
      // g_j(t) = al + be·t reaches +t (then σ_j = −1) or −t (σ_j = +1)
      if (be !== 1) {
        const tp = al / (1 - be);
        if (tp > tc + tol && tp < tNext) {
          tNext = tp;
          event = j;
          enter = -1;
        }
      }
      if (be !== -1) {
        const tm = -al / (1 + be);
        if (tm > tc + tol && tm < tNext) {
          tNext = tm;
          event = j;
          enter = 1;
        }
      }
    }
    pieces.push({ t0: tc, t1: tNext, S: [...S], a, d, A2, A1, A0 });
    if (!Number.isFinite(tNext)) break;
    tc = tNext;
    if (enter === 0) S = S.filter((j) => j !== event);
    else {
      S = [...S, event].sort((u, v) => u - v);
      sign[event] = enter;
    }
  }
  return { K, s, biasConst, hMin, h0, pieces, D2, x0 };
}

/** Solution of min ‖x‖₁ s.t. q(x) ≤ h²: worst-case bias over Δ^SD(1) and the pre-period weights l_pre. */
export function worstCaseBias(path: FlciPath, h: number): { bias: number; lPre: Float64Array } {
  const m = path.K - 1;
  const xv = new Float64Array(m);
  const h2 = h * h;
  if (m > 0 && h < path.h0) {
    if (h <= path.hMin) xv.set(path.x0);
    else {
      for (const pc of path.pieces) {
        const qEnd = Number.isFinite(pc.t1) ? pc.A2 * pc.t1 * pc.t1 + pc.A1 * pc.t1 + pc.A0 : Number.POSITIVE_INFINITY;
        if (qEnd < h2) continue;
        // A2 t² + A1 t + (A0 − h²) = 0, the larger root (q increases along the piece)
        const c0 = pc.A0 - h2;
        let t: number;
        if (pc.A2 > 0) {
          const disc = Math.max(pc.A1 * pc.A1 - 4 * pc.A2 * c0, 0);
          const sq = Math.sqrt(disc);
          t = pc.A1 >= 0 ? (-2 * c0) / (pc.A1 + sq) : (-pc.A1 + sq) / (2 * pc.A2);
        } else t = -c0 / pc.A1;
        t = Math.min(Math.max(t, pc.t0), Number.isFinite(pc.t1) ? pc.t1 : t);
        pc.S.forEach((j, i) => (xv[j] = pc.a[i]! + t * pc.d[i]!));
        break;
      }
    }
  }
  let bias = path.biasConst + Math.abs(path.s);
  for (let j = 0; j < m; j++) bias += Math.abs(xv[j]!);
  const c = new Float64Array(path.K);
  c.set(xv);
  c[path.K - 1] = path.s;
  return { bias, lPre: mm(path.D2, path.K, path.K, c, 1) };
}

export interface FlciResult {
  lb: number;
  ub: number;
  /** (l_pre, l): the affine estimator's weights on β̂ */
  optimalVec: Float64Array;
  halfLength: number;
  h: number;
  /** how h was chosen: bisection on the derivative, or the fallback grid */
  search: "bisection" | "grid";
}

/**
 * The optimal FLCI under Δ^SD(M) (HonestDiD `findOptimalFLCI`, numPoints = 100): θ̂ ± χ(h*) with h*
 * from the derivative bisection of χ(h) = h·cv_α(M·b(h)/h) on [h_min, h₀].
 */
export function optimalFlci(x: HonestInput, l: Float64Array, M: number, alpha = 0.05, seed = 0, path = flciPath(x, l)): FlciResult {
  const fn = new FoldedNormal(seed);
  const p = 1 - alpha;
  const chi = (h: number): number => {
    const { bias } = worstCaseBias(path, h);
    return fn.quantile(p, (M * bias) / h) * h;
  };
  let hstar = Number.NaN;
  let a = path.hMin,
    b = path.h0;
  if (path.K === 1 || !(b > a)) hstar = b;
  else {
    const failtol = Math.sqrt(2.220446049250313e-16);
    let failed = false;
    const dif = Math.min((b - a) / 100, Math.abs(b) * Math.pow(2.220446049250313e-16, 1 / 3));
    const fa = chi(a),
      fb = chi(b);
    const fpa = (chi(a + dif) - fa) / dif;
    const fpb = (chi(b - dif) - fb) / -dif;
    let iter = 1;
    const maxiter = 10 * Math.ceil(Math.log(Math.abs(b - a) / dif) / Math.log(2));
    if (fpa > fpb || Number.isNaN(fa) || Number.isNaN(fb)) failed = true;
    else if (fpb < 0) hstar = b;
    else if (fpa > 0) hstar = a;
    else {
      while (!failed && Math.abs(b - a) > dif) {
        iter++;
        const xm = (a + b) / 2;
        const fpx = (chi(xm + dif) - chi(xm - dif)) / (2 * dif);
        failed = fpx > fpb + failtol || fpx + failtol < fpa || iter > maxiter;
        if (fpx > 0) b = xm;
        else a = xm;
      }
      hstar = (a + b) / 2;
    }
    if (failed) hstar = Number.NaN;
  }
  let search: FlciResult["search"] = "bisection";
  let half: number;
  if (Number.isNaN(hstar)) {
    // HonestDiD's fallback: a 100-point grid of h, the smallest half-length (folded-normal seed 0)
    search = "grid";
    const fn0 = new FoldedNormal(0);
    let best = Number.POSITIVE_INFINITY,
      bestH = path.h0;
    for (let i = 0; i < 100; i++) {
      const h = i === 99 ? path.h0 : path.hMin + i * ((path.h0 - path.hMin) / 99);
      const { bias } = worstCaseBias(path, h);
      const hl = fn0.quantile(p, (M * bias) / h) * h;
      if (hl < best) {
        best = hl;
        bestH = h;
      }
    }
    hstar = bestH;
    half = best;
  } else {
    const { bias } = worstCaseBias(path, hstar);
    half = fn.quantile(p, (M * bias) / hstar) * hstar;
  }
  const { lPre } = worstCaseBias(path, hstar);
  const optimalVec = new Float64Array(x.numPre + x.numPost);
  optimalVec.set(lPre);
  optimalVec.set(l, x.numPre);
  let center = 0;
  for (let i = 0; i < optimalVec.length; i++) center += optimalVec[i]! * x.betahat[i]!;
  return { lb: center - half, ub: center + half, optimalVec, halfLength: half, h: hstar, search };
}
