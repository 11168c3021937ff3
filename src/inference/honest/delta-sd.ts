/**
 * Δ^SD(M), smoothness restrictions (Rambachan & Roth 2023, Section 2.4.1): the second differences of
 * the bias path δ (with δ₀ = 0 at the reference period) are at most M in absolute value,
 *     |(δ_{t+1} − δ_t) − (δ_t − δ_{t−1})| ≤ M for every t,
 * written A_SD δ ≤ d_SD (HonestDiD `.create_A_SD`, `.create_d_SD`). Confidence sets: the FLCI
 * (flci.ts), and the ARP conditional test ("Conditional"), its hybrids with the least-favourable
 * critical value ("C-LF", κ = α/10) and with the FLCI ("C-F"), on HonestDiD's 1,000-point grid
 * (identified set ± 20·sd(θ̂) for Conditional/C-LF, the κ-level FLCI for C-F).
 */
import { arpGrid, arpProblem, type HybridFlag, type HybridInfo, type LpEngine } from "./arp.js";
import { optimalFlci } from "./flci.js";
import { solveFreeLp } from "./lp.js";
import { inverse, mm, sdTheta, type HonestInput } from "./shared.js";

/** A_SD: rows ±(δ_{r−1} − 2δ_r + δ_{r+1}) over the path with δ₀ = 0 removed; (2(K+T−1)) × (K+T). */
export function createASd(K: number, T: number): { A: Float64Array; rows: number } {
  const n = K + T,
    r = n - 1;
  const A = new Float64Array(2 * r * n);
  for (let i = 0; i < r; i++) {
    // Ã row i over the K+T+1 path positions i, i+1, i+2 (position K is the reference period, dropped)
    [1, -2, 1].forEach((v, o) => {
      const pos = i + o;
      if (pos === K) return;
      const col = pos < K ? pos : pos - 1;
      A[i * n + col] = v;
      A[(r + i) * n + col] = -v;
    });
  }
  return { A, rows: 2 * r };
}

/** Rows of A with a non-zero post-period entry (HonestDiD's postPeriodMomentsOnly). */
export function postRows(A: Float64Array, rows: number, K: number, T: number): number[] {
  const n = K + T,
    out: number[] = [];
  for (let i = 0; i < rows; i++) {
    let any = false;
    for (let t = 0; t < T; t++) if (A[i * n + K + t] !== 0) any = true;
    if (any) out.push(i);
  }
  return out;
}

/**
 * Identified set of θ = l'τ_post at β = 0 (HonestDiD `.compute_IDset_DeltaSD` with trueBeta = 0):
 * [−max l'δ_post, −min l'δ_post] over Aδ ≤ d, δ_pre = 0.
 */
export function idSetSd(M: number, l: Float64Array, K: number, T: number): { lb: number; ub: number } {
  const { A, rows } = createASd(K, T);
  return idSet(A, rows, new Float64Array(rows).fill(M), l, K, T);
}

/** The identified-set LP pair shared by the restriction families. */
export function idSet(A: Float64Array, rows: number, d: Float64Array, l: Float64Array, K: number, T: number): { lb: number; ub: number } {
  const n = K + T;
  const c = new Float64Array(n);
  c.set(l, K);
  const Aeq = new Float64Array(K * n);
  for (let i = 0; i < K; i++) Aeq[i * n + i] = 1;
  const beq = new Float64Array(K);
  const mx = solveFreeLp(c, A, d, Aeq, beq, true);
  const mn = solveFreeLp(c, A, d, Aeq, beq, false);
  if (mx === null && mn === null) return { lb: 0, ub: 0 };
  return { lb: -(mx ?? 0), ub: -(mn ?? 0) };
}

/**
 * Conditional / hybrid confidence set under Δ^SD(M) for numPost > 1 (HonestDiD
 * `computeConditionalCS_DeltaSD`): accept/reject on the grid; the CI is [min, max] of the accepted
 * points (null ends when nothing is accepted).
 */
export function conditionalCsSd(
  x: HonestInput,
  l: Float64Array,
  M: number,
  flag: HybridFlag,
  alpha = 0.05,
  gridPoints = 1000,
  seed = 0,
  engine: LpEngine = "simplex",
): { grid: Float64Array; accept: Uint8Array } {
  const K = x.numPre,
    T = x.numPost,
    n = K + T;
  const { A, rows } = createASd(K, T);
  const d = new Float64Array(rows).fill(M);
  const kappa = alpha / 10;
  const hybrid: HybridInfo = { kappa, seed };
  let lb: number, ub: number;
  if (flag === "FLCI") {
    const f = optimalFlci(x, l, M, kappa, seed);
    hybrid.flciL = f.optimalVec;
    hybrid.flciHalf = f.halfLength;
    hybrid.vbar = flciVbar(A, rows, n, f.optimalVec);
    let c = 0;
    for (let i = 0; i < n; i++) c += f.optimalVec[i]! * x.betahat[i]!;
    lb = c - f.halfLength;
    ub = c + f.halfLength;
  } else {
    const id = idSetSd(M, l, K, T);
    const sdT = sdTheta(x, l);
    lb = id.lb - 20 * sdT;
    ub = id.ub + 20 * sdT;
  }
  const rowsForArp = T > 1 ? postRows(A, rows, K, T) : [...Array(rows).keys()];
  const p = arpProblem(A, rows, d, x.betahat, x.sigma, K, T, l, rowsForArp);
  return arpGrid(p, alpha, flag, hybrid, lb, ub, gridPoints, engine);
}

/**
 * v̄ = argmin_v ‖L − A'v‖² (HonestDiD solves it with CVXR; the minimiser is not unique because A
 * stacks Ã and −Ã): the minimum-norm solution v̄ = (u/2, −u/2), u = (ÃÃ')⁻¹ÃL.
 */
export function flciVbar(A: Float64Array, rows: number, n: number, L: Float64Array): Float64Array {
  const r = rows / 2;
  const At = A.subarray(0, r * n);
  const AAt = new Float64Array(r * r);
  for (let i = 0; i < r; i++)
    for (let j = 0; j < r; j++) {
      let s = 0;
      for (let q = 0; q < n; q++) s += At[i * n + q]! * At[j * n + q]!;
      AAt[i * r + j] = s;
    }
  const AL = mm(At, r, n, L, 1);
  const u = mm(inverse(AAt, r), r, r, AL, 1);
  const v = new Float64Array(rows);
  for (let i = 0; i < r; i++) {
    v[i] = u[i]! / 2;
    v[r + i] = -u[i]! / 2;
  }
  return v;
}
