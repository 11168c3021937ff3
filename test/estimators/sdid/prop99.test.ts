/** Synthetic DID on California Prop 99 against R synthdid 0.0.9 (test/fixtures/refs/prop99_synthdid.json). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertClose, fixture, readJson } from "../../helpers.js";
import { readCsv, num } from "./csv.js";
import { Rng } from "../../../src/core/rng.js";
import { blockPanel, widePanel } from "../../../src/estimators/sdid/sdid-panel.js";
import { sdid, sdidTrajectory, sdidWithSettings } from "../../../src/estimators/sdid/sdid.js";
import { sdidBootstrapSe, sdidJackknifeSe, sdidPlaceboSe } from "../../../src/inference/sdid-variance.js";

interface Ref {
  estimates: { term: string; estimate: number; std_error_placebo_seed12345: number }[];
  sdid_weights: { unit: { unit: string; weight: number }[]; time: { time: string; weight: number }[] };
  sc_weights: { unit: { unit: string; weight: number }[] };
  published_table1: Record<string, [number, number]>;
}
const ref = readJson<Ref>(fixture("refs", "prop99_synthdid.json"));

export function prop99() {
  const d = readCsv(fixture("data", "california_prop99.csv"));
  const w = widePanel({ unit: d.State!, time: num(d.Year!), y: num(d.PacksPerCapita!), treat: num(d.treated!) });
  return blockPanel(w);
}
const b = prop99();

test("Prop 99 panel: 38 controls, California treated from 1989 (19 pre, 12 post periods)", () => {
  assert.equal(b.panel.N0, 38);
  assert.deepEqual(b.treated, ["California"]);
  assert.equal(b.panel.T0, 19);
  assert.equal(b.times[b.panel.T0], 1989);
});

for (const [k, m] of [
  [0, "sdid"],
  [1, "sc"],
  [2, "did"],
] as const) {
  test(`${m} estimate equals synthdid to 1e-9 and the published Table 1 value to 1e-4 (rounded)`, () => {
    const f = sdid(b.panel, { method: m });
    assertClose(f.estimate, ref.estimates[k]!.estimate, 1e-9, m);
    assert.ok(Math.abs(f.estimate - ref.published_table1[m]![0]) <= 0.05 + 1e-9, "published value (1 decimal)");
  });
}

test("noise level σ̂ = 5.494401 and ζ_ω = (1·12)^{1/4}·σ̂ = 10.226233, ζ_λ = 1e-6·σ̂", () => {
  const f = sdid(b.panel);
  assertClose(f.settings.noiseLevel, 5.494401, 1e-6, "sigma");
  assertClose(f.settings.zetaOmega, 10.226233, 1e-6, "zeta omega");
  assertClose(f.settings.zetaLambda, 5.494401e-6, 1e-6, "zeta lambda");
  assertClose(f.settings.minDecrease, 5.494401e-5, 1e-6, "min decrease");
});

test("SDID unit and time weights equal synthdid's to 1e-9", () => {
  const f = sdid(b.panel);
  assert.equal(ref.sdid_weights.unit.length, 38);
  for (const r of ref.sdid_weights.unit) {
    const i = b.controls.indexOf(r.unit);
    assert.ok(i >= 0, r.unit);
    assert.ok(Math.abs(f.omega[i]! - r.weight) <= 1e-9, `${r.unit}: ${f.omega[i]} vs ${r.weight}`);
  }
  for (const r of ref.sdid_weights.time) {
    const k = b.times.indexOf(Number(r.time));
    assert.ok(Math.abs(f.lambda[k]! - r.weight) <= 1e-9, `${r.time}: ${f.lambda[k]} vs ${r.weight}`);
  }
  assert.equal(Array.from(f.omega).filter((x) => x > 0).length, 28);
});

test("SC unit weights equal synthdid's to 1e-9; SC has no time weights", () => {
  const f = sdid(b.panel, { method: "sc" });
  for (const r of ref.sc_weights.unit) {
    const i = b.controls.indexOf(r.unit);
    assert.ok(Math.abs(f.omega[i]! - r.weight) <= 1e-9, `${r.unit}: ${f.omega[i]} vs ${r.weight}`);
  }
  assert.ok(f.lambda.every((x) => x === 0));
});

test("trajectories: post-period mean of treated − shifted synthetic equals the estimate", () => {
  for (const m of ["sdid", "sc", "did"] as const) {
    const f = sdid(b.panel, { method: m });
    const tr = sdidTrajectory(b.panel, f.omega, f.lambda);
    let s = 0;
    for (let t = b.panel.T0; t < b.panel.T; t++) s += tr.effect[t]!;
    assertClose(s / (b.panel.T - b.panel.T0), f.estimate, 1e-10, m);
  }
});

test("jackknife and bootstrap SEs are NA with a single treated unit (as synthdid)", () => {
  const f = sdid(b.panel);
  const jk = sdidJackknifeSe(b.panel, f);
  assert.ok(Number.isNaN(jk.se));
  assert.match(jk.note ?? "", /single treated unit/);
  assert.ok(Number.isNaN(sdidBootstrapSe(b.panel, f, new Rng(1)).se));
});

test("placebo SE (200 replications): sqrt((r−1)/r)·sd of the draws; several seeds near the published 8.4", () => {
  const f = sdid(b.panel);
  const ses: number[] = [];
  for (const seed of [1, 2, 3]) {
    const r = sdidPlaceboSe(b.panel, f, new Rng(seed), { replications: 200 });
    const m = r.draws.reduce((a, v) => a + v, 0) / 200;
    const pop = Math.sqrt(r.draws.reduce((a, v) => a + (v - m) ** 2, 0) / 200);
    assertClose(r.se, pop, 1e-12, "population sd");
    ses.push(r.se);
  }
  // Monte-Carlo spread of a 200-draw sd is about 5%; R's own seed-12345 value is 8.368.
  for (const s of ses) assert.ok(s > 7.0 && s < 10.5, `placebo SE ${s} outside [7.0, 10.5]`);
  assert.notEqual(ses[0], ses[1]);
});

test("placebo draws: each is the fit with one control relabelled treated; the SE tends to the exact enumeration (9.37)", () => {
  // With one treated unit a placebo draw only depends on which control becomes treated, so the
  // infinite-replication placebo SE is the population sd over all 38 such fits (brute force here).
  // The published 8.4 is one 200-draw realisation (R, seed 12345: 8.368).
  const f = sdid(b.panel);
  const { Y, N0, T, T0 } = b.panel;
  const exact: number[] = [];
  for (let j = 0; j < N0; j++) {
    const rows = [...Array(N0).keys()].filter((k) => k !== j);
    const sub = new Float64Array(N0 * T);
    rows.forEach((r, k) => sub.set(Y.subarray(r * T, r * T + T), k * T));
    sub.set(Y.subarray(j * T, j * T + T), (N0 - 1) * T);
    const start = Float64Array.from(rows, (r) => f.omega[r]!);
    const s = start.reduce((a, v) => a + v, 0);
    for (let k = 0; k < start.length; k++) start[k] = start[k]! / s;
    exact.push(sdidWithSettings({ Y: sub, N: N0, T, N0: N0 - 1, T0 }, f.settings, start, f.lambda).estimate);
  }
  const m = exact.reduce((a, v) => a + v, 0) / N0;
  const exactSe = Math.sqrt(exact.reduce((a, v) => a + (v - m) ** 2, 0) / N0);
  assertClose(exactSe, 9.371, 1e-3, "exact placebo SE");
  const r = sdidPlaceboSe(b.panel, f, new Rng(7), { replications: 2000 });
  for (const v of r.draws)
    assert.ok(
      exact.some((e) => Math.abs(e - v) <= 1e-9 * Math.abs(e)),
      `draw ${v} is not one of the 38 placebo fits`,
    );
  // 2000 draws: the sd of an sd estimate is about SE·sqrt((κ − 1)/(4B)) ≈ 2.5% here; allow 4 of them
  assert.ok(Math.abs(r.se - exactSe) <= 0.1 * exactSe, `SE ${r.se} vs exact ${exactSe}`);
});

test("placebo SE is refused when there are not more controls than treated units", () => {
  const p = { Y: b.panel.Y.slice(0, 4 * b.panel.T), N: 4, T: b.panel.T, N0: 2, T0: b.panel.T0 };
  const f = sdid(p);
  assert.throws(() => sdidPlaceboSe(p, f, new Rng(1), { replications: 10 }), /more controls than treated/);
});

test("placebo draws: with one treated unit each draw is the estimate with one control relabelled treated (enumerated)", () => {
  // With N1 = 1 the placebo distribution has N0 support points; their population sd is the
  // infinite-replication placebo SE (SDID 9.371, SC 10.615, DID 17.287 here).
  const p = b.panel;
  const T = p.T;
  for (const m of ["sdid", "sc"] as const) {
    const f = sdid(p, { method: m });
    const support: number[] = [];
    for (let j = 0; j < p.N0; j++) {
      const rows = [...Array(p.N0).keys()].filter((k) => k !== j).concat([j]);
      const Y = new Float64Array(p.N0 * T);
      rows.forEach((r, k) => Y.set(p.Y.subarray(r * T, r * T + T), k * T));
      const om = Float64Array.from(rows.slice(0, -1), (r) => f.omega[r]!);
      const s = om.reduce((a, v) => a + v, 0);
      const start = s > 0 ? om.map((v) => v / s) : om.fill(1 / om.length);
      support.push(sdidWithSettings({ Y, N: p.N0, T, N0: p.N0 - 1, T0: p.T0 }, f.settings, start, f.lambda).estimate);
    }
    const r = sdidPlaceboSe(p, f, new Rng(11), { replications: 60 });
    for (const d of r.draws) {
      const near = Math.min(...support.map((v) => Math.abs(v - d)));
      assert.ok(near <= 1e-6 * (1 + Math.abs(d)), `${m}: placebo draw ${d} is not one of the ${p.N0} relabelled estimates (nearest ${near})`);
    }
    const mu = support.reduce((a, v) => a + v, 0) / support.length;
    const seInf = Math.sqrt(support.reduce((a, v) => a + (v - mu) ** 2, 0) / support.length);
    assertClose(seInf, m === "sdid" ? 9.370998652681692 : 10.6152967440389, 1e-6, `${m} infinite-replication SE`);
  }
});
