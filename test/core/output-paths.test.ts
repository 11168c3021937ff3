/** Output paths that cannot be written stop at once with exit 2 and a message (no hang under /proc, no raw Node error). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture, runCli } from "../helpers.js";

const data = ["--data", fixture("data", "mpdta.csv"), "--y", "lemp", "--unit", "countyreal", "--time", "year", "--cohort", "first.treat"];
const dir = mkdtempSync(join(tmpdir(), "kt-outpaths-"));

test("--out under /proc stops at once (it used to spin forever)", () => {
  const t0 = Date.now();
  const r = runCli(["did", "twfe", ...data, "--out", "/proc/keytech/x.json"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /\/proc\/keytech\/x\.json: not a place for output files/);
  assert.ok(Date.now() - t0 < 20_000);
  const s = runCli(["patents", "score", "--patents", fixture("patents", "cnrds_style.csv"), "--mapping", "cnrds", "--out", "/proc/x.csv"]);
  assert.equal(s.status, 2);
  assert.match(s.stderr, /not a place for output files/);
});

test("--out naming a folder, or under a file, says so with exit 2", () => {
  const r = runCli(["did", "twfe", ...data, "--out", dir]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /is a folder; name a file to write/);
  const f = join(dir, "plain");
  writeFileSync(f, "x");
  const r2 = runCli(["did", "twfe", ...data, "--out", join(f, "x.json")]);
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /a parent of it is a file|a file is in the way/);
  assert.doesNotMatch(r2.stderr, /ENOTDIR|EEXIST|at .*\.js/);
});
