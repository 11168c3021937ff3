/** Simulated block-design panel for the synthetic DID benches (3-factor interactive model). */
import { Rng } from "../src/core/rng.js";

/** Y_it = α_i + β_t + Σ_k γ_ik f_tk + τ·D_it + ε_it. */
export function simulatePanel(N: number, T: number, N1: number, T1: number, seed: number) {
  const rng = new Rng(seed);
  const K = 3;
  const f = Array.from({ length: T * K }, () => rng.normal());
  const Y = new Float64Array(N * T);
  for (let i = 0; i < N; i++) {
    const a = 5 * rng.normal();
    const g = Array.from({ length: K }, () => rng.normal() + (i >= N - N1 ? 0.5 : 0));
    for (let t = 0; t < T; t++) {
      let v = a + 0.3 * t;
      for (let k = 0; k < K; k++) v += g[k]! * f[t * K + k]!;
      if (i >= N - N1 && t >= T - T1) v += 2;
      Y[i * T + t] = v + rng.normal();
    }
  }
  return { Y, N, T, N0: N - N1, T0: T - T1 };
}
