/** `keytech did sdid` end to end: JSON contract, determinism, refusals and messages. */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { assertClose, fixture, runCli } from "../../helpers.js";

const data = fixture("data", "california_prop99.csv");
const base = ["did", "sdid", "--data", data, "--y", "PacksPerCapita", "--unit", "State", "--time", "Year", "--treat", "treated"];

test("did sdid --json: estimate, weights, trajectories, provenance", () => {
  const r = runCli([...base, "--reps", "20", "--seed", "3", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.command, "did sdid");
  assert.equal(j.estimates[0].term, "sdid");
  assertClose(j.estimates[0].estimate, -15.6038278727338, 1e-9);
  assert.ok(j.estimates[0].std_error > 0);
  assert.equal(j.unit_weights.length, 38);
  assert.equal(j.time_weights.length, 19);
  assert.equal(j.trajectories.length, 31);
  assertClose(j.unit_weights.find((u: { unit: string }) => u.unit === "Nevada").weight, 0.124489227812917, 1e-9);
  assert.equal(j.provenance.seed, 3);
  assert.match(j.provenance.inputs[data], /^sha256:/);
  assertClose(j.sdid.noise_level, 5.494401, 1e-6);
});

test("same seed → byte-identical JSON; different seed → different placebo draws", () => {
  const a = runCli([...base, "--reps", "15", "--seed", "7", "--json"]);
  const b = runCli([...base, "--reps", "15", "--seed", "7", "--json"]);
  const c = runCli([...base, "--reps", "15", "--seed", "8", "--json"]);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  assert.notEqual(JSON.parse(a.stdout).estimates[0].std_error, JSON.parse(c.stdout).estimates[0].std_error);
});

test("--workers 1 and --workers 2 give byte-identical JSON (placebo and bootstrap)", () => {
  for (const se of ["placebo", "bootstrap"]) {
    const one = runCli([...base, "--se", se, "--reps", "16", "--seed", "5", "--workers", "1", "--json"]);
    const two = runCli([...base, "--se", se, "--reps", "16", "--seed", "5", "--workers", "2", "--json"]);
    assert.equal(one.status, 0, one.stderr);
    assert.equal(one.stdout, two.stdout);
  }
  assert.equal(runCli([...base, "--workers", "0"]).status, 2);
});

test("sc and did methods; jackknife with one treated unit gives NA and a warning", () => {
  const sc = JSON.parse(runCli([...base, "--method", "sc", "--se", "none", "--json"]).stdout);
  assertClose(sc.estimates[0].estimate, -19.619663470944, 1e-9);
  const did = runCli([...base, "--method", "did", "--se", "jackknife", "--json"]);
  const j = JSON.parse(did.stdout);
  assertClose(j.estimates[0].estimate, -27.3491110836149, 1e-9);
  assert.equal(j.estimates[0].std_error, null);
  assert.match(did.stderr, /single treated unit/);
});

test("bad usage exits 2; an unbalanced panel exits 1 naming file and column", () => {
  assert.equal(runCli([...base, "--method", "mc"]).status, 2);
  assert.equal(runCli([...base, "--reps", "1"]).status, 2);
  const dir = mkdtempSync(join(tmpdir(), "kt-sdid-"));
  const f = join(dir, "p.csv");
  writeFileSync(f, "u,t,y,d\na,1,1,0\na,2,2,0\nb,1,1,0\nb,2,2,1\nc,1,3,0\n");
  const r = runCli(["did", "sdid", "--data", f, "--y", "y", "--unit", "u", "--time", "t", "--treat", "d"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /p\.csv.*unbalanced panel: unit 'c' has no row for period 2/);
  writeFileSync(f, "u,t,y,d\na,1,1,0\na,1,2,0\n");
  const dup = runCli(["did", "sdid", "--data", f, "--y", "y", "--unit", "u", "--time", "t", "--treat", "d"]);
  assert.equal(dup.status, 1);
  assert.match(
    dup.stderr,
    /p\.csv: duplicate \(unit, time\) rows: u=a, t=1 \(rows 1, 2\)\. Each unit may appear once per period: remove or aggregate the duplicates/,
  );
});

test("--event: rel::0 … rel::11 after the ATT, vcov_matrix over all terms; workers 1 vs 2 byte-identical; flags checked", () => {
  const plain = JSON.parse(runCli([...base, "--reps", "12", "--seed", "4", "--json"]).stdout);
  const one = runCli([...base, "--reps", "12", "--seed", "4", "--event", "--event-placebo", "3", "--workers", "1", "--json"]);
  const two = runCli([...base, "--reps", "12", "--seed", "4", "--event", "--event-placebo", "3", "--workers", "2", "--json"]);
  assert.equal(one.status, 0, one.stderr);
  assert.equal(one.stdout, two.stdout);
  const r = JSON.parse(one.stdout);
  assert.deepEqual(r.estimates[0], plain.estimates[0]);
  assert.deepEqual(
    r.estimates.map((e: { term: string }) => e.term),
    ["sdid", "rel::-3", "rel::-2", "rel::-1", ...Array.from({ length: 12 }, (_, k) => `rel::${k}`)],
  );
  assert.deepEqual(
    r.vcov_matrix.terms,
    r.estimates.map((e: { term: string }) => e.term),
  );
  r.estimates.forEach((e: { std_error: number }, k: number) => assertClose(Math.sqrt(r.vcov_matrix.matrix[k][k]), e.std_error, 1e-12, `se ${k}`));
  assert.equal(r.event_study.cohorts[0].cohort, 1989);
  const text = runCli([...base, "--reps", "12", "--seed", "4", "--event", "--event-effects", "2"]);
  assert.match(text.stdout, /rel::1 /);
  assert.doesNotMatch(text.stdout, /rel::2 /);
  assert.equal(runCli([...base, "--event-placebo", "2"]).status, 2);
  assert.equal(runCli([...base, "--event", "--event-effects", "0"]).status, 2);
});
