import { test } from "node:test";
import assert from "node:assert/strict";
import { buildStack, stackedFit } from "../../../src/estimators/stacked.js";
import type { StaggeredInput } from "../../../src/estimators/imputation.js";
import { feols } from "../../../src/estimators/feols.js";
import { computeVcov, coefTable } from "../../../src/inference/vcov.js";
import { assertClose } from "../../helpers.js";
import { simulate, type SimPanel } from "./sim.js";

function toInput(p: SimPanel): StaggeredInput {
  return { y: p.y, unit: p.unit, nUnits: p.nUnits, time: p.time, cohort: p.cohort };
}

/** A tiny balanced panel: units with the given cohorts, periods 1..T, y = 0. */
function tinyPanel(cohorts: number[], T: number, drop: [number, number][] = []): StaggeredInput {
  const u: number[] = [],
    t: number[] = [],
    g: number[] = [];
  cohorts.forEach((c, i) => {
    for (let s = 1; s <= T; s++)
      if (!drop.some(([du, dt]) => du === i && dt === s)) {
        u.push(i);
        t.push(s);
        g.push(c);
      }
  });
  return { y: new Float64Array(u.length), unit: Int32Array.from(u), nUnits: cohorts.length, time: Float64Array.from(t), cohort: Float64Array.from(g) };
}

test("stacked: sub-experiments, clean controls and WFH weights equal a hand computation", () => {
  // cohorts: 4 ×3 units, 5 ×1, never ×4, 8 ×2; periods 1..8, window −2:1
  const inp = tinyPanel([4, 4, 4, 5, 0, 0, 0, 0, 8, 8], 8);
  const { stack, subExperiments } = buildStack(inp, { kPre: 2, kPost: 1, weights: "wfh" });
  // sub 4: periods 2..5, controls never (4) + cohort 8 (2); sub 5: periods 3..6, same controls; sub 8: 6..9 leaves the data
  assert.deepEqual(
    subExperiments.map((s) => [s.cohort, s.included, s.n_treated, s.n_control]),
    [
      [4, true, 3, 6],
      [5, true, 1, 6],
      [8, false, 0, 0],
    ],
  );
  assert.match(subExperiments[2]!.reason!, /leaves the observed periods 1–8/);
  assert.equal(stack.n, (3 + 6) * 4 + (1 + 6) * 4);
  // N^D = 4, N^C = 12 at every event time: Q_4 = (3/4)/(6/12) = 1.5, Q_5 = (1/4)/(6/12) = 0.5
  for (let r = 0; r < stack.n; r++) {
    const want = stack.treat[r] ? 1 : stack.sub[r] === 0 ? 1.5 : 0.5;
    assert.equal(stack.weight[r], want);
  }
  assert.equal(subExperiments[0]!.control_weight, 1.5);
  // unbalanced: drop control unit 4 at period 5 (e = 1 of sub 4, e = 0 of sub 5)
  const ub = buildStack(tinyPanel([4, 4, 4, 5, 0, 0, 0, 0, 8, 8], 8, [[4, 5]]), { kPre: 2, kPost: 1 });
  for (let r = 0; r < ub.stack.n; r++) {
    if (ub.stack.treat[r]) continue;
    const s = ub.stack.sub[r]!,
      e = ub.stack.e[r]!;
    // sub 4 at e = 1: N^C_{4,1} = 5, N^C_1 = 5 + 6 = 11 → (3/4)/(5/11); sub 5 at e = 1: (1/4)/(6/11)
    // sub 4 at e = 0: 6 of 11 → (3/4)/(6/11); sub 5 at e = 0: 5 of 11 → (1/4)/(5/11)
    let want = s === 0 ? 1.5 : 0.5;
    if (s === 0 && e === 1) want = 3 / 4 / (5 / 11);
    if (s === 1 && e === 1) want = 1 / 4 / (6 / 11);
    if (s === 0 && e === 0) want = 3 / 4 / (6 / 11);
    if (s === 1 && e === 0) want = 1 / 4 / (5 / 11);
    assertClose(ub.stack.weight[r]!, want, 1e-15, `sub ${s} e ${e}`);
  }
  // no clean control: every unit treated inside the window
  assert.throws(() => buildStack(tinyPanel([4, 4, 5, 5], 8), { kPre: 2, kPost: 1 }), /cohort 4: no clean controls.*cohort 5: no clean controls/);
  const one = buildStack(tinyPanel([4, 4, 6, 6], 8), { kPre: 2, kPost: 1 });
  assert.deepEqual(
    one.subExperiments.map((s) => [s.cohort, s.included, s.n_control]),
    [
      [4, true, 2],
      [6, false, 0],
    ],
  );
  assert.match(one.subExperiments[1]!.reason!, /no clean controls/);
  assert.throws(() => buildStack(tinyPanel([4, 0], 8), { kPre: 0, kPost: 1 }), /κ_pre ≥ 1/);
});

