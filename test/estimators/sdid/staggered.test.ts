/** Staggered adoption (Stata sdid semantics), covariates and the variance estimators on simulated panels. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../../src/core/rng.js";
import { sdid } from "../../../src/estimators/sdid/sdid.js";
import { sdidStaggered, type StaggeredPanel } from "../../../src/estimators/sdid/sdid-staggered.js";
import { projectCovariates } from "../../../src/estimators/sdid/sdid-covariates.js";
import { sdidJackknifeSe, sdidStaggeredSe, sdidBootstrapSe, sdidPlaceboSe } from "../../../src/inference/sdid-variance.js";
import { sdidAnalysis } from "../../../src/analyses/sdid.js";
import { blockPanel, widePanel } from "../../../src/estimators/sdid/sdid-panel.js";

/** Y_it = α_i + β_t + γ_i f_t + τ·1{t ≥ a_i} + σε; cohorts given as [period index, count]. */
function simulate(N: number, T: number, cohorts: [number, number][], tau: number, sigma: number, seed: number, x?: Float64Array): StaggeredPanel {
  const rng = new Rng(seed);
  const adoption = new Int32Array(N).fill(-1);
  let i = N;
  for (const [a, n] of cohorts) for (let k = 0; k < n; k++) adoption[--i] = a;
  const f = Array.from({ length: T }, () => rng.normal());
  const beta = Array.from({ length: T }, (_, t) => 0.2 * t + rng.normal());
  const Y = new Float64Array(N * T);
  for (let u = 0; u < N; u++) {
    const al = 3 * rng.normal();
    const g = rng.normal();
    for (let t = 0; t < T; t++) {
      const a = adoption[u]!;
      Y[u * T + t] = al + beta[t]! + g * f[t]! + (a >= 0 && t >= a ? tau : 0) + sigma * rng.normal() + (x ? 2 * x[u * T + t]! : 0);
    }
  }
  return { Y, N, T, adoption };
}

test("staggered: ATT = Σ_a w_a τ̂_a with w_a ∝ N_a·T_post,a, and recovers a known constant effect", () => {
  const p = simulate(
    90,
    20,
    [
      [10, 8],
      [14, 6],
    ],
    3,
    0.3,
    1,
  );
  const fit = sdidStaggered(p);
  assert.equal(fit.cohorts.length, 2);
  const [c1, c2] = fit.cohorts;
  assert.equal(c1!.nTreated, 8);
  assert.equal(c1!.tPost, 10);
  assert.equal(c2!.tPost, 6);
  assert.ok(Math.abs(c1!.weight - 80 / 116) < 1e-15 && Math.abs(c2!.weight - 36 / 116) < 1e-15);
  assert.ok(Math.abs(fit.att - (c1!.weight * c1!.fit.estimate + c2!.weight * c2!.fit.estimate)) < 1e-12);
  assert.ok(Math.abs(fit.att - 3) < 0.25, `ATT ${fit.att} vs 3`);
  // each cohort is a block-design SDID on never-treated + that cohort, ζ recomputed per cohort
  assert.equal(c1!.panel.N0, 76);
  assert.equal(c1!.panel.T0, 10);
  assert.notEqual(c1!.fit.settings.zetaOmega, c2!.fit.settings.zetaOmega);
  assert.equal(c1!.fit.estimate, sdid(c1!.panel).estimate);
});

test("staggered with one cohort is the block design", () => {
  const p = simulate(40, 12, [[8, 3]], 1, 0.5, 2);
  const st = sdidStaggered(p);
  const rows = Int32Array.from({ length: 40 }, (_, i) => i);
  const w = { units: Array.from(rows, String), times: Array.from({ length: 12 }, (_, t) => t), Y: p.Y, adoption: p.adoption, rowOf: new Int32Array(480) };
  assert.equal(st.att, sdid(blockPanel(w).panel).estimate);
});

test("staggered placebo / bootstrap / jackknife SEs: finite, seeded, and of the order of the sampling sd", () => {
  const p = simulate(
    60,
    16,
    [
      [8, 4],
      [11, 3],
    ],
    2,
    0.5,
    3,
  );
  const fit = sdidStaggered(p);
  const pl = sdidStaggeredSe("placebo", p, fit, {}, new Rng(5), { replications: 30 });
  const pl2 = sdidStaggeredSe("placebo", p, fit, {}, new Rng(5), { replications: 30 });
  assert.deepEqual(pl.draws, pl2.draws);
  const bs = sdidStaggeredSe("bootstrap", p, fit, {}, new Rng(5), { replications: 30 });
  const jk = sdidStaggeredSe("jackknife", p, fit, {}, new Rng(5));
  for (const r of [pl, bs, jk]) assert.ok(Number.isFinite(r.se) && r.se > 0.02 && r.se < 2, `${r.method} SE ${r.se}`);
  const one = simulate(
    60,
    16,
    [
      [8, 4],
      [11, 1],
    ],
    2,
    0.5,
    3,
  );
  const jk1 = sdidStaggeredSe("jackknife", one, sdidStaggered(one), {}, new Rng(5));
  assert.ok(Number.isNaN(jk1.se) && /two treated units/.test(jk1.note ?? ""));
});

