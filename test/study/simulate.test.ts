import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simulatePaperWorld, writePaperWorld } from "../../src/study/simulate.js";
import { assertClose, runCli } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "keytech-sim-"));

test("keytech simulate: same seed → byte-identical files; another seed → different data", () => {
  for (const [name, seed] of [["a", "11"], ["b", "11"], ["c", "12"]] as const) {
    const r = runCli(["simulate", "--out", join(dir, name), "--seed", seed, "--patents", "0.5"]);
    assert.equal(r.status, 0, r.stderr);
  }
  const files = readdirSync(join(dir, "a")).sort();
  assert.deepEqual(files, ["counties.csv", "panel.csv", "patents.csv", "policies.csv", "truth.json"]);
  for (const f of files) assert.ok(readFileSync(join(dir, "a", f)).equals(readFileSync(join(dir, "b", f))), `${f} identical`);
  assert.ok(!readFileSync(join(dir, "a", "panel.csv")).equals(readFileSync(join(dir, "c", "panel.csv"))));
});

test("the paper world has the reference study's shape", () => {
  const w = simulatePaperWorld({ seed: 3, patentsPerCountyYear: 0.3 });
  assert.equal(w.counties.length, 435);
  assert.equal(w.years.length, 22);
  assert.equal(w.years[0], 2000);
  const pilots = w.counties.filter((c) => c.cohort > 0);
  assert.equal(pilots.length, 24);
  assert.deepEqual([...new Set(pilots.map((c) => c.cohort))].sort(), [2013, 2014, 2017]);
  assert.equal(new Set(pilots.map((c) => c.city)).size, 22);
  assert.equal(w.counties.filter((c) => c.nonDigitalCohort > 0).length, 37);
  assert.ok(w.counties.every((c) => c.broadbandYear === 0 || (c.broadbandYear >= 2014 && c.broadbandYear <= 2016)));
  assert.ok(w.counties.every((c) => c.smartCityYear === 0 || (c.smartCityYear >= 2012 && c.smartCityYear <= 2014)));
  assert.ok(w.counties.some((c) => c.municipality === 1) && w.counties.some((c) => c.reformZone === 1));
  // real IPC codes (main groups "XXXX n/00") and citations to earlier patents only
  const ids = new Map(w.patents.map((p, i) => [p.id, i]));
  assert.equal(ids.size, w.patents.length, "unique patent ids");
  for (const p of w.patents.slice(0, 2000)) {
    for (const c of p.ipc) assert.match(c, /^[A-H]\d\d[A-Z] \d+\/00$/);
    for (const j of p.cited) assert.ok(w.patents[j]!.year < p.year);
  }
});

test("truth.json states what the generator planted", async () => {
  const w = simulatePaperWorld({ seed: 5, effect: 3.2, dynamic: 0.4, patentsPerCountyYear: 0.3 });
  const t = w.truth as { att: number; paths: Record<string, number>; event_time: Record<string, number>; mechanisms: { effect_on_mediator: Record<string, number> } };
  assertClose(t.att, 3.2, 1e-12, "ATT over treated county-years");
  assertClose(t.paths["path:cospecialize"]! + t.paths["path:diffusion"]! + t.paths["path:efficiency"]! + t.paths.direct!, 3.2, 1e-12, "paths sum to the total");
  assert.equal(t.event_time["-1"], 0);
  assert.ok(t.event_time["4"]! > t.event_time["0"]!, "dynamic effects grow with event time");
  assertClose(t.mechanisms.effect_on_mediator.cospecialize!, 0.21, 1e-12);
  // recompute the ATT from the written panel: the mediator effects and the direct effect add up to it
  await writePaperWorld(w, join(dir, "t"));
  const truth = JSON.parse(readFileSync(join(dir, "t", "truth.json"), "utf8")) as { att: number };
  assertClose(truth.att, 3.2, 1e-12);
});
