/**
 * Study-level mechanism analyses on a simulated county-year panel: mediation (Table 2) with the
 * Guo S_n tests, moderation (Table 5), split-sample heterogeneity (Table 4) and the paths block entry.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/rng.js";
import type { BlockContext } from "../../src/study/blocks/types.js";
import { didPanelFromArrays } from "../../src/data/panel.js";
import { jointMediationTest, mediationTable } from "../../src/analyses/mediation.js";
import { moderationTable } from "../../src/analyses/moderation.js";
import { heterogeneitySplit } from "../../src/analyses/heterogeneity.js";
import { pathsStudy } from "../../src/analyses/paths.js";
import { guoTest } from "../../src/inference/mediation-test.js";

const N = 80,
  T = 10;
/** Balanced panel, unit-major rows; staggered D; m1 = 0.5D + …; y = 1·m1 + 0.8D + 2·D×z + 0.5z + … (z unit-level). */
function world(seed: number) {
  const rng = new Rng(seed);
  const n = N * T;
  const num: Record<string, Float64Array> = {};
  for (const k of ["keytech", "treat_post", "m1", "m2", "z", "ctrl", "het"]) num[k] = new Float64Array(n);
  const unitCodes = new Int32Array(n),
    timeCodes = new Int32Array(n),
    time = new Float64Array(n);
  const te = Array.from({ length: T }, () => rng.normal());
  for (let u = 0; u < N; u++) {
    const ue = rng.normal(),
      z = rng.normal(),
      het = u % 2;
    const cohort = u < 20 ? 4 : u < 40 ? 6 : Infinity;
    for (let t = 0; t < T; t++) {
      const i = u * T + t;
      unitCodes[i] = u;
      timeCodes[i] = t;
      time[i] = 2010 + t;
      const D = t >= cohort ? 1 : 0;
      const c = rng.normal();
      const m1 = 0.5 * D + 0.3 * ue + 0.2 * c + rng.normal();
      const m2 = 0.4 * ue + rng.normal(); // not a mediator (α = 0)
      const eff = het === 1 ? 3 : 1; // heterogeneity: effect 1 (low) vs 3 (high)
      num.treat_post![i] = D;
      num.m1![i] = m1;
      num.m2![i] = m2;
      num.z![i] = z;
      num.ctrl![i] = c;
      num.het![i] = het;
      num.keytech![i] = 1 * m1 + 0.8 * D + 2 * D * z + (0.5 * z * t) / T + 0.3 * c + ue + te[t]! + rng.normal();
      num.keytech2 ??= new Float64Array(n);
      num.keytech2[i] = eff * D + 0.3 * c + ue + te[t]! + rng.normal();
    }
  }
  const ctx = {
    spec: { outcome: { column: "keytech", label: "KeyTech" }, model: { controls: ["ctrl"], cluster: "county" } },
    data: {
      n,
      unitId: Array.from(unitCodes, (u) => `c${u}`),
      unitCodes,
      units: Array.from({ length: N }, (_, u) => `c${u}`),
      time,
      times: Array.from({ length: T }, (_, t) => 2010 + t),
      timeCodes,
      num,
      clusterCodes: unitCodes,
      nClusters: N,
      inputHashes: {},
      unitName: "county",
      timeName: "year",
    },
    seed: 1,
    deps: {},
    workDir: "/tmp",
    log: () => {},
  } as unknown as BlockContext;
  ctx.data.panel = didPanelFromArrays({ file: "(study)", inputs: {}, unitName: "county", timeName: "year", unitCodes, units: ctx.data.units, time, num });
  return ctx;
}

const model = (ctx: BlockContext) => ({ outcome: ctx.spec.outcome.column, controls: ctx.spec.model.controls });

/** Two-way demeaning of a balanced panel (closed form). */
function demean2(x: Float64Array): Float64Array {
  const ui = new Float64Array(N),
    ti = new Float64Array(T);
  let all = 0;
  for (let u = 0; u < N; u++)
    for (let t = 0; t < T; t++) {
      const v = x[u * T + t]!;
      ui[u]! += v / T;
      ti[t]! += v / N;
      all += v;
    }
  all /= N * T;
  return x.map((v, i) => v - ui[Math.floor(i / T)]! - ti[i % T]! + all);
}