/** Per-sub-experiment DIDs from cell means: (Ȳ^D_e − Ȳ^D_{−1}) − (Ȳ^C_e − Ȳ^C_{−1}). */
function handDid(p: SimPanel, a: number, kPost: number, e: number): { did: number; nD: number; nC: number } {
  const mean = (treated: boolean, t: number) => {
    let s = 0,
      c = 0;
    for (let i = 0; i < p.n; i++) {
      const g = p.cohort[i]!;
      const inGroup = treated ? g === a : g === 0 || g > a + kPost;
      if (inGroup && p.time[i] === t) {
        s += p.y[i]!;
        c++;
      }
    }
    return { m: s / c, c };
  };
  const d1 = mean(true, a + e),
    d0 = mean(true, a - 1),
    c1 = mean(false, a + e),
    c0 = mean(false, a - 1);
  return { did: d1.m - d0.m - (c1.m - c0.m), nD: d0.c, nC: c0.c };
}

test("stacked: coefficients equal the hand-built weighted averages of sub-experiment DIDs (WFH and Cengiz)", () => {
  const periods = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const p = simulate(21, { nUnits: 90, periods, cohorts: [0, 4, 5, 5, 7, 10], effect: (g, e) => g * 0.3 + e * (g === 5 ? 2 : 0.5), noise: 1 });
  const kPre = 3,
    kPost = 2;
  const cohorts = [4, 5, 7]; // 10 leaves the data with κ_post = 2
  for (const [weights, fe] of [
    ["wfh", "stack"],
    ["wfh", "pooled"],
    ["none", "stack"],
  ] as const) {
    const sf = stackedFit(toInput(p), { kPre, kPost, weights, fe });
    assert.deepEqual(
      sf.subExperiments.filter((s) => s.included).map((s) => s.cohort),
      cohorts,
    );
    sf.eventTimes.forEach((e, k) => {
      let num = 0,
        den = 0;
      for (const a of cohorts) {
        const h = handDid(p, a, kPost, e);
        // WFH: treated shares; Cengiz (unweighted, sub-experiment × time FE): N^D N^C / (N^D + N^C)
        const w = weights === "wfh" ? h.nD : (h.nD * h.nC) / (h.nD + h.nC);
        num += w * h.did;
        den += w;
      }
      assertClose(sf.fit.coef[k]!, num / den, 1e-9, `${weights}/${fe} rel::${e}`);
    });
  }
  // no noise: WFH recovers the trimmed aggregate ATT Σ_a N^D_a τ(a, e) / N^D exactly; unweighted stacking does not
  const effect = (g: number, e: number) => (g === 4 ? 5 : 1) * (1 + e);
  const q = simulate(22, { nUnits: 90, periods, cohorts: [0, 0, 4, 5, 5, 5, 7], effect, noise: 0 });
  const wf = stackedFit(toInput(q), { kPre, kPost, weights: "wfh" });
  const cz = stackedFit(toInput(q), { kPre, kPost, weights: "none" });
  const nD = cohorts.map((a) => new Set([...q.unit].filter((_, i) => q.cohort[i] === a)).size);
  const e2 = wf.eventTimes.indexOf(2);
  const truth = cohorts.reduce((s, a, j) => s + nD[j]! * effect(a, 2), 0) / nD.reduce((s, x) => s + x, 0);
  assertClose(wf.fit.coef[e2]!, truth, 1e-9, "WFH trimmed ATT at e = 2");
  assert.ok(Math.abs(cz.fit.coef[e2]! - truth) > 0.05 * truth, `unweighted stacking ${cz.fit.coef[e2]} vs ${truth}`);
  for (const e of [-3, -2]) assert.ok(Math.abs(wf.fit.coef[wf.eventTimes.indexOf(e)]!) < 1e-9);
});

