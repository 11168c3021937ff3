/**
 * Sensitivity of path-specific effects to an unobserved confounder U of the M_j–Y relation (Zhou &
 * Yamamoto 2023; R `paths::sens`, METHODS.md §6.4). Parameters: γ_k = effect of U on Y given X, A, M̲_k;
 * η_k = difference in U's prevalence between treated and untreated given X, M̲_k. With j the confounded
 * mediator and k the estimand (k = 1..K: via M_k; k = K + 1: direct), the bias of the estimate is
 *   k < j: 0;   k = j: −γ_k η_k;   j < k ≤ K: γ_{k−1} η_{k−1} − γ_k η_k;   k = K + 1: γ_K η_K,
 * and the adjusted estimate (and each CI bound) is original − bias; a grid point "reverses" the effect
 * when sign(adjusted) ≠ sign(original). As in R `paths`, the same formulas serve both decomposition
 * types, the direct effect uses a single (γ, η) grid, and j < k ≤ K uses the 4-way grid
 * (γ_{k−1}, η_{k−1}, γ_k, η_k) over the same values. Grids default to 20 equally spaced values on
 * [−sd(Y), sd(Y)] (γ) and [−sd(A), sd(A)] (η), sd with divisor n − 1.
 */

export interface SensOriginal {
  estimate: number;
  conf_low: number | null;
  conf_high: number | null;
}

export interface SensResult {
  /** Confounded mediator j (1-based) and estimand k (K + 1 = direct). */
  j: number;
  k: number;
  /** "zero" (k < j), "-g_k*e_k" (k = j), "g_k-1*e_k-1 - g_k*e_k", "g_K*e_K" (direct). */
  formula: string;
  /** 2 for the (γ, η) grid, 4 for (γ_{k−1}, η_{k−1}, γ_k, η_k); 0 when the bias is identically 0. */
  dims: 0 | 2 | 4;
  gamma: number[];
  eta: number[];
  /**
   * Bias at every grid point, R `expand.grid` order (first parameter fastest): 2-way rows are
   * (γ_a, η_b) at index a + G·b; 4-way rows (γ_{k−1}, η_{k−1}, γ_k, η_k) at a + G(b + E(c + G·d)).
   */
  bias: Float64Array;
  /** Adjusted estimate at every grid point. */
  adjusted: Float64Array;
  /** 1 where sign(adjusted) ≠ sign(original). */
  reversed: Uint8Array;
  nReversed: number;
}

/** `len` equally spaced values from −s to s (R `seq(-s, s, length.out = len)`). */
export function symmetricGrid(s: number, len = 20): number[] {
  if (len === 1) return [-s];
  return Array.from({ length: len }, (_, i) => -s + (2 * s * i) / (len - 1));
}

/** Sample standard deviation (divisor n − 1). */
export function sd(x: Float64Array): number {
  const n = x.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i]!;
  m /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i]! - m) ** 2;
  return Math.sqrt(ss / Math.max(1, n - 1));
}

/** Bias grid and adjusted estimates for confounded mediator j, estimand k, K mediators (see file comment). */
export function pathsSens(K: number, j: number, k: number, original: SensOriginal, gamma: number[], eta: number[]): SensResult {
  if (!(Number.isInteger(j) && j >= 1 && j <= K)) throw new Error(`confounded mediator index must be 1..${K}, got ${j}`);
  if (!(Number.isInteger(k) && k >= 1 && k <= K + 1)) throw new Error(`estimand index must be 1..${K + 1}, got ${k}`);
  const G = gamma.length,
    E = eta.length;
  let formula: string, dims: 0 | 2 | 4;
  let bias: Float64Array;
  if (k < j) {
    formula = "zero";
    dims = 0;
    bias = new Float64Array(G * E);
  } else if (k === j || k === K + 1) {
    formula = k === j ? "-g_k*e_k" : "g_K*e_K";
    dims = 2;
    bias = new Float64Array(G * E);
    const sign = k === j ? -1 : 1;
    for (let b = 0; b < E; b++) for (let a = 0; a < G; a++) bias[a + G * b] = sign * gamma[a]! * eta[b]!;
  } else {
    formula = "g_k-1*e_k-1 - g_k*e_k";
    dims = 4;
    bias = new Float64Array(G * E * G * E);
    let r = 0;
    for (let d = 0; d < E; d++)
      for (let c = 0; c < G; c++) for (let b = 0; b < E; b++) for (let a = 0; a < G; a++) bias[r++] = gamma[a]! * eta[b]! - gamma[c]! * eta[d]!;
  }
  const adjusted = new Float64Array(bias.length);
  const reversed = new Uint8Array(bias.length);
  const s0 = Math.sign(original.estimate);
  let nReversed = 0;
  for (let r = 0; r < bias.length; r++) {
    adjusted[r] = original.estimate - bias[r]!;
    if (Math.sign(adjusted[r]!) !== s0) {
      reversed[r] = 1;
      nReversed++;
    }
  }
  return { j, k, formula, dims, gamma, eta, bias, adjusted, reversed, nReversed };
}
