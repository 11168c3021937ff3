import { test } from "node:test";
import assert from "node:assert/strict";
import { feols, type FeolsInput } from "../../src/estimators/feols.js";
import { computeVcov, coefTable, type SscOptions } from "../../src/inference/vcov.js";
import { waldTest } from "../../src/inference/wald.js";
import { assertClose, fixture, readJson } from "../helpers.js";
import { codesOf, mpdta, treatPost, type RefFile } from "./mpdta.js";

const d = mpdta();
const unit = codesOf("countyreal", d.county);
const year = codesOf("year", d.year);
const tp = treatPost(d);
const REL = 1e-9;

function base(x: FeolsInput["x"]): FeolsInput {
  return { y: d.lemp, yName: "lemp", x, fixedEffects: [unit, year] };
}

function checkFit(ref: RefFile, fit: ReturnType<typeof feols>, rows: ReturnType<typeof coefTable>, tol = REL): void {
  assert.equal(fit.nobs, ref.nobs);
  assert.deepEqual(
    rows.map((r) => r.term),
    ref.estimates.map((r) => r.term),
  );
  ref.estimates.forEach((r, j) => {
    assertClose(rows[j]!.estimate!, r.estimate, tol, `${r.term} estimate`);
    assertClose(rows[j]!.std_error!, r.std_error, tol, `${r.term} se`);
    assertClose(rows[j]!.statistic!, r.statistic, tol, `${r.term} t`);
    assertClose(rows[j]!.p_value!, r.p_value, 1e-7, `${r.term} p`);
  });
  assertClose(fit.r2, ref.r2, tol, "r2");
  assertClose(fit.adjR2, ref.adj_r2, tol, "adj_r2");
  assertClose(fit.withinR2!, ref.within_r2, 1e-8, "within_r2");
}

test("TWFE mpdta: iid, hc1, cluster, two-way cluster match fixest 0.14.2", () => {
  const fit = feols(base([{ name: "treat_post", values: tp }]));
  assert.ok(fit.converged);
  checkFit(readJson(fixture("refs", "mpdta_fixest_twfe_iid.json")), fit, coefTable(fit, computeVcov(fit, { type: "iid" })));
  checkFit(readJson(fixture("refs", "mpdta_fixest_twfe_hc1.json")), fit, coefTable(fit, computeVcov(fit, { type: "hc1" })));
  const vc1 = computeVcov(fit, { type: "cluster", clusters: [unit] });
  assert.equal(vc1.df, 499);
  checkFit(readJson(fixture("refs", "mpdta_fixest_twfe_cluster.json")), fit, coefTable(fit, vc1));
  const vc2 = computeVcov(fit, { type: "cluster", clusters: [unit, year] });
  assert.equal(vc2.df, 4);
  checkFit(readJson(fixture("refs", "mpdta_fixest_twfe_cluster2.json")), fit, coefTable(fit, vc2));
});

test("TWFE mpdta: time-invariant lpop dropped as collinear", () => {
  const fit = feols(
    base([
      { name: "treat_post", values: tp },
      { name: "lpop", values: d.lpop },
    ]),
  );
  const ref = readJson<RefFile & { collinear_dropped: string }>(fixture("refs", "mpdta_fixest_twfe_collinear.json"));
  assert.deepEqual(fit.droppedCollinear, [ref.collinear_dropped]);
  checkFit(ref, fit, coefTable(fit, computeVcov(fit, { type: "cluster", clusters: [unit] })));
});