test("mediation (Table 2): a and b regressions, Sobel/MaxP, Guo S_n on FWL-demeaned data", () => {
  const ctx = world(1);
  const { models, summary } = mediationTable(ctx.data.panel, { ...model(ctx), mediators: ["m1", "m2"] });
  const a1 = models[0]!.a.estimates.find((e) => e.term === "treat_post")!;
  const b1 = models[0]!.b.estimates.find((e) => e.term === "m1")!;
  assert.ok(Math.abs(a1.estimate! - 0.5) < 4 * a1.std_error!, `a = ${a1.estimate} (${a1.std_error})`);
  assert.ok(Math.abs(b1.estimate! - 1) < 4 * b1.std_error!, `b = ${b1.estimate} (${b1.std_error})`);
  assert.equal(models[0]!.a.vcov!.type, "cluster");
  const sob = summary.estimates.find((e) => e.term === "sobel:m1")!;
  assert.ok(Math.abs(sob.estimate! - a1.estimate! * b1.estimate!) < 1e-12);
  assert.ok(sob.p_value! < 0.01);
  const j = jointMediationTest(ctx.data.panel, { ...model(ctx), mediators: ["m1", "m2"] });
  assert.deepEqual(
    j.estimates.map((e) => e.term),
    ["single:m1", "single:m2", "joint"],
  );
  assert.ok(j.estimates[0]!.p_value! < 0.01);
  // FWL check: the same test on closed-form two-way-demeaned columns with N + T − 1 absorbed parameters.
  const dm = (k: string) => demean2(ctx.data.num[k]!);
  const g = guoTest({ y: dm("keytech"), m: [dm("m1")], x: [dm("treat_post")], s: [dm("ctrl")], intercept: false, absorbedDf: N + T - 1 });
  assert.ok(Math.abs(j.estimates[0]!.statistic! - g.statistic) < 1e-6 * g.statistic, `${j.estimates[0]!.statistic} vs ${g.statistic}`);
  assert.ok(Math.abs(j.estimates[0]!.estimate! - g.indirect[0]!) < 1e-8);
});

test("moderation (Table 5): D, D×M and M's main effect", () => {
  const ctx = world(2);
  const [r] = moderationTable(ctx.data.panel, { ...model(ctx), by: ["z"] });
  const di = r!.estimates.find((e) => e.term === "treat_post:z")!;
  assert.ok(Math.abs(di.estimate! - 2) < 4 * di.std_error!, `D×z = ${di.estimate} (${di.std_error})`);
  assert.ok(r!.estimates.some((e) => e.term === "z" || r!.dropped.collinear.includes("z")));
});

test("heterogeneity (Table 4): split at the median, effect 1 vs 3 recovered, difference low − high", () => {
  const ctx = world(3);
  ctx.spec.outcome.column = "keytech2";
  const r = heterogeneitySplit(ctx.data.panel, { ...model(ctx), by: "het" });
  const bl = r.low.estimates.find((e) => e.term === "treat_post")!,
    bh = r.high.estimates.find((e) => e.term === "treat_post")!;
  assert.ok(Math.abs(bl.estimate! - 1) < 4 * bl.std_error! && Math.abs(bh.estimate! - 3) < 4 * bh.std_error!, `${bl.estimate} / ${bh.estimate}`);
  assert.equal(r.low.nobs + r.high.nobs, N * T);
  assert.ok(Math.abs(r.difference.estimates[0]!.estimate! - (bl.estimate! - bh.estimate!)) < 1e-12);
  assert.equal(r.difference.estimates[0]!.p_value, null); // permutation p pending (documented TODO)
});

test("paths study entry: Table 3 terms, listwise-dropped rows counted", async () => {
  const ctx = world(4);
  ctx.data.num.m1![5] = NaN;
  const r = await pathsStudy(ctx.data.panel, { ...model(ctx), mediators: ["m1", "m2"], model: "linear", boot: 8, seed: 2, workers: 1 });
  assert.deepEqual(
    r.estimates.map((e) => e.term),
    ["total", "path:m1", "path:m2", "direct"],
  );
  assert.equal(r.dropped.missing, 1);
  assert.equal(r.nobs, N * T - 1);
  assert.ok(r.estimates.every((e) => e.std_error !== null));
});

test("missing moderator (fixest's rule): rows with NA in a used variable are dropped and counted, in heterogeneity and moderation alike", () => {
  const ctx = world(5);
  ctx.spec.outcome.column = "keytech2";
  const het = ctx.data.num.het!;
  // unit 0 (het = 0, low half): two rows missing; unit 1 (het = 1, high half): one row missing
  het[0] = NaN;
  het[1] = NaN;
  het[T] = NaN;
  const r = heterogeneitySplit(ctx.data.panel, { ...model(ctx), by: "het" });
  assert.equal(r.low.dropped.missing, 2);
  assert.equal(r.high.dropped.missing, 1);
  assert.equal(r.difference.dropped.missing, 3);
  assert.equal(r.low.nobs + r.high.nobs, N * T - 3);
  ctx.data.num.z![0] = NaN;
  ctx.data.num.z![T + 1] = NaN;
  const [m] = moderationTable(ctx.data.panel, { ...model(ctx), by: ["z"] });
  assert.equal(m!.dropped.missing, 2);
  assert.equal(m!.nobs, N * T - 2);
});
