/**
 * HonestDiD bench (issue #16): sensitivity analysis of an event study with 4 pre- and 8 post-periods
 * (β̂ and an AR(1)-correlated Σ simulated with a fixed seed), then HonestDiD's LW example (9 pre, 23 post)
 * from the test fixtures. Each line: one call, wall seconds, peak RSS. Goal: 8 post periods in under a
 * second for each of the Δ^SD FLCI table, a Δ^RM C-LF set and a Δ^SD C-LF set.
 * Usage: node dist/bench/honest.js [--lw]
 */
import { readFileSync } from "node:fs";
import { Rng } from "../src/core/rng.js";
import { conditionalCsRm } from "../src/inference/honest/delta-rm.js";
import { conditionalCsSd } from "../src/inference/honest/delta-sd.js";
import { flciPath, optimalFlci } from "../src/inference/honest/flci.js";
import { loadLp } from "../src/inference/honest/lp.js";
import { honestSensitivity } from "../src/inference/honest/sensitivity.js";
import { basisVector, FoldedNormal, type HonestInput } from "../src/inference/honest/shared.js";
import { timed } from "./util.js";

function simulated(K: number, T: number, seed: number): HonestInput {
  const rng = new Rng(seed),
    n = K + T;
  const sigma = new Float64Array(n * n);
  const sd = Array.from({ length: n }, (_, i) => 0.01 * (1 + 0.1 * Math.abs(i - K + 0.5)));
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sigma[i * n + j] = sd[i]! * sd[j]! * Math.pow(0.5, Math.abs(i - j));
  const betahat = Float64Array.from({ length: n }, (_, i) => (i < K ? 0.002 * rng.normal() : -0.02 - 0.005 * (i - K)) + 0.005 * rng.normal());
  return { betahat, sigma, numPre: K, numPost: T };
}

await timed("load HiGHS + 10⁶ folded-normal draws (once)", async () => {
  await loadLp();
  new FoldedNormal(0);
});
const x = simulated(4, 8, 16);
console.log(`simulated event study: ${x.numPre} pre, ${x.numPost} post periods; grid 1,000 points, 1,000 LF draws`);
const l = basisVector(1, x.numPost);
const Ms = [0, 0.005, 0.01, 0.015, 0.02, 0.025];
await timed("Δ^SD FLCI, 6 values of M", () => {
  const p = flciPath(x, l);
  for (const M of Ms) optimalFlci(x, l, M, 0.05, 0, p);
});
await timed("Δ^RM C-LF, M̄ = 1 (8 polyhedra)", () => conditionalCsRm(x, l, 1, "LF"));
await timed("Δ^RM C-LF, 4 values of M̄", () => {
  for (const Mb of [0.5, 1, 1.5, 2]) conditionalCsRm(x, l, Mb, "LF");
});
await timed("Δ^SD C-LF, M = 0.01", () => conditionalCsSd(x, l, 0.01, "LF"));
await timed("Δ^SD Conditional, M = 0.01", () => conditionalCsSd(x, l, 0.01, "ARP"));
await timed("Δ^RM C-LF, average of the post periods, M̄ = 1", () => conditionalCsRm(x, new Float64Array(8).fill(1 / 8), 1, "LF"));
await timed("sensitivity Δ^RM (4 M̄) + breakdown", () => honestSensitivity(x, { restriction: "rm", Mbar: [0.5, 1, 1.5, 2] }));

if (process.argv.includes("--lw")) {
  const lw = (
    JSON.parse(readFileSync(new URL("../../test/fixtures/refs/honestdid_lw_medicaid.json", import.meta.url), "utf8")) as {
      lw: { inputs: { betahat: number[]; sigma: number[][]; numPrePeriods: number; numPostPeriods: number } };
    }
  ).lw.inputs;
  const y: HonestInput = {
    betahat: Float64Array.from(lw.betahat),
    sigma: Float64Array.from(lw.sigma.flat()),
    numPre: lw.numPrePeriods,
    numPost: lw.numPostPeriods,
  };
  console.log(`LW (HonestDiD's example): ${y.numPre} pre, ${y.numPost} post periods`);
  const ly = basisVector(1, y.numPost);
  await timed("LW Δ^SD FLCI, 6 values of M", () => {
    const p = flciPath(y, ly);
    for (const M of [0, 0.01, 0.02, 0.03, 0.04, 0.05]) optimalFlci(y, ly, M, 0.05, 0, p);
  });
  await timed("LW Δ^SD C-LF, M = 0.01", () => conditionalCsSd(y, ly, 0.01, "LF"));
  await timed("LW Δ^RM C-LF, M̄ = 1 (18 polyhedra)", () => conditionalCsRm(y, ly, 1, "LF"));
}
