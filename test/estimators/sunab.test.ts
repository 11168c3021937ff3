import { test } from "node:test";
import assert from "node:assert/strict";
import { sunabAggregate, sunabAtt, sunabFit } from "../../src/estimators/sunab.js";
import { computeVcov } from "../../src/inference/vcov.js";
import { twoSidedT } from "../../src/core/distributions.js";
import { assertClose, fixture, readJson } from "../helpers.js";
import { codesOf, mpdta, type RefFile } from "./mpdta.js";

const d = mpdta();
const unit = codesOf("countyreal", d.county);

test("Sun–Abraham on mpdta matches fixest sunab() (estimates, SEs, p, r2s, ATT)", () => {
  const ref = readJson<RefFile & { att: { estimate: number; std_error: number } }>(fixture("refs", "mpdta_fixest_sunab.json"));
  // never treated coded 0 here; 10000 (fixest's convention in the ref) must give the same result
  for (const cohort of [d.firstTreat, Float64Array.from(d.firstTreat, (c) => (c === 0 ? 10000 : c))]) {
    const sf = sunabFit({ y: d.lemp, yName: "lemp", unit, time: d.year, cohort });
    assert.equal(sf.alwaysTreatedDropped, 0);
    assert.equal(sf.cells.length, 3 * 4); // cohorts 2004, 2006, 2007 × 4 non-reference periods each
    const vc = computeVcov(sf.fit, { type: "cluster", clusters: [unit] });
    const agg = sunabAggregate(sf, vc.V);
    assert.deepEqual(
      agg.map((r) => r.term),
      ref.estimates.map((r) => r.term),
    );
    agg.forEach((r, j) => {
      const e = ref.estimates[j]!;
      assertClose(r.estimate, e.estimate, 1e-9, `${r.term} estimate`);
      assertClose(r.std_error, e.std_error, 1e-9, `${r.term} se`);
      assertClose(twoSidedT(r.estimate / r.std_error, vc.df), e.p_value, 1e-7, `${r.term} p`);
    });
    assertClose(sf.fit.r2, ref.r2, 1e-9);
    assertClose(sf.fit.adjR2, ref.adj_r2, 1e-9);
    assertClose(sf.fit.withinR2!, ref.within_r2, 1e-8);
    const att = sunabAtt(sf, vc.V);
    assertClose(att.estimate, ref.att.estimate, 1e-9, "ATT");
    assertClose(att.std_error, ref.att.std_error, 1e-9, "ATT se");
    // cross-estimator identity (METHODS §14.4): equals Callaway–Sant'Anna's simple ATT (never-treated, no covariates)
    assert.ok(Math.abs(att.estimate - -0.039951275155) < 1e-10);
  }
});

test("Sun–Abraham: always-treated cohorts are dropped and counted", () => {
  // make cohort 2004 start in 2003 (first period): always treated
  const cohort = Float64Array.from(d.firstTreat, (c) => (c === 2004 ? 2003 : c));
  const sf = sunabFit({ y: d.lemp, yName: "lemp", unit, time: d.year, cohort });
  const nAlways = [...d.firstTreat].filter((c) => c === 2004).length;
  assert.equal(sf.alwaysTreatedDropped, nAlways);
  assert.equal(sf.fit.nobs, d.n - nAlways);
  assert.ok(sf.cells.every((c) => c.cohort !== 2003));
});

test("CLI did sunab --json on mpdta", async () => {
  const { runCli } = await import("../helpers.js");
  const r = runCli([
    "did",
    "sunab",
    "--data",
    fixture("data", "mpdta.csv"),
    "--y",
    "lemp",
    "--unit",
    "countyreal",
    "--time",
    "year",
    "--cohort",
    "first.treat",
    "--json",
  ]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as {
    command: string;
    estimates: { term: string; estimate: number }[];
    aggregations: { ATT: { estimate: number; std_error: number } };
    nobs: number;
  };
  assert.equal(j.command, "did sunab");
  assert.equal(j.nobs, 2500);
  assertClose(j.estimates[0]!.estimate, 0.00330635669251135, 1e-9);
  assertClose(j.aggregations.ATT.std_error, 0.011796277441754, 1e-9);
  const bad = runCli([
    "did",
    "sunab",
    "--data",
    fixture("data", "mpdta.csv"),
    "--y",
    "nope",
    "--unit",
    "countyreal",
    "--time",
    "year",
    "--cohort",
    "first.treat",
  ]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /nope/);
});
