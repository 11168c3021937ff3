/**
 * Monte Carlo with a known truth for Sun–Abraham and stacked DID (issue #3 "bias near zero where TWFE's is
 * not"): staggered cohorts 3, 5, 7 and never treated over periods 1–8, effects that differ by cohort and grow
 * with time since treatment, Y(0) = unit + period effects + noise (test/estimators/staggered/sim.ts). Each estimator is
 * compared with its own estimand computed from the simulated τ_it of the same draw:
 * - Sun–Abraham ATT (fixest `agg = "ATT"`): mean τ over treated post rows; β(l): mean τ at relative period l.
 * - Stacked DID with WFH weights, window −2…2: δ_e = Σ_a N^D_a τ(a, e)/Σ_a N^D_a over the included
 *   sub-experiments (cohorts 3 and 5; cohort 7's window leaves the data).
 * - Static TWFE on D_it = 1[t ≥ G_i] against the SA estimand: badly biased (forbidden comparisons).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { sunabAggregate, sunabAtt, sunabFit } from "../../../src/estimators/sunab.js";
import { stackedFit } from "../../../src/estimators/stacked.js";
import { feols } from "../../../src/estimators/feols.js";
import { computeVcov } from "../../../src/inference/vcov.js";
import { simulate, type SimPanel } from "./sim.js";

const periods = [1, 2, 3, 4, 5, 6, 7, 8];
const effect = (g: number, e: number): number => (g === 3 ? 2.5 : 1) * (1 + 0.7 * e);
const opts = { nUnits: 240, periods, cohorts: [0, 3, 5, 7], effect, noise: 1 };
const R = 40;

const unitFe = (p: SimPanel) => ({ name: "unit", codes: p.unit, nLevels: p.nUnits });
const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const sd = (a: number[]) => {
  const m = mean(a);
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / (a.length - 1));
};

function twfeStatic(p: SimPanel): number {
  return feols({
    y: p.y,
    yName: "y",
    x: [{ name: "treat_post", values: Float64Array.from(p.time, (t, i) => (p.cohort[i]! > 0 && t >= p.cohort[i]! ? 1 : 0)) }],
    fixedEffects: [unitFe(p), { name: "t", codes: Int32Array.from(p.time, (t) => t - 1), nLevels: periods.length }],
  }).coef[0]!;
}

/** mean τ over treated rows with t − G in `rels`. */
function meanTau(p: SimPanel, keep: (rel: number) => boolean): number {
  let s = 0,
    c = 0;
  for (let i = 0; i < p.n; i++)
    if (p.cohort[i]! > 0 && keep(p.time[i]! - p.cohort[i]!)) {
      s += p.tau[i]!;
      c++;
    }
  return s / c;
}

test("Sun–Abraham: ATT and β(l) unbiased under heterogeneous dynamic effects (|bias| < 3 MC se), static TWFE biased (> 20 MC se)", () => {
  const bAtt: number[] = [],
    bTw: number[] = [],
    bRel: number[][] = [[], [], [], [], []],
    ests: number[] = [];
  for (let rep = 0; rep < R; rep++) {
    const p = simulate(500 + rep, opts);
    const sf = sunabFit({ y: p.y, yName: "y", unit: unitFe(p), time: p.time, cohort: p.cohort });
    const V = computeVcov(sf.fit, { type: "cluster", clusters: [unitFe(p)] }).V;
    const att = sunabAtt(sf, V).estimate;
    const truth = meanTau(p, (l) => l >= 0);
    ests.push(att);
    bAtt.push(att - truth);
    bTw.push(twfeStatic(p) - truth);
    const agg = sunabAggregate(sf, V);
    for (let l = 0; l <= 4; l++) bRel[l]!.push(agg.find((r) => r.term === `rel::${l}`)!.estimate - meanTau(p, (x) => x === l));
  }
  const se = sd(ests) / Math.sqrt(R);
  assert.ok(Math.abs(mean(bAtt)) < 3 * se, `SA ATT bias ${mean(bAtt)} (MC se ${se})`);
  for (let l = 0; l <= 4; l++) assert.ok(Math.abs(mean(bRel[l]!)) < (3 * sd(bRel[l]!)) / Math.sqrt(R) + 1e-9, `SA β(${l}) bias ${mean(bRel[l]!)}`);
  assert.ok(Math.abs(mean(bTw)) > 20 * se, `TWFE bias ${mean(bTw)} should be large (MC se ${se})`);
});

test("stacked DID (WFH weights): event-time effects unbiased for the trimmed aggregate ATT (|bias| < 3 MC se); static TWFE biased", () => {
  const kPre = 2,
    kPost = 2;
  const bias: number[][] = [[], [], []],
    pooled: number[] = [],
    bTw: number[] = [];
  for (let rep = 0; rep < R; rep++) {
    const p = simulate(900 + rep, opts);
    const sf = stackedFit({ y: p.y, unit: p.unit, nUnits: p.nUnits, time: p.time, cohort: p.cohort }, { kPre, kPost, weights: "wfh" });
    const inc = sf.subExperiments.filter((s) => s.included).map((s) => s.cohort);
    assert.deepEqual(inc, [3, 5]);
    const nD = inc.map((a) => new Set([...p.unit].filter((_, i) => p.cohort[i] === a)).size);
    const truthE = (e: number) => inc.reduce((s, a, j) => s + nD[j]! * effect(a, e), 0) / nD.reduce((s, x) => s + x, 0);
    let pe = 0,
      pt = 0;
    for (let e = 0; e <= kPost; e++) {
      const est = sf.fit.coef[sf.eventTimes.indexOf(e)]!;
      bias[e]!.push(est - truthE(e));
      pe += est / (kPost + 1);
      pt += truthE(e) / (kPost + 1);
    }
    pooled.push(pe - pt);
    bTw.push(twfeStatic(p) - meanTau(p, (l) => l >= 0));
  }
  for (let e = 0; e <= kPost; e++) assert.ok(Math.abs(mean(bias[e]!)) < (3 * sd(bias[e]!)) / Math.sqrt(R), `stacked δ_${e} bias ${mean(bias[e]!)}`);
  const se = sd(pooled) / Math.sqrt(R);
  assert.ok(Math.abs(mean(pooled)) < 3 * se, `stacked pooled bias ${mean(pooled)} (MC se ${se})`);
  assert.ok(Math.abs(mean(bTw)) > 20 * se, `TWFE bias ${mean(bTw)} should be large`);
});
