/**
 * Δ^RM(M̄), relative magnitudes (Rambachan & Roth 2023, Section 2.4.2): every post-period change of
 * the bias path is at most M̄ times the largest pre-period change,
 *     |δ_{t+1} − δ_t| ≤ M̄ · max_{s<0} |δ_{s+1} − δ_s|   for t ≥ 0,
 * a union over (s, sign) of polyhedra A_RM(s, ±) δ ≤ 0 (HonestDiD `.create_A_RM`): given the
 * maximising pre-period change s and its sign, every pre-period change is at most it and every
 * post-period change at most M̄ times it. The confidence set is the union over s ∈ {−K+1, …, 0} and
 * both signs of the ARP conditional (or C-LF hybrid) sets, each on HonestDiD's grid ±20·sd(θ̂) with
 * 1,000 points (HonestDiD `computeConditionalCS_DeltaRM`).
 */
import { arpGrid, arpProblem, rSeq, type HybridFlag, type LpEngine } from "./arp.js";
import { postRows } from "./delta-sd.js";
import { sdTheta, type HonestInput } from "./shared.js";

/**
 * A_RM(s, sign) for M̄, without its zero rows and the reference-period column; s ∈ {−K+1, …, 0} is the
 * pre-period change t = s ↦ δ_s − δ_{s−1} (HonestDiD's indexing), sign +1 for max_positive.
 */
export function createARm(K: number, T: number, Mbar: number, s: number, positive: boolean): { A: Float64Array; rows: number } {
  const n1 = K + T + 1; // path with the reference period
  const rowsFull: Float64Array[] = [];
  const v = new Float64Array(n1);
  // v_max_dif[(K+s):(K+1+s)] = (−1, 1) in R's 1-based indexing
  v[K + s - 1] = -1;
  v[K + s] = 1;
  if (!positive) for (let j = 0; j < n1; j++) v[j] = -v[j]!;
  for (const sgn of [1, -1]) {
    for (let r = 0; r < K + T; r++) {
      const row = new Float64Array(n1);
      row[r] = -sgn;
      row[r + 1] = sgn;
      const scale = r < K ? 1 : Mbar;
      for (let j = 0; j < n1; j++) row[j]! -= scale * v[j]!;
      rowsFull.push(row);
    }
  }
  const kept = rowsFull.filter((row) => row.reduce((acc, x) => acc + x * x, 0) > 1e-10);
  const n = K + T;
  const A = new Float64Array(kept.length * n);
  kept.forEach((row, i) => {
    for (let j = 0, c = 0; j < n1; j++) {
      if (j === K) continue;
      A[i * n + c++] = row[j]!;
    }
  });
  return { A, rows: kept.length };
}

/** Accept/reject grid of the Δ^RM(M̄) confidence set (union over s and sign). */
export function conditionalCsRm(
  x: HonestInput,
  l: Float64Array,
  Mbar: number,
  flag: Exclude<HybridFlag, "FLCI">,
  alpha = 0.05,
  gridPoints = 1000,
  grid?: { lb: number; ub: number },
  seed = 0,
  engine: LpEngine = "simplex",
): { grid: Float64Array; accept: Uint8Array } {
  const K = x.numPre,
    T = x.numPost;
  const sdT = sdTheta(x, l);
  const lb = grid?.lb ?? -20 * sdT,
    ub = grid?.ub ?? 20 * sdT;
  const accept = new Uint8Array(gridPoints);
  for (let s = -(K - 1); s <= 0; s++) {
    for (const positive of [true, false]) {
      let { A, rows } = createARm(K, T, Mbar, s, positive);
      const post = postRows(A, rows, K, T);
      let rowsForArp = post;
      if (T === 1) {
        // HonestDiD's single-post-period path keeps only the post-period rows
        const n = K + T;
        const B = new Float64Array(post.length * n);
        post.forEach((r, i) => B.set(A.subarray(r * n, (r + 1) * n), i * n));
        A = B;
        rows = post.length;
        rowsForArp = [...Array(rows).keys()];
      }
      const p = arpProblem(A, rows, new Float64Array(rows), x.betahat, x.sigma, K, T, l, rowsForArp);
      // the set is a union: a point accepted by one polyhedron needs no further test
      const r = arpGrid(p, alpha, flag, { kappa: alpha / 10, seed }, lb, ub, gridPoints, engine, accept);
      for (let g = 0; g < gridPoints; g++) if (r.accept[g]) accept[g] = 1;
    }
  }
  return { grid: rSeq(lb, ub, gridPoints), accept };
}
