import { test } from "node:test";
import assert from "node:assert/strict";
import { fixture, runCli, assertClose } from "../../helpers.js";
import { mpdta } from "../mpdta.js";
import { imputationFit } from "../../../src/estimators/imputation.js";

const base = ["did", "imputation", "--data", fixture("data", "mpdta.csv"), "--y", "lemp", "--unit", "countyreal", "--time", "year", "--cohort", "first.treat"];

test("did imputation CLI: JSON result on mpdta equals the estimator, with pre-trend Wald test", () => {
  const r = runCli([...base, "--x", "lpop", "--pretrends", "3", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.command, "did imputation");
  assert.deepEqual(
    j.estimates.map((e: { term: string }) => e.term),
    ["att", "rel::0", "rel::1", "rel::2", "rel::3"],
  );
  assert.equal(j.nobs, 2500);
  assert.deepEqual(j.dropped.collinear, ["lpop"]); // time-invariant: absorbed by the unit FE
  assert.equal(j.vcov.clusters.countyreal, 500);
  assert.match(j.provenance.inputs[fixture("data", "mpdta.csv")], /^sha256:[0-9a-f]{64}$/);
  const d = mpdta();
  const codes = new Map([...new Set(d.county)].sort((a, b) => a - b).map((c, k) => [c, k]));
  const fit = imputationFit({ y: d.lemp, unit: Int32Array.from(d.county, (c) => codes.get(c)!), nUnits: codes.size, time: d.year, cohort: d.firstTreat });
  fit.estimates.forEach((e, k) => {
    assertClose(j.estimates[k].estimate, e.estimate, 1e-12, e.term);
    assertClose(j.estimates[k].std_error, e.std_error, 1e-12, e.term);
  });
  assert.equal(j.pretrends.estimates.length, 3);
  assert.equal(j.pretrends.wald.df1, 3);
  assert.equal(j.pretrends.wald.df2, 499);
  assert.ok(j.pretrends.wald.p_value > 0 && j.pretrends.wald.p_value < 1);
});

test("did imputation CLI: --horizons selects, bad flags exit 2, bad columns exit 1", () => {
  const r = runCli([...base, "--horizons", "0:1", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    JSON.parse(r.stdout).estimates.map((e: { term: string }) => e.term),
    ["att", "rel::0", "rel::1"],
  );
  assert.equal(runCli([...base, "--horizons", "x"]).status, 2);
  const bad = runCli([
    "did",
    "imputation",
    "--data",
    fixture("data", "mpdta.csv"),
    "--y",
    "lemq",
    "--unit",
    "countyreal",
    "--time",
    "year",
    "--cohort",
    "first.treat",
  ]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /lemq/);
});
