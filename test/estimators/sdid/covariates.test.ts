/**
 * Optimized covariates (R synthdid's X / Stata covariates(x, optimized)): β fitted jointly with the
 * weights. No published numbers exist for the shipped datasets (Prop 99 has no covariates; Stata's
 * examples use the quota data, not shipped), so the checks are simulated truths and invariances.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertClose } from "../../helpers.js";
import { Rng } from "../../../src/core/rng.js";
import { sdid, sdidSettings, type SdidPanel } from "../../../src/estimators/sdid/sdid.js";
import { sdidOptimizedCovariates } from "../../../src/estimators/sdid/sdid-optimized.js";
import { sdidAnalysis, sdidAnalysisParallel } from "../../../src/analyses/sdid.js";

/**
 * Y_it = α_i + 0.2t + γ_i f_t + load·x_it + 1{treated, post} + 0.5ε; x is noise for controls and
 * trends up for the treated (+1.5 after adoption), so ignoring x biases τ̂ by about load·(1.5 + …).
 * z is an unrelated noise covariate. True effect 1.
 */
function sim(N: number, T: number, N1: number, T0: number, seed: number, load: number): { p: SdidPanel; x: Float64Array; z: Float64Array } {
  const rng = new Rng(seed);
  const f = Array.from({ length: T }, () => rng.normal());
  const Y = new Float64Array(N * T);
  const x = new Float64Array(N * T);
  const z = new Float64Array(N * T);
  for (let i = 0; i < N; i++) {
    const a = 3 * rng.normal();
    const g = rng.normal();
    const tr = i >= N - N1;
    for (let t = 0; t < T; t++) {
      const xv = 0.5 * rng.normal() + (tr ? 0.15 * t : 0) + (tr && t >= T0 ? 1.5 : 0);
      x[i * T + t] = xv;
      z[i * T + t] = rng.normal();
      Y[i * T + t] = a + 0.2 * t + g * f[t]! + load * xv + (tr && t >= T0 ? 1 : 0) + 0.5 * rng.normal();
    }
  }
  return { p: { Y, N, T, N0: N - N1, T0 }, x, z };
}

test("(a) a pure-noise covariate moves the estimate little (|Δτ̂| < 0.05 with τ = 1; β ≈ 0)", () => {
  for (const seed of [1, 2]) {
    const { p, z } = sim(60, 20, 6, 14, seed, 0);
    const base = sdid(p).estimate;
    const o = sdidOptimizedCovariates(p, [z], sdidSettings(p));
    assert.ok(Math.abs(o.estimate - base) < 0.05, `seed ${seed}: ${o.estimate} vs ${base}`);
    assert.ok(Math.abs(o.beta[0]!) < 0.1, `β ${o.beta[0]}`);
  }
});

test("(b) outcome loading on a time-varying covariate: optimized recovers τ = 1 where no covariates is biased", () => {
  for (const seed of [2, 3]) {
    const { p, x } = sim(60, 20, 6, 14, seed, 2);
    const none = sdid(p).estimate;
    const o = sdidOptimizedCovariates(p, [x], sdidSettings(p));
    assert.ok(Math.abs(none - 1) > 4, `no-covariate bias ${none - 1}`);
    assert.ok(Math.abs(o.estimate - 1) < 0.3, `seed ${seed}: optimized ${o.estimate}`);
    assert.ok(Math.abs(o.beta[0]! - 2) < 0.3, `β ${o.beta[0]} (true 2)`);
  }
});

test("standardised covariates: rescaling x leaves τ̂ unchanged and scales β; a zero covariate (unstandardised) ≈ unsparsified SDID", () => {
  const { p, x } = sim(30, 12, 4, 8, 5, 1);
  const s = sdidSettings(p);
  const a = sdidOptimizedCovariates(p, [x], s);
  const b = sdidOptimizedCovariates(p, [Float64Array.from(x, (v) => 10 * v + 3)], s);
  assertClose(b.estimate, a.estimate, 1e-9, "τ̂");
  assertClose(b.beta[0]!, a.beta[0]! / 10, 1e-9, "β");
  assert.throws(() => sdidOptimizedCovariates(p, [new Float64Array(p.N * p.T)], s), /constant/);
  // alternating single FW steps over 10⁴ iterations reach the same optimum as the plain solver
  const zero = sdidOptimizedCovariates(p, [new Float64Array(p.N * p.T)], s, {}, false);
  assertClose(zero.estimate, sdid(p, { sparsify: false }).estimate, 1e-3, "zero covariate");
  assert.equal(zero.beta[0], 0);
});

function longData(N: number, T: number, N1: number, T0: number, seed: number, staggered = false) {
  const { p, x } = sim(N, T, N1, T0, seed, 2);
  const unit: string[] = [];
  const time: number[] = [];
  const y: number[] = [];
  const treat: number[] = [];
  const xs: number[] = [];
  for (let i = 0; i < N; i++) {
    const a = i >= N - N1 ? (staggered && i % 2 === 0 ? T0 + 1 : T0) : -1;
    for (let t = 0; t < T; t++) {
      unit.push(`u${String(i).padStart(3, "0")}`);
      time.push(2000 + t);
      y.push(p.Y[i * T + t]!);
      treat.push(a >= 0 && t >= a ? 1 : 0);
      xs.push(x[i * T + t]!);
    }
  }
  return {
    unit,
    time,
    y: Float64Array.from(y),
    treat: Float64Array.from(treat),
    covariates: [{ name: "x", values: Float64Array.from(xs) }],
    names: { unit: "unit", time: "year", y: "y", treat: "d" },
  };
}

test("analysis: --covariates-method optimized reports β and the method; placebo SE re-fits β per draw, same for 1 or 2 workers; staggered is refused", async () => {
  const d = longData(24, 10, 3, 7, 8);
  const one = await sdidAnalysisParallel({ ...d, covariatesMethod: "optimized", se: "placebo", reps: 3, seed: 4, workers: 1 });
  const two = await sdidAnalysisParallel({ ...d, covariatesMethod: "optimized", se: "placebo", reps: 3, seed: 4, workers: 2 });
  const sync = sdidAnalysis({ ...d, covariatesMethod: "optimized", se: "placebo", reps: 3, seed: 4 });
  assert.deepEqual(one, two);
  assert.deepEqual(one, sync);
  const cov = one.covariates as { method: string; coefficients: { name: string; coef: number }[] };
  assert.match(cov.method, /^optimized/);
  assert.ok(Number.isFinite(cov.coefficients[0]!.coef) && cov.coefficients[0]!.coef !== 0);
  assert.ok((one.estimates[0]!.std_error ?? 0) > 0);
  const proj = sdidAnalysis({ ...d, se: "none" });
  assert.match((proj.covariates as { method: string }).method, /^projected/);
  const jk = sdidAnalysis({ ...d, covariatesMethod: "optimized", se: "jackknife" });
  assert.equal(jk.estimates[0]!.std_error, null);
  assert.throws(() => sdidAnalysis({ ...longData(24, 10, 4, 6, 8, true), covariatesMethod: "optimized", se: "none" }), /block designs/);
});
