/** Counterfactual pilots: FWL shortcut equals feols, p-value uniform under the null, strata, determinism. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertClose } from "../../helpers.js";
import { simulatePilotPanel } from "./sim.js";
import { Rng } from "../../../src/core/rng.js";
import { feols } from "../../../src/estimators/feols.js";
import { PilotEngine, placeboPilots, type PilotPanel } from "../../../src/inference/placebo-pilots.js";
import { computeVcov } from "../../../src/inference/vcov.js";

function feolsFit(p: PilotPanel, units: Int32Array, cohorts: Int32Array): { beta: number; se: number } {
  const start = new Int32Array(p.nUnits).fill(1 << 30);
  units.forEach((u, j) => (start[u] = cohorts[j]!));
  const d = Float64Array.from(p.y, (_, r) => (p.time[r]! >= start[p.unit[r]!]! ? 1 : 0));
  const fit = feols({
    y: p.y,
    yName: "y",
    x: [{ name: "D", values: d }, ...p.x],
    fixedEffects: [
      { name: "unit", codes: p.unit, nLevels: p.nUnits },
      { name: "time", codes: p.time, nLevels: p.nTimes },
    ],
  });
  const j = fit.coefNames.indexOf("D");
  const vc = computeVcov(fit, { type: "cluster", clusters: [{ name: "unit", codes: p.unit, nLevels: p.nUnits }] });
  return { beta: fit.coef[j]!, se: Math.sqrt(vc.V.data[j * fit.coef.length + j]!) };
}
const feolsBeta = (p: PilotPanel, units: Int32Array, cohorts: Int32Array) => feolsFit(p, units, cohorts).beta;

function subset(p: PilotPanel, keep: (r: number) => boolean): PilotPanel {
  const rows = [...Array(p.y.length).keys()].filter(keep);
  return {
    ...p,
    unit: Int32Array.from(rows, (r) => p.unit[r]!),
    time: Int32Array.from(rows, (r) => p.time[r]!),
    y: Float64Array.from(rows, (r) => p.y[r]!),
    x: p.x.map((c) => ({ name: c.name, values: Float64Array.from(rows, (r) => c.values[r]!) })),
  };
}

test("β from the FWL shortcut equals feols (balanced closed form and unbalanced demeaning; with controls)", () => {
  const p = simulatePilotPanel(1, {
    N: 60,
    T: 10,
    cohorts: [
      [4, 3],
      [6, 4],
    ],
    tau: 0.7,
    controls: 2,
  });
  const rng = new Rng(2);
  const un = subset(p, (r) => (r * 7919) % 13 !== 0); // drop ~8% of the cells
  for (const q of [p, un]) {
    const eng = new PilotEngine(q);
    assert.equal(eng.balanced, q === p);
    for (let k = 0; k < 5; k++) {
      const units = rng.sample(60, 7);
      const cohorts = Int32Array.from([4, 4, 4, 6, 6, 6, 6]);
      assertClose(eng.beta(units, cohorts, 7), feolsBeta(q, units, cohorts), 1e-8, `draw ${k}`);
    }
    const noX = { ...q, x: [] };
    const units = rng.sample(60, 7);
    const cohorts = Int32Array.from([4, 4, 4, 6, 6, 6, 9]);
    assertClose(new PilotEngine(noX).beta(units, cohorts, 7), feolsBeta(noX, units, cohorts), 1e-8, "no controls");
  }
});

test("each draw's SE equals feols' cluster-robust (by unit) SE with fixest's default ssc (balanced, unbalanced, with/without controls)", () => {
  const p = simulatePilotPanel(11, {
    N: 50,
    T: 9,
    cohorts: [
      [4, 3],
      [6, 3],
    ],
    tau: 0.5,
    controls: 2,
  });
  const un = subset(p, (r) => (r * 7919) % 11 !== 0);
  const rng = new Rng(5);
  const out = new Float64Array(2);
  for (const q of [
    p,
    un,
    { ...p, x: [] },
    { ...un, x: [p.x[0]!].map((c) => ({ name: c.name, values: Float64Array.from(un.unit, (_, r) => un.x[0]!.values[r]!) })) },
  ]) {
    const eng = new PilotEngine(q);
    for (let k = 0; k < 4; k++) {
      const units = rng.sample(50, 6);
      const cohorts = Int32Array.from([4, 4, 4, 6, 6, k === 3 ? 9 : 6]);
      eng.betaSe(units, cohorts, 6, out);
      const ref = feolsFit(q, units, cohorts);
      assertClose(out[0]!, ref.beta, 1e-8, `β, draw ${k}`);
      assertClose(out[1]!, ref.se, 1e-8, `se, draw ${k}`);
    }
  }
});

test("real estimate detects a true effect: p small; draws keep each cohort's size and year", () => {
  const p = simulatePilotPanel(3, { tau: 0.8 });
  const seen = new Map<number, number>();
  const r = placeboPilots(p, new Rng(1), {
    replications: 300,
    onDraw: (u, c) => {
      seen.clear();
      for (const x of c) seen.set(x, (seen.get(x) ?? 0) + 1);
      assert.deepEqual(
        [...seen.entries()].sort((a, b) => a[0] - b[0]),
        [
          [12, 8],
          [13, 9],
          [16, 7],
        ],
      );
      assert.equal(new Set(u).size, 24);
      for (const x of u) assert.equal(p.cohort[x], -1, "pool = never-treated units");
    },
  });
  assert.ok(Math.abs(r.estimate - 0.8) < 0.25, `β̂ ${r.estimate}`);
  assert.equal(r.pValue, 0);
  assert.equal(r.pValueT, 0);
  assert.ok(r.tStat > 3 && r.stdError > 0, `t ${r.tStat}`);
  assert.equal(r.drawsT.length, 300);
  for (let k = 0; k < 300; k++) assertClose(r.drawsT[k]!, r.draws[k]! / r.drawsSe[k]!, 1e-15);
  assert.ok(Math.abs(r.mean) < 0.05, `placebo mean ${r.mean}`);
});

test("p-value is uniform under the null (435 × 22, 24 pilots in 3 cohorts): KS over 300 seeds, α = 0.01", () => {
  // True effect 0 and pilots drawn at random: the randomisation p-value must be ~U(0,1).
  // Kolmogorov–Smirnov distance of 300 p-values (200 draws each) < 1.63/√300 = 0.094 (5% = 0.078),
  // and the 5% rejection rate within a binomial 99.9% band [0.5%, 10.7%].
  // The same holds for the studentised p (share of |t_r| ≥ |t̂|), checked on the same runs.
  const ps: number[] = [];
  const pt: number[] = [];
  for (let s = 0; s < 300; s++) {
    const p = simulatePilotPanel(1000 + s, { tau: 0 });
    const r = placeboPilots(p, new Rng(s), { replications: 200, pool: s % 2 === 0 ? "nonpilot" : "all" });
    ps.push(r.pValue);
    pt.push(r.pValueT);
  }
  for (const [name, v] of [
    ["coefficient", ps],
    ["studentised", pt],
  ] as const) {
    v.sort((a, b) => a - b);
    let ks = 0;
    v.forEach((x, i) => (ks = Math.max(ks, Math.abs(x - i / v.length), Math.abs(x - (i + 1) / v.length))));
    assert.ok(ks < 0.094, `${name} p: KS distance ${ks.toFixed(3)}`);
    const rej = v.filter((x) => x <= 0.05).length / v.length;
    assert.ok(rej >= 0.005 && rej <= 0.107, `${name} p: rejection rate ${rej}`);
  }
});

test("rank strata: each fake pilot comes from the decile of the real pilot it replaces", () => {
  const p = simulatePilotPanel(5, {
    N: 200,
    T: 12,
    cohorts: [
      [6, 5],
      [8, 5],
    ],
    tau: 0,
  });
  const pre = new Float64Array(200);
  for (let r = 0; r < p.y.length; r++) if (p.time[r]! < 6) pre[p.unit[r]!] += p.y[r]! / 6;
  const res = placeboPilots(p, new Rng(4), {
    replications: 50,
    strata: "rank",
    onDraw: (u) => {
      const vals = Array.from(u, (x) => pre[x]!);
      assert.equal(vals.length, 10);
    },
  });
  const tab = res.strata!;
  assert.equal(
    tab.reduce((s, d) => s + d.pilots, 0),
    10,
  );
  assert.equal(
    tab.reduce((s, d) => s + d.pool, 0),
    190,
  );
  // the fake pilots' decile counts equal the real pilots' in every draw
  const poolVals = Array.from({ length: 200 }, (_, u) => u)
    .filter((u) => p.cohort[u]! < 0)
    .map((u) => pre[u]!)
    .sort((a, b) => a - b);
  const cut = (q: number) => {
    const h = (poolVals.length - 1) * q;
    const lo = Math.floor(h);
    return poolVals[lo]! + (h - lo) * (poolVals[Math.min(lo + 1, poolVals.length - 1)]! - poolVals[lo]!);
  };
  const cuts = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => cut(k / 10));
  const dec = (v: number) => cuts.filter((c) => v > c).length;
  const want = new Array(10).fill(0);
  for (let u = 0; u < 200; u++) if (p.cohort[u]! >= 0) want[dec(pre[u]!)]++;
  placeboPilots(p, new Rng(4), {
    replications: 20,
    strata: "rank",
    onDraw: (u) => {
      const got = new Array(10).fill(0);
      for (const x of u) got[dec(pre[x]!)]++;
      assert.deepEqual(got, want);
    },
  });
});

test("same seed → identical draws; different seed → different draws", () => {
  const p = simulatePilotPanel(7, { N: 100, T: 8, cohorts: [[4, 5]] });
  const a = placeboPilots(p, new Rng(1), { replications: 100 });
  const b = placeboPilots(p, new Rng(1), { replications: 100 });
  const c = placeboPilots(p, new Rng(2), { replications: 100 });
  assert.deepEqual(a.draws, b.draws);
  assert.notDeepEqual(a.draws, c.draws);
});