test("TWFE mpdta: ssc variants", () => {
  const fit = feols(base([{ name: "treat_post", values: tp }]));
  const ref = readJson<{
    variants: { variant: string; std_error: number; statistic: number; p_value: number; t_df: number }[];
    old_argument_names: { se: number };
  }>(fixture("refs", "mpdta_fixest_twfe_ssc.json"));
  const opts: Record<string, SscOptions> = {
    default: {},
    "K.adj_FALSE_G.adj_FALSE": { kAdj: false, gAdj: false },
    "K.adj_FALSE": { kAdj: false },
    "G.adj_FALSE": { gAdj: false },
    "K.fixef_full": { kFixef: "full" },
    "K.fixef_none": { kFixef: "none" },
    "t.df_conventional": { tDf: "conventional" },
  };
  assert.equal(ref.variants.length, Object.keys(opts).length);
  for (const v of ref.variants) {
    const vc = computeVcov(fit, { type: "cluster", clusters: [unit] }, opts[v.variant]!);
    const row = coefTable(fit, vc)[0]!;
    assert.equal(vc.df, v.t_df, v.variant);
    assertClose(row.std_error!, v.std_error, REL, v.variant);
    assertClose(row.statistic!, v.statistic, REL, v.variant);
    assertClose(row.p_value!, v.p_value, 1e-7, v.variant);
  }
  // statsmodels cross-check: dummy-variable OLS with K = 505
  const sm = readJson<{ results: { name: string; std_error: number }[] }>(fixture("refs", "mpdta_statsmodels_twfe_crosscheck.json"));
  const full = coefTable(fit, computeVcov(fit, { type: "cluster", clusters: [unit] }, { kFixef: "full" }))[0]!;
  assertClose(full.std_error!, sm.results[0]!.std_error, REL);
  const plain = coefTable(fit, computeVcov(fit, { type: "cluster", clusters: [unit] }, { kAdj: false, gAdj: false }))[0]!;
  assertClose(plain.std_error!, sm.results[1]!.std_error, REL);
  assertClose(plain.std_error!, ref.old_argument_names.se, REL);
});

/** year × lpop interaction columns for years ≠ ref (fixest i(year, lpop, ref=2003)). */
function lpopByYear(): FeolsInput["x"] {
  return [2004, 2005, 2006, 2007].map((yr) => ({
    name: `year::${yr}:lpop`,
    values: Float64Array.from(d.year, (y, i) => (y === yr ? d.lpop[i]! : 0)),
  }));
}

/** rel = year − first.treat (never treated: −1000) dummies, ref = −1 and −1000. */
function relDummies(): FeolsInput["x"] {
  const rel = Float64Array.from(d.year, (y, i) => (d.firstTreat[i]! > 0 ? y - d.firstTreat[i]! : -1000));
  const levels = [...new Set(rel)].filter((r) => r !== -1 && r !== -1000).sort((a, b) => a - b);
  return levels.map((l) => ({ name: `rel::${l}`, values: Float64Array.from(rel, (r) => (r === l ? 1 : 0)) }));
}

test("TWFE mpdta: treat_post + i(year, lpop, ref=2003)", () => {
  const fit = feols(base([{ name: "treat_post", values: tp }, ...lpopByYear()]));
  const ref = readJson<RefFile & { t_df: number }>(fixture("refs", "mpdta_fixest_twfe_lpop_by_year.json"));
  const vc = computeVcov(fit, { type: "cluster", clusters: [unit] });
  assert.equal(vc.df, ref.t_df);
  checkFit(ref, fit, coefTable(fit, vc));
});

test("event study mpdta: estimates, SEs, r2s and pre-trend Wald match fixest", () => {
  const fit = feols(base(relDummies()));
  const ref = readJson<RefFile & { pretrend_wald: { stat: number; p: number; df1: number; df2: number } }>(fixture("refs", "mpdta_fixest_event.json"));
  const vc = computeVcov(fit, { type: "cluster", clusters: [unit] });
  checkFit(ref, fit, coefTable(fit, vc));
  const w = waldTest(fit, vc, ["rel::-4", "rel::-3", "rel::-2"]);
  assertClose(w.stat, ref.pretrend_wald.stat, REL, "wald stat");
  assertClose(w.p_value, ref.pretrend_wald.p, 1e-7, "wald p");
  assert.equal(w.df1, ref.pretrend_wald.df1);
  assert.equal(w.df2, ref.pretrend_wald.df2);
  assertClose(w.chi2, 3 * ref.pretrend_wald.stat, REL);
});

test("event study + i(year, lpop) mpdta", () => {
  const fit = feols(base([...relDummies(), ...lpopByYear()]));
  const ref = readJson<RefFile & { t_df: number }>(fixture("refs", "mpdta_fixest_event_lpop_by_year.json"));
  checkFit(ref, fit, coefTable(fit, computeVcov(fit, { type: "cluster", clusters: [unit] })));
});
