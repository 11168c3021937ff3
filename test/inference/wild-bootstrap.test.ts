import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/rng.js";
import { feols, type FeolsInput, type FixedEffectInput } from "../../src/estimators/feols.js";
import { computeVcov, type ClusterInput } from "../../src/inference/vcov.js";
import { wildClusterBootstrap } from "../../src/inference/wild-bootstrap.js";
import { assertClose } from "../helpers.js";

/** G clusters of 3 units each, 6 periods, ~15% of rows missing; unit + period FEs; x1 (treatment-like), x2. */
function data(seed: number, G: number) {
  const r = new Rng(seed);
  const rows: [number, number][] = [];
  for (let u = 0; u < 3 * G; u++) for (let t = 0; t < 6; t++) if (r.uniform() > 0.15) rows.push([u, t]);
  const n = rows.length;
  const unit: FixedEffectInput = { name: "unit", codes: Int32Array.from(rows, (x) => x[0]), nLevels: 3 * G };
  const period: FixedEffectInput = { name: "period", codes: Int32Array.from(rows, (x) => x[1]), nLevels: 6 };
  const cluster: ClusterInput = { name: "cl", codes: Int32Array.from(rows, (x) => Math.floor(x[0] / 3)), nLevels: G };
  const shock = Array.from({ length: G }, () => r.normal());
  const x1 = Float64Array.from(rows, ([u, t]) => (u % 2 === 0 && t >= 3 ? 1 : 0) + 0.3 * r.normal());
  const x2 = Float64Array.from({ length: n }, () => r.normal());
  const y = Float64Array.from(rows, ([u, t], i) => 0.2 * x1[i]! + 0.5 * x2[i]! + 0.1 * u + 0.05 * t + shock[Math.floor(u / 3)]! * (t / 6) + r.normal());
  const w = Float64Array.from({ length: n }, () => 0.5 + r.uniform());
  return { y, x1, x2, unit, period, cluster, w, n };
}

function bruteForce(input: FeolsInput, cluster: ClusterInput, r0: number, G: number): Float64Array {
  // restricted model: y − r0·x1 on the other regressors and the same FEs
  const ry = Float64Array.from(input.y, (v, i) => v - r0 * input.x[0]!.values[i]!);
  const restricted = feols({ ...input, y: ry, x: input.x.slice(1) });
  const u = restricted.residuals;
  const yhat = Float64Array.from(input.y, (v, i) => v - u[i]!);
  const out = new Float64Array(2 ** G);
  for (let m = 0; m < 2 ** G; m++) {
    const ys = Float64Array.from(yhat, (v, i) => v + ((m >> cluster.codes[i]!) & 1 ? -1 : 1) * u[i]!);
    const f = feols({ ...input, y: ys });
    const vc = computeVcov(f, { type: "cluster", clusters: [cluster] });
    out[m] = (f.coef[0]! - r0) / Math.sqrt(vc.V.data[0]!);
  }
  return out;
}

test("WCR bootstrap = brute-force loop over all 2^G Rademacher draws (re-estimating the full model)", () => {
  for (const [seed, G, weighted, r0] of [
    [1, 8, false, 0],
    [2, 7, true, 0.1],
    [3, 10, false, -0.05],
  ] as const) {
    const d = data(seed, G);
    const input: FeolsInput = {
      y: d.y,
      yName: "y",
      x: [
        { name: "x1", values: d.x1 },
        { name: "x2", values: d.x2 },
      ],
      fixedEffects: [d.unit, d.period],
      weights: weighted ? d.w : undefined,
    };
    const res = wildClusterBootstrap(input, "x1", { cluster: d.cluster, reps: 9999, seed: 1, null: r0, returnDraws: true, ci: false });
    assert.equal(res.enumerated, true);
    assert.equal(res.reps, 2 ** G);
    const brute = bruteForce(input, d.cluster, r0, G);
    for (let m = 0; m < brute.length; m++) assertClose(res.tStars![m]!, brute[m]!, 1e-8, `t* draw ${m}`);
    // p-values from the brute-force draws with the same rule
    const fit = feols(input);
    const se = Math.sqrt(computeVcov(fit, { type: "cluster", clusters: [d.cluster] }).V.data[0]!);
    const t = (fit.coef[0]! - r0) / se;
    assertClose(res.statistic, t, 1e-10);
    const tol = 1e-10 * Math.max(1, Math.abs(t));
    const sym = brute.filter((x) => Math.abs(x) >= Math.abs(t) - tol).length / brute.length;
    const ge = brute.filter((x) => x >= t - tol).length,
      le = brute.filter((x) => x <= t + tol).length;
    assert.equal(res.p_value, sym);
    assert.equal(res.p_value_equal_tailed, Math.min(1, (2 * Math.min(ge, le)) / brute.length));
  }
});

