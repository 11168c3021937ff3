/**
 * Edge cases and the pitfalls R did/DRDID fell into (METHODS.md "Pitfalls"): duplicate keys, unbalanced
 * panels, no never-treated units under not-yet-treated controls, NaN propagation, alignment by key (row
 * order), calendar weighting, weights, anticipation — each checked against a hand computation.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertClose } from "../../helpers.js";
import { mpdtaInput } from "./mpdta.js";
import { csAnalysis, csCompute } from "../../../src/analyses/cs.js";
import { buildWidePanel, type LongPanelInput } from "../../../src/estimators/cs/cs-panel.js";
import { KeytechError } from "../../../src/core/errors.js";
import { Rng } from "../../../src/core/rng.js";

type Row = { group: number; time: number; estimate: number | null; std_error: number | null };

function subset(inp: LongPanelInput, keep: (r: number) => boolean): LongPanelInput {
  const idx: number[] = [];
  for (let r = 0; r < inp.y.length; r++) if (keep(r)) idx.push(r);
  const pick = (a: ArrayLike<number>) => Float64Array.from(idx, (r) => a[r]!);
  return {
    ...inp,
    y: pick(inp.y),
    unit: pick(inp.unit as ArrayLike<number>),
    time: pick(inp.time),
    cohort: pick(inp.cohort),
    x: (inp.x ?? []).map((c) => ({ name: c.name, values: pick(c.values) })),
    weights: inp.weights ? pick(inp.weights) : undefined,
    cluster: inp.cluster ? pick(inp.cluster as ArrayLike<number>) : undefined,
  };
}

/** mean over units of cohort g of Y_t − Y_b (hand computation on the long data). */
function meanDiff(inp: LongPanelInput, cohortOk: (g: number) => boolean, t: number, b: number, w?: ArrayLike<number>): number {
  const yt = new Map<number, number>(),
    yb = new Map<number, number>(),
    wu = new Map<number, number>();
  for (let r = 0; r < inp.y.length; r++) {
    if (!cohortOk(inp.cohort[r]!)) continue;
    const u = inp.unit[r] as number;
    if (inp.time[r] === t) yt.set(u, inp.y[r]!);
    if (inp.time[r] === b) yb.set(u, inp.y[r]!);
    wu.set(u, w ? w[r]! : 1);
  }
  let s = 0,
    sw = 0;
  for (const [u, v] of yt) {
    s += wu.get(u)! * (v - yb.get(u)!);
    sw += wu.get(u)!;
  }
  return s / sw;
}

const throwsInput = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof KeytechError && e.kind === "input" && re.test(e.message));

test("duplicate (unit, period) rows are refused with the row named", () => {
  const inp = mpdtaInput(false);
  const dup = {
    ...inp,
    y: Float64Array.from([...(inp.y as Float64Array), 1]),
    unit: Float64Array.from([...(inp.unit as Float64Array), (inp.unit as Float64Array)[3]!]),
    time: Float64Array.from([...(inp.time as Float64Array), inp.time[3]!]),
    cohort: Float64Array.from([...(inp.cohort as Float64Array), inp.cohort[3]!]),
  };
  throwsInput(() => csAnalysis(dup), /duplicate \(unit, time\) rows: .*\(rows 4, 2501\)\. Each unit may appear once per period/);
});

test("unbalanced panels are refused unless allowed, listing the first units with missing periods", () => {
  const inp = mpdtaInput(false);
  const sub = subset(inp, (r) => !((inp.unit[r] === 8001 || inp.unit[r] === 8019) && inp.time[r] === 2005));
  throwsInput(() => csAnalysis(sub), /unbalanced panel: 2 of 500 units.*'8001' \(missing 2005\).*--allow-unbalanced/);
  const res = csAnalysis(sub, { allowUnbalanced: true });
  assert.equal(res.n_units, 500);
  assert.equal(res.nobs, 2498);
  assert.ok((res.warnings ?? []).some((w) => /unbalanced panel \(2 of 2500 unit-periods missing\)/.test(w)));
  assert.equal((res.provenance.options as { estimator_path: string }).estimator_path, "repeated cross sections within the panel (unit ids kept)");
});

test("missing outcome, cohort varying within a unit: refused with row and column", () => {
  const inp = mpdtaInput(false);
  const y = Float64Array.from(inp.y);
  y[10] = Number.NaN;
  throwsInput(() => csAnalysis({ ...inp, y }), /row 11, column 'lemp'/);
  const g = Float64Array.from(inp.cohort);
  g[1] = 2006;
  throwsInput(() => csAnalysis({ ...inp, cohort: g }), /row \d+, column 'first.treat'.*cohort varies/s);
});

