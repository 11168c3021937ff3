/**
 * Heterogeneity by split samples (seed Table 4): units are split at the median of their mean of a
 * moderator (pooled over years; `per: "year"` splits each year's rows at that year's median), the
 * baseline model (controls, unit + year FE, clustered) is fitted in each half, and d₀ = b_low − b_high
 * of `treat_post` is reported. TODO: the Fisher permutation p of d₀ (METHODS §10, bdiff) needs
 * src/inference/permutation.ts, which is not on main yet — `p_value` is null until it lands.
 */
import { makeResult, type EstimateRow, type KeytechResult } from "../../core/result.js";
import { inputError } from "../../core/errors.js";
import { quantile7 } from "../../core/stats.js";
import type { BlockContext } from "../blocks/types.js";
import { fitTwfe, medianSplit } from "../blocks/common.js";

/** 1 = above the median (per year: of that year's values; pooled: of the units' means). */
export function splitHigh(ctx: BlockContext, v: Float64Array, per: "pooled" | "year"): Uint8Array {
  if (per === "pooled") return medianSplit(ctx.data, v);
  const d = ctx.data;
  const out = new Uint8Array(d.n);
  for (let t = 0; t < d.times.length; t++) {
    const idx: number[] = [];
    for (let i = 0; i < d.n; i++) if (d.timeCodes[i] === t && Number.isFinite(v[i]!)) idx.push(i);
    if (!idx.length) continue;
    const med = quantile7(idx.map((i) => v[i]!), 0.5);
    for (const i of idx) out[i] = v[i]! > med ? 1 : 0;
  }
  return out;
}

export function heterogeneitySplit(input: { ctx: BlockContext; by: string; per?: "pooled" | "year" }): { low: KeytechResult; high: KeytechResult; difference: KeytechResult } {
  const { ctx } = input;
  const num = (n: string) => {
    const v = ctx.data.num[n];
    if (!v) throw inputError(`column '${n}' is not a numeric column of the panel`, { column: n });
    return v;
  };
  const mv = num(input.by);
  const high = splitHigh(ctx, mv, input.per ?? "pooled");
  // Rows with a missing moderator belong to neither half.
  const low = Uint8Array.from(high, (h, i) => (Number.isFinite(mv[i]!) && h === 0 ? 1 : 0));
  const y = num(ctx.spec.outcome.column);
  const x = [{ name: "treat_post", values: num("treat_post") }, ...ctx.spec.model.controls.map((c) => ({ name: c, values: num(c) }))];
  const spec = { y, yName: ctx.spec.outcome.column, x, command: "did twfe" };
  const rl = fitTwfe(ctx, { ...spec, mask: low, options: { split: input.by, half: "low" } });
  const rh = fitTwfe(ctx, { ...spec, mask: high, options: { split: input.by, half: "high" } });
  const bl = rl.estimates.find((e) => e.term === "treat_post")!, bh = rh.estimates.find((e) => e.term === "treat_post")!;
  const row: EstimateRow = {
    term: "treat_post:low-high", estimate: bl.estimate! - bh.estimate!, std_error: null, statistic: null,
    p_value: null, conf_low: null, conf_high: null, p_note: "Fisher permutation p pending src/inference/permutation.ts",
  };
  const difference: KeytechResult = makeResult({
    command: "heterogeneity", estimates: [row], nobs: rl.nobs + rh.nobs,
    headline: { term: "treat_post:low-high", label: "difference of treat_post between the low and high halves" },
    dropped: { singletons: 0, missing: 0, collinear: [] },
    provenance: { seed: null, inputs: ctx.data.inputHashes, options: { by: input.by, per: input.per ?? "pooled", n_low: rl.nobs, n_high: rh.nobs } },
  });
  return { low: rl, high: rh, difference };
}
