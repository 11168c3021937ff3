/** `keytech did cs` end to end: JSON contract, agreement with R did, exit codes. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertClose, fixture, readJson, runCli } from "../../helpers.js";

const base = ["did", "cs", "--data", fixture("data", "mpdta.csv"), "--y", "lemp", "--unit", "countyreal", "--time", "year", "--cohort", "first.treat"];

test("did cs --json: one JSON document with att_gt and the four aggregations equal to R did (lpop, not-yet, ipw)", () => {
  const r = runCli([...base, "--x", "lpop", "--control", "notyet", "--method", "ipw", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const res = JSON.parse(r.stdout) as {
    command: string;
    att_gt: { estimate: number; std_error: number }[];
    aggregations: Record<string, { overall: { estimate: number; std_error: number } }>;
    provenance: { inputs: Record<string, string> };
  };
  const ref = readJson<{
    att_gt: { estimate: number; std_error: number }[];
    aggregations: Record<string, { overall: { estimate: number; std_error: number } }>;
  }>(fixture("refs", "mpdta_did_lpop_notyettreated_ipw.json"));
  assert.equal(res.command, "did cs");
  ref.att_gt.forEach((c, k) => {
    assertClose(res.att_gt[k]!.estimate, c.estimate, 1e-6);
    assertClose(res.att_gt[k]!.std_error, c.std_error, 1e-6);
  });
  for (const t of ["simple", "dynamic", "group", "calendar"]) assertClose(res.aggregations[t]!.overall.std_error, ref.aggregations[t]!.overall.std_error, 1e-6);
  assert.match(Object.values(res.provenance.inputs)[0]!, /^sha256:/);
});

test("did cs: human table by default; bad usage exits 2; a missing column exits 1 naming it", () => {
  const h = runCli(base);
  assert.equal(h.status, 0, h.stderr);
  assert.match(h.stdout, /pre-test of parallel trends: .*p = 0\.16812/);
  assert.equal(runCli([...base, "--control", "sometimes"]).status, 2);
  assert.equal(runCli([...base, "--method", "xyz"]).status, 2);
  const m = runCli(["did", "cs", "--data", fixture("data", "mpdta.csv"), "--y", "lempp", "--unit", "countyreal", "--time", "year", "--cohort", "first.treat"]);
  assert.equal(m.status, 1);
  assert.match(m.stderr, /lempp/);
});

test("did cs --bootstrap --seed: same seed, same bytes", () => {
  const a = runCli([...base, "--bootstrap", "99", "--seed", "5", "--json"]);
  const b = runCli([...base, "--bootstrap", "99", "--seed", "5", "--json"]);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
});