test("no never-treated units: notyet uses the last cohort as control and keeps it (did 2.5.1 bug); never refuses", () => {
  const inp = mpdtaInput(false);
  const nn = subset(inp, (r) => inp.cohort[r] !== 0);
  throwsInput(() => csAnalysis(nn), /no never-treated units/);
  const res = csAnalysis(nn, { control: "notyet" });
  const nUnits = new Set(Array.from(nn.unit as Float64Array)).size;
  assert.equal(res.n_units, nUnits, "no unit dropped");
  // same as: 2007 cohort recoded never treated, years < 2007, never-treated controls
  const re = subset(nn, (r) => nn.time[r]! < 2007);
  const g2 = Float64Array.from(re.cohort, (g) => (g === 2007 ? 0 : g));
  const ref = csAnalysis({ ...re, cohort: g2 }, { control: "notyet" });
  const a = res.att_gt as Row[],
    b = ref.att_gt as Row[];
  assert.equal(a.length, b.length);
  assert.deepEqual(
    a.map((c) => c.group),
    [2004, 2004, 2004, 2006, 2006, 2006],
  );
  a.forEach((c, k) => assertClose(c.estimate!, b[k]!.estimate!, 1e-10));
  // hand check ATT(2004, 2005): cohort 2004 vs not-yet-treated (2006 and the former 2007 cohort), base 2003
  const hand = meanDiff(nn, (g) => g === 2004, 2005, 2003) - meanDiff(nn, (g) => g === 2006 || g === 2007, 2005, 2003);
  assertClose(a[1]!.estimate!, hand, 1e-10);
});

test("NaN propagates: an overlap-failure cell is NA (never 0); na_rm drops it, na_rm = false makes the aggregates NA", () => {
  // one never-treated unit against 300 treated: intercept-only propensity score 300/301 ≥ 0.995 → all controls trimmed
  const rng = new Rng(3);
  const y: number[] = [],
    unit: number[] = [],
    time: number[] = [],
    cohort: number[] = [];
  for (let i = 0; i < 301 + 100; i++) {
    const g = i === 0 ? 0 : i <= 300 ? 3 : 4;
    for (let t = 1; t <= 4; t++) {
      y.push(rng.normal() + (g && t >= g ? 1 : 0));
      unit.push(i);
      time.push(t);
      cohort.push(g);
    }
  }
  const inp: LongPanelInput = { names: { y: "y", unit: "id", time: "t", cohort: "g" }, y, unit, time, cohort };
  const dr = csCompute(inp);
  const cells = dr.result.att_gt as Row[];
  const bad = cells.filter((c) => c.group === 3);
  assert.ok(bad.length > 0 && bad.every((c) => c.estimate === null && c.std_error === null), "cohort 3 cells are NA");
  assert.ok((dr.result.warnings ?? []).some((w) => /overlap failure/.test(w)));
  const simple = dr.result.estimates[0]!;
  assert.ok(simple.estimate !== null && Number.isFinite(simple.estimate), "na_rm: aggregate from the remaining cells");
  const strict = csAnalysis(inp, { naRm: false });
  assert.equal(strict.estimates[0]!.estimate, null, "na_rm = false: simple ATT is NA");
  assert.equal(strict.estimates[0]!.std_error, null);
  // reg does not trim: all cells estimated
  const reg = csAnalysis(inp, { method: "reg" });
  assert.ok((reg.att_gt as Row[]).every((c) => c.estimate !== null));
});

test("results are aligned by key, not position: shuffled rows (with covariate and clusters) give the same numbers", () => {
  const inp = mpdtaInput(true);
  const state = Float64Array.from(inp.unit as Float64Array, (u) => Math.floor(u / 1000));
  const base = { ...inp, names: { ...inp.names, cluster: "state" }, cluster: state };
  const perm = Array.from({ length: inp.y.length }, (_, i) => i);
  new Rng(9).shuffle(perm);
  const pick = (a: ArrayLike<number>) => Float64Array.from(perm, (r) => a[r]!);
  const shuffled = {
    ...base,
    y: pick(base.y),
    unit: pick(base.unit as Float64Array),
    time: pick(base.time),
    cohort: pick(base.cohort),
    x: [{ name: "lpop", values: pick(base.x![0]!.values) }],
    cluster: pick(state),
  };
  const a = csAnalysis(base),
    b = csAnalysis(shuffled);
  (a.att_gt as Row[]).forEach((c, k) => {
    assertClose((b.att_gt as Row[])[k]!.estimate!, c.estimate!, 1e-10);
    assertClose((b.att_gt as Row[])[k]!.std_error!, c.std_error!, 1e-9);
  });
  a.estimates.forEach((e, k) => {
    assertClose(b.estimates[k]!.estimate!, e.estimate!, 1e-10);
    assertClose(b.estimates[k]!.std_error!, e.std_error!, 1e-9);
  });
});

