/**
 * Goodman-Bacon (2021) decomposition of the static TWFE DID coefficient (R `bacondecomp::bacon` without
 * controls; METHODS.md §4.5). Balanced panel, binary absorbing treatment; timing groups k (first treated
 * period), U = never treated, always-treated units form a group treated from the first period.
 * 2×2 estimates (each a difference in differences of group-period means, which is the TWFE on that 2×2):
 *  - treated vs untreated β_kU (all periods),
 *  - earlier vs later treated β^k_kℓ (periods before ℓ is treated; ℓ the control),
 *  - later vs earlier treated β^ℓ_kℓ (periods from k's treatment on; k, already treated, the control).
 * Weights with n_k unit shares, D̄_k shares of periods treated, V̂^D the variance of two-way-demeaned D:
 *  s_kU = (n_k+n_U)² n_kU(1−n_kU) D̄_k(1−D̄_k)/V̂^D,
 *  s^k_kℓ = ((n_k+n_ℓ)(1−D̄_ℓ))² n_kℓ(1−n_kℓ) ((D̄_k−D̄_ℓ)/(1−D̄_ℓ)) ((1−D̄_k)/(1−D̄_ℓ))/V̂^D,
 *  s^ℓ_kℓ = ((n_k+n_ℓ)D̄_k)² n_kℓ(1−n_kℓ) (D̄_ℓ/D̄_k) ((D̄_k−D̄_ℓ)/D̄_k)/V̂^D;
 * they sum to one and Σ s·β equals the TWFE coefficient (checked and reported).
 */
import { estimationError, inputError } from "../core/errors.js";
import type { WidePanel } from "./cs/cs-panel.js";

export type BaconType = "Treated vs Untreated" | "Earlier vs Later Treated" | "Later vs Earlier Treated" | "Later vs Always Treated";

export interface BaconComparison {
  type: BaconType;
  /** timing group used as treated, and as control (0 = never treated) */
  treated: number;
  control: number;
  estimate: number;
  weight: number;
}

export interface BaconResult {
  comparisons: BaconComparison[];
  byType: { type: BaconType; weight: number; estimate: number; n: number }[];
  twfe: number;
  /** Σ s·β − β_TWFE and Σ s − 1 */
  sumCheck: { estimate: number; weight: number };
  vd: number;
}