test("WCR bootstrap: seeded, deterministic; Webb and Mammen; CI by test inversion brackets the estimate", () => {
  const d = data(5, 12);
  const input: FeolsInput = {
    y: d.y,
    yName: "y",
    x: [
      { name: "x1", values: d.x1 },
      { name: "x2", values: d.x2 },
    ],
    fixedEffects: [d.unit, d.period],
  };
  for (const weights of ["rademacher", "webb", "mammen"] as const) {
    const a = wildClusterBootstrap(input, "x1", { cluster: d.cluster, reps: 399, seed: 42, weights });
    const b = wildClusterBootstrap(input, "x1", { cluster: d.cluster, reps: 399, seed: 42, weights });
    const c = wildClusterBootstrap(input, "x1", { cluster: d.cluster, reps: 399, seed: 43, weights, returnDraws: true });
    assert.deepEqual(a, b);
    assert.equal(a.enumerated, false);
    assert.ok(a.p_value > 0 && a.p_value <= 1);
    assert.ok(c.tStars!.length === 399);
    assert.ok(a.conf_low! < a.estimate && a.estimate < a.conf_high!);
    // at the CI ends the bootstrap p-value crosses 1 − level
    const pl = wildClusterBootstrap(input, "x1", { cluster: d.cluster, reps: 399, seed: 42, weights, null: a.conf_low! - 1e-6, ci: false });
    const pin = wildClusterBootstrap(input, "x1", { cluster: d.cluster, reps: 399, seed: 42, weights, null: a.conf_low! + 1e-6, ci: false });
    assert.ok(pl.p_value <= 0.05 && pin.p_value > 0.05, `${pl.p_value} ${pin.p_value}`);
  }
  assert.throws(() => wildClusterBootstrap(input, "nope", { cluster: d.cluster, seed: 1 }), /nope/);
});

test("WCR bootstrap without fixed effects (intercept model) = brute force", () => {
  const d = data(8, 6);
  const input: FeolsInput = {
    y: d.y,
    yName: "y",
    x: [
      { name: "x1", values: d.x1 },
      { name: "x2", values: d.x2 },
    ],
    fixedEffects: [],
  };
  const res = wildClusterBootstrap(input, "x1", { cluster: d.cluster, seed: 1, returnDraws: true, ci: false });
  // brute force with the intercept: regressor order (Intercept), x1, x2
  const restricted = feols({ ...input, x: [input.x[1]!] });
  const u = restricted.residuals;
  for (let m = 0; m < 64; m++) {
    const ys = Float64Array.from(d.y, (v, i) => v - u[i]! + ((m >> d.cluster.codes[i]!) & 1 ? -1 : 1) * u[i]!);
    const f = feols({ ...input, y: ys });
    const vc = computeVcov(f, { type: "cluster", clusters: [d.cluster] });
    assertClose(res.tStars![m]!, f.coef[1]! / Math.sqrt(vc.V.data[1 * 3 + 1]!), 1e-8);
  }
});