test("stacked: one cohort with never-treated controls equals the TWFE event study and static DID on that subsample (coefficients and SEs)", () => {
  const p = simulate(31, { nUnits: 60, periods: [1, 2, 3, 4, 5, 6, 7, 8], cohorts: [0, 5], effect: (_g, e) => 1 + e, noise: 1, missing: 0.1 });
  const kPre = 3,
    kPost = 2;
  for (const weights of ["wfh", "none"] as const) {
    const sf = stackedFit(toInput(p), { kPre, kPost, weights });
    const sub = [...Array(p.n).keys()].filter((i) => p.time[i]! >= 2 && p.time[i]! <= 7);
    const x = sf.eventTimes.map((e) => ({ name: `rel::${e}`, values: Float64Array.from(sub, (i) => (p.cohort[i] === 5 && p.time[i]! - 5 === e ? 1 : 0)) }));
    const unit = Int32Array.from(sub, (i) => p.unit[i]!);
    const tw = feols({
      y: Float64Array.from(sub, (i) => p.y[i]!),
      yName: "y",
      x,
      fixedEffects: [
        { name: "u", codes: unit, nLevels: p.nUnits },
        { name: "t", codes: Int32Array.from(sub, (i) => p.time[i]! - 2), nLevels: 6 },
      ],
    });
    const cl = (codes: Int32Array) => ({ type: "cluster" as const, clusters: [{ name: "unit", codes, nLevels: p.nUnits }] });
    const a = coefTable(tw, computeVcov(tw, cl(unit)));
    const b = coefTable(sf.fit, computeVcov(sf.fit, cl(Int32Array.from(sf.stack.row, (i) => p.unit[i]!))));
    assert.equal(sf.fit.nobs, tw.nobs);
    a.forEach((r, k) => {
      assertClose(b[k]!.estimate!, r.estimate!, 1e-10, `${weights} ${r.term}`);
      assertClose(b[k]!.std_error!, r.std_error!, 1e-10, `${weights} ${r.term} se`);
    });
    // static: treat·1[e ≥ 0] against the plain TWFE DID on the same subsample
    const ss = stackedFit(toInput(p), { kPre, kPost, weights, static: true });
    const tws = feols({
      y: Float64Array.from(sub, (i) => p.y[i]!),
      yName: "y",
      x: [{ name: "treat_post", values: Float64Array.from(sub, (i) => (p.cohort[i] === 5 && p.time[i]! >= 5 ? 1 : 0)) }],
      fixedEffects: [
        { name: "u", codes: unit, nLevels: p.nUnits },
        { name: "t", codes: Int32Array.from(sub, (i) => p.time[i]! - 2), nLevels: 6 },
      ],
    });
    const sa = coefTable(tws, computeVcov(tws, cl(unit)))[0]!;
    const sb = coefTable(ss.fit, computeVcov(ss.fit, cl(Int32Array.from(ss.stack.row, (i) => p.unit[i]!))))[0]!;
    assert.equal(sb.term, "treat_post");
    assertClose(sb.estimate!, sa.estimate!, 1e-10, `${weights} static`);
    assertClose(sb.std_error!, sa.std_error!, 1e-10, `${weights} static se`);
  }
});

test("stacked/imputation flag parsing: windows and horizon ranges", async () => {
  const { parseWindow } = await import("../../../src/cli/commands/did-stacked.js");
  const { parseIntRange } = await import("../../../src/analyses/imputation.js");
  assert.deepEqual(parseWindow("-3:2"), { kPre: 3, kPost: 2 });
  for (const bad of ["abc", "0:2", "-2:-1", "-3"])
    assert.throws(
      () => parseWindow(bad),
      (e: Error & { exitCode?: number }) => e.exitCode === 2,
      bad,
    );
  assert.deepEqual(parseIntRange("0:3", "--horizons"), [0, 1, 2, 3]);
  assert.deepEqual(parseIntRange("0, 2,5", "--horizons"), [0, 2, 5]);
  assert.throws(() => parseIntRange("3:1", "--horizons"), /must not exceed/);
});
