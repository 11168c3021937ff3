import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  defaultSimOptions,
  generatePaperWorld,
  measureTwinJob,
  measureWorld,
  patentsCsv,
  runTwinJobs,
  simulatePaperWorld,
  twinTruth,
  writePaperWorld,
  type DeaMemo,
  type GeneratedWorld,
  type TwinJob,
} from "../../src/sim/simulate.js";
import { worldPatentTable } from "../../src/sim/patent-table.js";
import { readPatents } from "../../src/patents/read.js";
import { loadMapping } from "../../src/patents/mapping.js";
import type { MeasuredPanel } from "../../src/study/measure.js";
import { assertClose, runCli } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "keytech-sim-"));

test("keytech simulate: same seed → byte-identical files; another seed → different data", () => {
  for (const [name, seed] of [
    ["a", "11"],
    ["b", "11"],
    ["c", "12"],
  ] as const) {
    const r = runCli(["simulate", "--out", join(dir, name), "--seed", seed, "--patents", "0.3"]);
    assert.equal(r.status, 0, r.stderr);
  }
  const files = readdirSync(join(dir, "a")).sort();
  assert.deepEqual(files, ["counties.csv", "panel.csv", "patents.csv", "policies.csv", "truth.json"]);
  for (const f of files) assert.ok(readFileSync(join(dir, "a", f)).equals(readFileSync(join(dir, "b", f))), `${f} identical`);
  assert.ok(!readFileSync(join(dir, "a", "panel.csv")).equals(readFileSync(join(dir, "c", "panel.csv"))));
  // the outcome and the mediators are measured by the study, not written to the panel
  const head = readFileSync(join(dir, "a", "panel.csv"), "utf8")
    .split("\n")[0]!
    .split(",");
  for (const m of ["keytech", "keytech_count", "cite_quality", "cospecialize", "diffusion", "efficiency"])
    assert.ok(!head.includes(m), `panel.csv has no ${m}`);
});

test("the paper world has the reference study's shape", () => {
  const w = generatePaperWorld({ seed: 3, patentsPerCountyYear: 0.3 });
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
  // patents also before and after the panel (backward / forward windows)
  assert.equal(Math.min(...w.patents.map((p) => p.year)), 1997);
  assert.equal(Math.max(...w.patents.map((p) => p.year)), 2023);
});

/** patents.csv lines grouped by county-year ("county year" → lines in file order). */
function linesByCell(g: GeneratedWorld): Map<string, string[]> {
  const lines = patentsCsv(g.patents).trimEnd().split("\n").slice(1);
  const out = new Map<string, string[]>();
  g.patents.forEach((p, k) => {
    const key = `${p.county} ${p.year}`;
    if (!out.has(key)) out.set(key, []);
    out.get(key)!.push(lines[k]!);
  });
  return out;
}

test("twin: with the pilot switched off in both, world and twin are byte-identical and the measured truth is 0", async () => {
  const o = { seed: 4, nCounties: 150, patentsPerCountyYear: 0.5, policyTwins: false };
  const off = generatePaperWorld({ ...o, effect: 0 });
  const twin = generatePaperWorld(o, { pilot: false });
  assert.equal(patentsCsv(off.patents), patentsCsv(twin.patents));
  for (const k of Object.keys(off.panel)) assert.deepEqual(off.panel[k], twin.panel[k], k);
  const truth = await twinTruth(off);
  assert.equal(truth.att, 0);
  const eff = (truth.mechanisms as { effect_on_mediator: Record<string, number> }).effect_on_mediator;
  for (const m of ["cospecialize", "diffusion", "efficiency"]) assert.equal(eff[m], 0, m);
  for (const [k, v] of Object.entries(truth.alt_outcomes as Record<string, number>)) assert.equal(v, 0, k);
});

test("twin: switching the pilot off changes exactly the patents of pilot-treated county-years", () => {
  const o = { seed: 4, nCounties: 150, patentsPerCountyYear: 0.5 };
  const world = generatePaperWorld(o);
  const twin = generatePaperWorld(o, { pilot: false });
  for (const k of Object.keys(world.panel)) assert.deepEqual(world.panel[k], twin.panel[k], `panel ${k}`);
  assert.deepEqual(world.counties, twin.counties);
  const treated = new Set<string>();
  world.counties.forEach((c) => {
    if (c.cohort > 0) for (let y = c.cohort; y <= 2023; y++) treated.add(`${c.county} ${y}`);
  });
  const a = linesByCell(world),
    b = linesByCell(twin);
  let same = 0,
    changed = 0;
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(key) ?? [],
      y = b.get(key) ?? [];
    if (treated.has(key)) {
      if (x.join("\n") !== y.join("\n")) changed++;
      // the twin has no pilot extra patents; its other patents keep their ids
      const ids = (ls: string[]) => ls.map((l) => l.slice(0, l.indexOf(",")));
      assert.ok(
        ids(y).every((id) => ids(x).includes(id)),
        `${key}: the twin's patent ids exist in the world`,
      );
    } else {
      assert.deepEqual(x, y, `untreated county-year ${key} identical`);
      same++;
    }
  }
  assert.ok(changed > 0.8 * treated.size, `the pilot acts on its county-years (${changed} of ${treated.size} changed)`);
  assert.ok(same > 1000);
  assert.ok(world.patents.some((p) => p.origin === "pilot") && !twin.patents.some((p) => p.origin === "pilot"));
  // a twin of Broadband China removes exactly its extra filings (they are never cited)
  const bbOff = generatePaperWorld(o, { broadband: false });
  const lines = (g: GeneratedWorld) => patentsCsv(g.patents).trimEnd().split("\n").slice(1);
  assert.ok(world.patents.some((p) => p.origin === "broadband"));
  assert.deepEqual(
    lines(bbOff),
    lines(world).filter((_, k) => world.patents[k]!.origin !== "broadband"),
  );
});

