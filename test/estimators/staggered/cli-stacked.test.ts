import { test } from "node:test";
import assert from "node:assert/strict";
import { fixture, runCli, assertClose } from "../../helpers.js";

const base = ["did", "stacked", "--data", fixture("data", "mpdta.csv"), "--y", "lemp", "--unit", "countyreal", "--time", "year", "--cohort", "first.treat"];

test("did stacked CLI: event-time terms, pooled post average, sub-experiments reported", () => {
  const r = runCli([...base, "--window", "-1:1", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.command, "did stacked");
  assert.deepEqual(
    j.estimates.map((e: { term: string }) => e.term),
    ["rel::0", "rel::1", "avg_post", "treat_post"],
  );
  const [e0, e1, avg] = j.estimates;
  assertClose(avg.estimate, (e0.estimate + e1.estimate) / 2, 1e-12, "avg_post");
  // √(a'Va) lies between the smallest possible (perfect negative correlation) and the largest value
  assert.ok(avg.std_error <= (e0.std_error + e1.std_error) / 2 + 1e-15);
  assert.deepEqual(
    j.sub_experiments.map((s: { cohort: number; included: boolean }) => [s.cohort, s.included]),
    [
      [2004, true],
      [2006, true],
      [2007, false],
    ],
  );
  assert.deepEqual(j.dropped.sub_experiments, [2007]);
  assert.equal(j.vcov.clusters.countyreal, 500);
  assert.equal(j.provenance.options.window, "-1:1");
  assert.equal(j.provenance.options.weights, "wfh");
  assert.ok(j.warnings.some((w: string) => w.includes("2007 dropped")));
});

test("did stacked CLI: bad window / weights exit 2", () => {
  assert.equal(runCli([...base, "--window", "0:2"]).status, 2);
  const all = runCli([...base, "--window", "-3:3"]);
  assert.equal(all.status, 1);
  assert.match(all.stderr, /no sub-experiment fits the window/);
});
