/**
 * Heterogeneity by split samples (seed Table 4): units are split at the median of their mean of a
 * moderator (pooled over years; `per: "year"` splits each year's rows at that year's median), the
 * baseline model (controls, unit + year FE, clustered) is fitted in each half, and d₀ = b_low − b_high
 * of `treat_post` is reported. TODO: the Fisher permutation p of d₀ (METHODS §10, bdiff) needs
 * src/inference/permutation.ts, which is not on main yet — `p_value` is null until it lands.
 */
import { makeResult, type EstimateRow, type KeytechResult } from "../core/result.js";
import { quantile7 } from "../core/stats.js";
import type { DidPanel } from "../data/panel.js";
import { fitTwfe, medianSplit, panelColumn, type PanelModel } from "./twfe-fit.js";

/** 1 = above the median (per year: of that year's values; pooled: of the units' means). */
export function splitHigh(d: DidPanel, v: Float64Array, per: "pooled" | "year"): Uint8Array {
  if (per === "pooled") return medianSplit(d, v);
  const out = new Uint8Array(d.n);
  for (let t = 0; t < d.times.length; t++) {
    const idx: number[] = [];
    for (let i = 0; i < d.n; i++) if (d.timeCodes[i] === t && Number.isFinite(v[i]!)) idx.push(i);
    if (!idx.length) continue;
    const med = quantile7(
      idx.map((i) => v[i]!),
      0.5,
    );
    for (const i of idx) out[i] = v[i]! > med ? 1 : 0;
  }
  return out;
}

/**
 * The baseline model in the low and high halves of `by`, and d₀ = b_low − b_high. A missing moderator
 * follows fixest's rule: the split variable is a used variable, so a row where it is missing is dropped
 * from its unit's half and counted in that half's `dropped.missing` (the difference counts both).
 */
export function heterogeneitySplit(
  d: DidPanel,
  input: PanelModel & { by: string; per?: "pooled" | "year" },
): { low: KeytechResult; high: KeytechResult; difference: KeytechResult } {
  const mv = panelColumn(d, input.by);
  const high = splitHigh(d, mv, input.per ?? "pooled");
  const low = Uint8Array.from(high, (h) => 1 - h);
  const y = panelColumn(d, input.outcome);
  const x = [
    { name: input.treat ?? "treat_post", values: panelColumn(d, input.treat ?? "treat_post") },
    ...input.controls.map((c) => ({ name: c, values: panelColumn(d, c) })),
  ];
  const spec = { y, yName: input.outcome, x, used: [mv], command: "did twfe" };
  const rl = fitTwfe(d, { ...spec, mask: low, options: { split: input.by, half: "low" } });
  const rh = fitTwfe(d, { ...spec, mask: high, options: { split: input.by, half: "high" } });
  const bl = rl.estimates.find((e) => e.term === "treat_post")!,
    bh = rh.estimates.find((e) => e.term === "treat_post")!;
  const row: EstimateRow = {
    term: "treat_post:low-high",
    estimate: bl.estimate! - bh.estimate!,
    std_error: null,
    statistic: null,
    p_value: null,
    conf_low: null,
    conf_high: null,
    p_note: "Fisher permutation p: see the study's heterogeneity block (did permute)",
  };
  const difference: KeytechResult = makeResult({
    command: "heterogeneity",
    estimates: [row],
    nobs: rl.nobs + rh.nobs,
    headline: { term: "treat_post:low-high", label: "difference of treat_post between the low and high halves" },
    dropped: { singletons: 0, missing: rl.dropped.missing + rh.dropped.missing, collinear: [] },
    provenance: { seed: null, inputs: d.inputs, options: { by: input.by, per: input.per ?? "pooled", n_low: rl.nobs, n_high: rh.nobs } },
  });
  return { low: rl, high: rh, difference };
}
