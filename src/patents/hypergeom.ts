/**
 * Hypergeometric tails for validating region–region co-specialisation links (METHODS §7 step 4), and the
 * multiple-testing corrections applied over the tested pairs.
 *
 * X ~ Hypergeom(F, a, b): the overlap of a random b-subset with a fixed a-subset of F items,
 *   P(X = x) = C(a, x) C(F − a, b − x) / C(F, b),   max(0, a + b − F) ≤ x ≤ min(a, b).
 * Tails are summed term by term from the pmf at the tail's start, obtained from exact log-factorial sums
 * (ln n! = Σ_{i≤n} ln i, cached), and the ratio recurrence
 *   P(x+1) / P(x) = (a − x)(b − x) / ((x + 1)(F − a − b + x + 1)),
 * so each tail costs O(support) and is accurate to rounding (no normal or continuity approximation).
 */

const LOG_FACT: number[] = [0];

/** ln n! as an exact running sum of logs (cached). */
export function logFactorial(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`logFactorial needs a non-negative integer, got ${n}`);
  for (let i = LOG_FACT.length; i <= n; i++) LOG_FACT.push(LOG_FACT[i - 1]! + Math.log(i));
  return LOG_FACT[n]!;
}

function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

function check(F: number, a: number, b: number, x: number): void {
  for (const [nm, v] of [
    ["F", F],
    ["a", a],
    ["b", b],
    ["x", x],
  ] as const)
    if (!Number.isInteger(v) || (nm !== "x" && v < 0)) throw new RangeError(`hypergeometric: ${nm} must be a non-negative integer, got ${v}`);
  if (a > F || b > F) throw new RangeError(`hypergeometric: need a, b ≤ F, got F=${F}, a=${a}, b=${b}`);
}

/** P(X = x) for X ~ Hypergeom(F, a, b) (0 outside the support). */
export function hypergeomPmf(F: number, a: number, b: number, x: number): number {
  check(F, a, b, x);
  const lo = Math.max(0, a + b - F);
  const hi = Math.min(a, b);
  if (x < lo || x > hi) return 0;
  return Math.exp(logChoose(a, x) + logChoose(F - a, b - x) - logChoose(F, b));
}

/** Upper tail P(X ≥ x) for X ~ Hypergeom(F, a, b). */
export function hypergeomUpper(F: number, a: number, b: number, x: number): number {
  check(F, a, b, x);
  const lo = Math.max(0, a + b - F);
  const hi = Math.min(a, b);
  if (x <= lo) return 1;
  if (x > hi) return 0;
  let p = hypergeomPmf(F, a, b, x);
  let s = 0;
  for (let k = x; k <= hi; k++) {
    s += p;
    if (k < hi) p *= ((a - k) * (b - k)) / ((k + 1) * (F - a - b + k + 1));
  }
  return Math.min(1, s);
}

/** Lower tail P(X ≤ x) for X ~ Hypergeom(F, a, b). */
export function hypergeomLower(F: number, a: number, b: number, x: number): number {
  check(F, a, b, x);
  const lo = Math.max(0, a + b - F);
  const hi = Math.min(a, b);
  if (x >= hi) return 1;
  if (x < lo) return 0;
  let p = hypergeomPmf(F, a, b, x);
  let s = 0;
  for (let k = x; k >= lo; k--) {
    s += p;
    // P(k−1) = P(k) · k (F − a − b + k) / ((a − k + 1)(b − k + 1)).
    if (k > lo) p *= (k * (F - a - b + k)) / ((a - k + 1) * (b - k + 1));
  }
  return Math.min(1, s);
}

export type Correction = "bonferroni" | "bh" | "none";

/**
 * Which of m p-values are significant at level α after the correction: Bonferroni (p ≤ α/m),
 * Benjamini–Hochberg (p_(i) ≤ iα/m for the largest such i, and all smaller p), or none (p ≤ α).
 */
export function significant(p: ArrayLike<number>, alpha: number, correction: Correction): Uint8Array {
  const m = p.length;
  const out = new Uint8Array(m);
  if (m === 0) return out;
  if (correction === "none" || correction === "bonferroni") {
    const cut = correction === "none" ? alpha : alpha / m;
    for (let i = 0; i < m; i++) out[i] = p[i]! <= cut ? 1 : 0;
    return out;
  }
  const ord = Array.from({ length: m }, (_, i) => i).sort((i, j) => p[i]! - p[j]! || i - j);
  let kmax = -1;
  for (let k = 0; k < m; k++) if (p[ord[k]!]! <= ((k + 1) * alpha) / m) kmax = k;
  for (let k = 0; k <= kmax; k++) out[ord[k]!] = 1;
  return out;
}