test("calendar aggregation is weighted by cohort size (hand computation)", () => {
  const inp = mpdtaInput(false);
  const res = csAnalysis(inp);
  const cells = res.att_gt as Row[];
  const size = new Map<number, number>();
  for (let r = 0; r < inp.y.length; r++) if (inp.time[r] === 2003) size.set(inp.cohort[r]!, (size.get(inp.cohort[r]!) ?? 0) + 1);
  const cal = (res.aggregations as { calendar: { by: { time: number; estimate: number }[]; overall: { estimate: number } } }).calendar;
  for (const t of [2004, 2005, 2006, 2007]) {
    const post = cells.filter((c) => c.time === t && c.group <= t);
    const num = post.reduce((s, c) => s + c.estimate! * size.get(c.group)!, 0);
    const den = post.reduce((s, c) => s + size.get(c.group)!, 0);
    assertClose(cal.by.find((b) => b.time === t)!.estimate, num / den, 1e-12, `calendar ${t}`);
  }
  assertClose(cal.overall.estimate, cal.by.reduce((s, b) => s + b.estimate, 0) / 4, 1e-12);
  // dynamic θ(0): cohort-size weighted mean of ATT(g, g)
  const e0 = cells.filter((c) => c.time === c.group);
  const th0 = e0.reduce((s, c) => s + c.estimate! * size.get(c.group)!, 0) / e0.reduce((s, c) => s + size.get(c.group)!, 0);
  const dyn = (res.aggregations as { dynamic: { by: { e: number; estimate: number }[] } }).dynamic;
  assertClose(dyn.by.find((b) => b.e === 0)!.estimate, th0, 1e-12);
});

test("sampling weights: constant weights change nothing; unit weights give weighted 2×2 means (both paths)", () => {
  const inp = mpdtaInput(false);
  const two = csAnalysis({ ...inp, weights: new Float64Array(inp.y.length).fill(2), names: { ...inp.names, weights: "w" } });
  const one = csAnalysis(inp);
  one.estimates.forEach((e, k) => {
    assertClose(two.estimates[k]!.estimate!, e.estimate!, 1e-12);
    assertClose(two.estimates[k]!.std_error!, e.std_error!, 1e-10);
  });
  const rng = new Rng(4);
  const wu = new Map<number, number>();
  const w = Float64Array.from(inp.unit as Float64Array, (u) => {
    if (!wu.has(u)) wu.set(u, 0.5 + rng.uniform());
    return wu.get(u)!;
  });
  const winp = { ...inp, weights: w, names: { ...inp.names, weights: "w" } };
  const fast = csAnalysis(winp),
    dense = csAnalysis(winp, { fastPath: false });
  const c0 = (fast.att_gt as Row[])[1]!; // (2004, 2005), base 2003
  const hand = meanDiff(inp, (g) => g === 2004, 2005, 2003, w) - meanDiff(inp, (g) => g === 0, 2005, 2003, w);
  assertClose(c0.estimate!, hand, 1e-10);
  fast.estimates.forEach((e, k) => {
    assertClose(dense.estimates[k]!.estimate!, e.estimate!, 1e-10);
    assertClose(dense.estimates[k]!.std_error!, e.std_error!, 1e-9);
  });
  assert.throws(() => buildWidePanel({ ...winp, weights: Float64Array.from(w, (v, r) => (r === 1 ? v + 1 : v)) }), /weight varies within unit/);
});

test("anticipation: post cells use base g − δ − 1 (hand computation), controls not treated before t + δ", () => {
  const inp = mpdtaInput(false);
  const res = csAnalysis(inp, { anticipation: 1, control: "notyet" });
  const cells = res.att_gt as (Row & { base: number })[];
  const c = cells.find((x) => x.group === 2006 && x.time === 2006)!;
  assert.equal(c.base, 2004);
  // not-yet-treated at 2006 + 1: never treated only (2007 is treated by then)
  const hand = meanDiff(inp, (g) => g === 2006, 2006, 2004) - meanDiff(inp, (g) => g === 0, 2006, 2004);
  assertClose(c.estimate!, hand, 1e-10);
  const pre = cells.find((x) => x.group === 2007 && x.time === 2005)!;
  // pre cell (varying): base 2004, controls: never and cohorts treated after 2005 + 1 other than 2007 → never only
  const hand2 = meanDiff(inp, (g) => g === 2007, 2005, 2004) - meanDiff(inp, (g) => g === 0, 2005, 2004);
  assertClose(pre.estimate!, hand2, 1e-10);
  // 2004 cohort has no period p with p + 1 < 2004: not estimated, with a warning
  assert.ok(!cells.some((x) => x.group === 2004));
  assert.ok((res.warnings ?? []).some((w) => /cohort 2004 has no pre-treatment period/.test(w)));
});

test("improved DR (dr-imp): equals DR without covariates, close to DR with lpop", () => {
  const a = csAnalysis(mpdtaInput(false), { method: "dr-imp" }),
    b = csAnalysis(mpdtaInput(false));
  a.estimates.forEach((e, k) => {
    assertClose(e.estimate!, b.estimates[k]!.estimate!, 1e-10);
    assertClose(e.std_error!, b.estimates[k]!.std_error!, 1e-8);
  });
  const c = csAnalysis(mpdtaInput(true), { method: "dr-imp" }),
    d = csAnalysis(mpdtaInput(true));
  c.estimates.forEach((e, k) => assert.ok(Math.abs(e.estimate! - d.estimates[k]!.estimate!) < 0.25 * d.estimates[k]!.std_error!, `${e.term}`));
});