test("truth.json: the twin-run truth is measured by the study's measure stage", async () => {
  const w = await simulatePaperWorld({ seed: 5, dynamic: 0.4, nCounties: 150, patentsPerCountyYear: 0.6, policyTwins: false });
  const t = w.truth as {
    att: number;
    event_time: Record<string, number>;
    mechanisms: { effect_on_mediator: Record<string, number> };
    paths: Record<string, unknown>;
    measure_options: unknown;
  };
  // recompute the ATT from the two measured runs
  const [a, b] = [await measureWorld(w), await measureWorld(generatePaperWorld(w.options, { pilot: false }))];
  let s = 0,
    n = 0;
  for (let r = 0; r < w.D.length; r++)
    if (w.D[r] === 1) {
      s += a.columns.keytech![r]! - b.columns.keytech![r]!;
      n++;
    }
  assertClose(t.att, s / n, 1e-12, "ATT = mean world − twin over treated county-years");
  assert.ok(t.att > 0, `the pilot raises KeyTech (${t.att})`);
  for (const m of ["cospecialize", "diffusion", "efficiency"]) assert.ok(t.mechanisms.effect_on_mediator[m]! > 0, `the pilot raises ${m}`);
  assert.ok(Math.abs(t.event_time["-1"]!) < 0.2 * t.att, "no anticipation");
  assert.equal(Object.keys(t.paths).join(), "note", "the paths are not pinned down");
  await writePaperWorld(w, join(dir, "t"));
  const truth = JSON.parse(readFileSync(join(dir, "t", "truth.json"), "utf8")) as { att: number; measure_options: { cluster: string; dea_inputs: string[] } };
  assertClose(truth.att, t.att, 1e-12);
  assert.equal(truth.measure_options.cluster, "city");
  assert.deepEqual(truth.measure_options.dea_inputs, ["rd_personnel", "rd_capital", "data_element"]);
});

test("twin runs in memory: worldPatentTable is the table readPatents gives for patents.csv", async () => {
  const g = generatePaperWorld({ seed: 5, nCounties: 150, patentsPerCountyYear: 0.6 });
  const file = join(dir, "table", "patents.csv");
  mkdirSync(join(dir, "table"), { recursive: true });
  writeFileSync(file, patentsCsv(g.patents));
  const read = await readPatents(file, {
    mapping: loadMapping("default"),
    level: "subclass",
    onBadIpc: "fail",
    region: true,
    citations: "auto",
    needDate: false,
    ids: false,
  });
  assert.deepStrictEqual(worldPatentTable(g.patents, "subclass"), read);
});

test("twin runs: measureTwinJob (in memory, shared DEA frontiers, worker or not) gives measureWorld's columns bit for bit", async () => {
  const o = { ...defaultSimOptions, seed: 5, nCounties: 150, patentsPerCountyYear: 0.6 };
  const w = generatePaperWorld(o);
  const job: TwinJob = [
    { switches: {}, keytechOnly: false },
    { switches: { pilot: false }, keytechOnly: false },
    { switches: { broadband: false }, keytechOnly: true },
  ];
  const memo: DeaMemo = new Map();
  const local = await measureTwinJob(o, job, memo, w);
  const T = w.years.length;
  // the pilot-off twin solved only the frontiers of the years from the first approval on
  const first = Math.min(...w.counties.filter((c) => c.cohort > 0).map((c) => c.cohort));
  assert.equal(memo.size, T + (w.years[T - 1]! - first + 1));
  const [remote] = await runTwinJobs(o, [job], { threads: 1, offMain: true });
  const ref = [
    await measureWorld(w),
    await measureWorld(generatePaperWorld(o, { pilot: false })),
    await measureWorld(generatePaperWorld(o, { broadband: false })),
  ];
  const bytes = (x: Float64Array): Buffer => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  job.forEach((run, k) => {
    const names = run.keytechOnly ? ["keytech"] : Object.keys(ref[k]!.columns);
    assert.deepEqual(Object.keys(local[k]!.columns).sort(), [...names].sort());
    for (const c of names) {
      const col = (m: Pick<MeasuredPanel, "columns">) => bytes(m.columns[c as keyof MeasuredPanel["columns"]]!);
      assert.ok(col(local[k]!).equals(col(ref[k]!)), `run ${k}: ${c} (this thread)`);
      assert.ok(col(remote![k]!).equals(col(ref[k]!)), `run ${k}: ${c} (worker)`);
    }
  });
});