test("block design: placebo, bootstrap and jackknife SEs agree with the Monte-Carlo sd of the estimate", () => {
  // 40 independent panels from the same DGP: sd of τ̂ over them vs the average SE estimates (factor 2.5).
  const est: number[] = [];
  const se = { placebo: 0, bootstrap: 0, jackknife: 0 };
  const M = 40;
  for (let s = 0; s < M; s++) {
    const p = simulate(50, 12, [[8, 5]], 1, 1, 100 + s);
    const b = blockPanel({
      units: Array.from({ length: 50 }, (_, i) => String(i)),
      times: [...Array(12).keys()],
      Y: p.Y,
      adoption: p.adoption,
      rowOf: new Int32Array(600),
    });
    const f = sdid(b.panel);
    est.push(f.estimate);
    if (s < 8) {
      se.placebo += sdidPlaceboSe(b.panel, f, new Rng(s), { replications: 40 }).se / 8;
      se.bootstrap += sdidBootstrapSe(b.panel, f, new Rng(s), { replications: 40 }).se / 8;
      se.jackknife += sdidJackknifeSe(b.panel, f).se / 8;
    }
  }
  const m = est.reduce((a, v) => a + v, 0) / M;
  const sdHat = Math.sqrt(est.reduce((a, v) => a + (v - m) ** 2, 0) / (M - 1));
  assert.ok(Math.abs(m - 1) < (3 * sdHat) / Math.sqrt(M) + 0.05, `mean estimate ${m} vs 1`);
  for (const [k, v] of Object.entries(se)) assert.ok(v > sdHat / 2.5 && v < sdHat * 2.5, `${k} SE ${v} vs Monte-Carlo sd ${sdHat}`);
});

test("projected covariates: β̂ from never-treated units with unit and time FE; adjusted outcome recovers the effect", () => {
  const N = 60,
    T = 14;
  const rng = new Rng(9);
  const x = Float64Array.from({ length: N * T }, () => rng.normal());
  const p = simulate(N, T, [[9, 5]], 1.5, 0.2, 4, x);
  const never = Array.from(p.adoption, (a) => a < 0);
  const proj = projectCovariates(p.Y, N, T, [{ name: "x", values: x }], never);
  assert.ok(Math.abs(proj.beta[0]!.coef - 2) < 0.05, `beta ${proj.beta[0]!.coef}`);
  const st = sdidStaggered({ ...p, Y: proj.Y });
  assert.ok(Math.abs(st.att - 1.5) < 0.3, `ATT ${st.att}`);
  // a unit-constant covariate is absorbed by the unit effects and dropped
  const z = Float64Array.from({ length: N * T }, (_, k) => Math.floor(k / T));
  const pz = projectCovariates(p.Y, N, T, [{ name: "z", values: z }], never);
  assert.deepEqual(pz.dropped, ["z"]);
  assert.equal(pz.beta[0]!.coef, 0);
});

test("analysis on long data: staggered design detected, per-cohort weights reported", () => {
  const p = simulate(
    30,
    10,
    [
      [6, 3],
      [8, 2],
    ],
    2,
    0.3,
    6,
  );
  const unit: string[] = [],
    time: number[] = [],
    y: number[] = [],
    d: number[] = [];
  for (let i = 0; i < p.N; i++)
    for (let t = 0; t < p.T; t++) {
      unit.push(`u${i}`);
      time.push(2000 + t);
      y.push(p.Y[i * p.T + t]!);
      d.push(p.adoption[i]! >= 0 && t >= p.adoption[i]! ? 1 : 0);
    }
  const r = sdidAnalysis({ unit, time, y, treat: d, names: { unit: "u", time: "t", y: "y", treat: "d" }, se: "jackknife" });
  const s = r.sdid as { design: string };
  assert.equal(s.design, "staggered");
  const cohorts = r.cohorts as { cohort: number; weight: number }[];
  assert.deepEqual(
    cohorts.map((c) => c.cohort),
    [2006, 2008],
  );
  assert.ok(Math.abs(cohorts[0]!.weight - 12 / 16) < 1e-12);
  assert.equal(r.estimates[0]!.std_error === null, false);
  const w = widePanel({ unit, time, y, treat: d });
  assert.equal(w.units.length, 30);
});