/** Decompose the TWFE coefficient; `panel.cohort` holds each unit's first treated period (0 = never). */
export function baconDecomposition(panel: WidePanel): BaconResult {
  const { n, T, periods, y } = panel;
  const first = periods[0]!;
  // timing groups: index of first treated period (0..T-1), T for never treated
  const startOf = (g: number): number => {
    if (g === 0) return T;
    let j = 0;
    while (j < T && periods[j]! < g) j++;
    return g <= first ? 0 : j;
  };
  const groups = new Map<number, { start: number; units: number; sums: Float64Array; label: number }>();
  for (let i = 0; i < n; i++) {
    const s = startOf(panel.cohort[i]!);
    let gr = groups.get(s);
    if (!gr) {
      gr = { start: s, units: 0, sums: new Float64Array(T), label: s === T ? 0 : s === 0 && panel.cohort[i]! <= first ? panel.cohort[i]! : periods[s]! };
      groups.set(s, gr);
    }
    gr.units++;
    for (let t = 0; t < T; t++) gr.sums[t]! += y[i * T + t]!;
  }
  const list = [...groups.values()].sort((a, b) => a.start - b.start);
  if (!list.some((g) => g.start > 0 && g.start < T)) throw estimationError("no unit switches into treatment inside the panel: nothing to decompose");
  const mean = (g: { sums: Float64Array; units: number }, a: number, b: number): number => {
    let s = 0;
    for (let t = a; t < b; t++) s += g.sums[t]!;
    return s / g.units / (b - a);
  };
  const Dbar = (g: { start: number }): number => (T - g.start) / T;
  // TWFE by two-way demeaning of D (balanced): D̃ = D − D̄_i − D̄_t + D̄
  const dt = new Float64Array(T);
  let dAll = 0;
  for (const g of list) for (let t = g.start; t < T; t++) dt[t]! += g.units / n;
  for (let t = 0; t < T; t++) dAll += dt[t]! / T;
  let sdd = 0,
    sdy = 0;
  for (let i = 0; i < n; i++) {
    const s = startOf(panel.cohort[i]!);
    const di = (T - s) / T;
    for (let t = 0; t < T; t++) {
      const dtil = (t >= s ? 1 : 0) - di - dt[t]! + dAll;
      sdd += dtil * dtil;
      sdy += dtil * y[i * T + t]!;
    }
  }
  if (!(sdd > 0)) throw estimationError("treatment has no variation after removing unit and period effects");
  const twfe = sdy / sdd;
  const vd = sdd / (n * T);
  const comparisons: BaconComparison[] = [];
  const never = list.find((g) => g.start === T);
  const sh = (g: { units: number }) => g.units / n;
  for (const k of list) {
    if (k.start === T || k.start === 0) continue;
    const Dk = Dbar(k);
    if (never) {
      const nk = sh(k),
        nu = sh(never);
      const nkU = nk / (nk + nu);
      const w = ((nk + nu) ** 2 * nkU * (1 - nkU) * Dk * (1 - Dk)) / vd;
      const est = mean(k, k.start, T) - mean(k, 0, k.start) - (mean(never, k.start, T) - mean(never, 0, k.start));
      comparisons.push({ type: "Treated vs Untreated", treated: k.label, control: 0, estimate: est, weight: w });
    }
  }
  for (let a = 0; a < list.length; a++) {
    const k = list[a]!; // earlier
    if (k.start === T) continue;
    for (let b = a + 1; b < list.length; b++) {
      const l = list[b]!; // later
      if (l.start === T || l.start === k.start) continue;
      const Dk = Dbar(k),
        Dl = Dbar(l);
      const nk = sh(k),
        nl = sh(l);
      const nkl = nk / (nk + nl);
      if (k.start > 0) {
        // earlier (k) treated vs later (l) as control, periods [0, l.start)
        const w = (((nk + nl) * (1 - Dl)) ** 2 * nkl * (1 - nkl) * ((Dk - Dl) / (1 - Dl)) * ((1 - Dk) / (1 - Dl))) / vd;
        const est = mean(k, k.start, l.start) - mean(k, 0, k.start) - (mean(l, k.start, l.start) - mean(l, 0, k.start));
        comparisons.push({ type: "Earlier vs Later Treated", treated: k.label, control: l.label, estimate: est, weight: w });
      }
      // later (l) treated vs earlier (k, already treated) as control, periods [k.start, T)
      const w2 = (((nk + nl) * Dk) ** 2 * nkl * (1 - nkl) * (Dl / Dk) * ((Dk - Dl) / Dk)) / vd;
      const est2 = mean(l, l.start, T) - mean(l, k.start, l.start) - (mean(k, l.start, T) - mean(k, k.start, l.start));
      comparisons.push({
        type: k.start === 0 ? "Later vs Always Treated" : "Later vs Earlier Treated",
        treated: l.label,
        control: k.label,
        estimate: est2,
        weight: w2,
      });
    }
  }
  let sw = 0,
    swb = 0;
  for (const c of comparisons) {
    sw += c.weight;
    swb += c.weight * c.estimate;
  }
  const types: BaconType[] = ["Earlier vs Later Treated", "Later vs Earlier Treated", "Later vs Always Treated", "Treated vs Untreated"];
  const byType = types
    .map((type) => {
      const cs = comparisons.filter((c) => c.type === type);
      const w = cs.reduce((s, c) => s + c.weight, 0);
      return { type, weight: w, estimate: cs.reduce((s, c) => s + c.weight * c.estimate, 0) / w, n: cs.length };
    })
    .filter((t) => t.n > 0);
  return { comparisons, byType, twfe, sumCheck: { estimate: swb - twfe, weight: sw - 1 }, vd };
}

/**
 * Per-row cohort (first period with D = 1; 0 = never) from a binary treatment column, refusing values
 * other than 0/1 and treatment that switches off (the decomposition needs absorbing treatment).
 */
export function cohortFromTreatment(
  unit: ArrayLike<string | number>,
  time: ArrayLike<number>,
  D: ArrayLike<number>,
  where: { file?: string; column: string; rowOf?: (r: number) => number },
): Float64Array {
  const N = D.length;
  const rowOf = where.rowOf ?? ((r: number) => r + 1);
  const firstOn = new Map<string | number, number>();
  const lastOff = new Map<string | number, { t: number; r: number }>();
  for (let r = 0; r < N; r++) {
    const d = D[r]!;
    if (d !== 0 && d !== 1) throw inputErrorAt(`treatment must be 0 or 1, got ${d}`, where, rowOf(r));
    const u = unit[r]!;
    if (d === 1) {
      const f = firstOn.get(u);
      if (f === undefined || time[r]! < f) firstOn.set(u, time[r]!);
    } else {
      const l = lastOff.get(u);
      if (!l || time[r]! > l.t) lastOff.set(u, { t: time[r]!, r });
    }
  }
  for (const [u, f] of firstOn) {
    const l = lastOff.get(u);
    if (l && l.t > f)
      throw inputErrorAt(
        `treatment switches off for unit '${String(u)}' (1 in ${f}, 0 in ${l.t}); the decomposition needs absorbing (staggered) treatment`,
        where,
        rowOf(l.r),
      );
  }
  return Float64Array.from({ length: N }, (_, r) => firstOn.get(unit[r]!) ?? 0);
}

function inputErrorAt(msg: string, where: { file?: string; column: string }, row: number): Error {
  return inputError(msg, { file: where.file, row, column: where.column });
}
