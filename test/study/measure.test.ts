/**
 * The measure stage of a study: raw patents (CSV, USPTO grant XML, a PatentsView folder) become the
 * panel's KeyTech, alternative outcomes and mediators; the models use those columns; results.json says
 * where the outcome came from.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture, readJson, runCli } from "../helpers.js";
import { loadSpec } from "../../src/study/spec.js";
import { runStudy } from "../../src/study/runner.js";
import { measureFromFile, measureOptionsSchema, scoreOptionsOf } from "../../src/study/measure.js";
import { loadMapping } from "../../src/patents/mapping.js";

interface Results {
  outcome: { column: string; source: string; patents?: { read: number; key_digital: number; aggregated: number } };
  blocks: {
    id: string;
    status: string;
    error?: string;
    methods: string;
    output?: { models: { result: { estimates: { term: string; estimate: number | null }[]; nobs: number } }[] };
  }[];
}

for (const [name, read, key] of [
  ["uspto", 6, 4],
  ["patentsview", 3, 2],
] as const) {
  test(`study run on the ${name} sample measures the outcome from the patents and runs the baseline`, () => {
    const out = mkdtempSync(join(tmpdir(), `kt-measure-${name}-`));
    const r = runCli(["study", "run", fixture("study", name, "study.yaml"), "--out", out]);
    assert.equal(r.status, 0, r.stderr);
    const res = readJson<Results>(join(out, "results.json"));
    assert.equal(res.outcome.source, "patents");
    assert.deepEqual(res.outcome.patents, { read, key_digital: key, aggregated: key });
    for (const b of res.blocks) assert.equal(b.status, "ok", `${b.id}: ${b.error}`);
    assert.match(res.blocks.find((b) => b.id === "baseline")!.methods, /measured from the raw patent records/);
    const head = readFileSync(join(out, "work", "analysis_panel.csv"), "utf8")
      .split("\n")[0]!
      .split(",");
    for (const c of ["keytech", "keytech_count", "cite_quality", "cospecialize", "diffusion"]) assert.ok(head.includes(c), `analysis panel has ${c}`);
    assert.match(
      readFileSync(join(out, "report.html"), "utf8"),
      new RegExp(`outcome ln\\(1 \\+ key-digital patents\\) measured from ${read} raw patent records`),
    );
  });
}

/** A hand-checkable corpus: 3 units × 2001–2003 (+ 2000 as burn-in), citations incl. a self-citation. */
function tinyCorpus(dir: string): { patents: string; grid: { units: string[]; years: number[] } } {
  const rows = [
    "id,date,region,applicant,ipc,cited",
    "p0,2000-03-01,A,a1,G06F 17/30,",
    "p1,2001-01-05,A,a1,G06F 17/30;H04L 29/08,p0",
    "p2,2001-06-01,B,b1,G06N 3/08,p0",
    "p3,2002-02-02,A,a2,H04L 29/08,p1;p2",
    "p4,2002-05-05,C,c1,A01B 1/00,p2",
    "p5,2003-07-07,B,b1,G06N 3/08;G06F 17/30,p2;p3;p9",
  ];
  const f = join(dir, "patents.csv");
  writeFileSync(f, rows.join("\n") + "\n");
  return { patents: f, grid: { units: ["A", "B", "C"], years: [2001, 2002, 2003] } };
}

test("measured counts and citations follow their definitions cell by cell", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-measure-tiny-"));
  const { patents, grid } = tinyCorpus(dir);
  const o = measureOptionsSchema.parse({ taxonomy: "oecd-ict" });
  const m = await measureFromFile(patents, loadMapping("default"), o, grid);
  const at = (col: keyof typeof m.columns, u: string, y: number) => m.columns[col]![grid.units.indexOf(u) * 3 + grid.years.indexOf(y)]!;
  // key-digital (OECD ICT) patents: every one but p4 (A01B); p0 is before the panel and only feeds the windows
  assert.equal(m.info.key_digital, 5);
  assert.equal(m.info.earlier_years, 1);
  assert.equal(at("keytech_patents", "A", 2001), 1);
  assert.equal(at("keytech_patents", "C", 2002), 0);
  assert.equal(at("keytech_count", "B", 2003), Math.log1p(1));
  // citations received by A's 2001 patent p1: from p3 (applicant a2 ≠ a1) → 1; B's p2 gets p3, p4 (not
  // key-digital, still a citing patent) and p5 — but p5 is b1's own (self-citation) → 2
  assert.equal(at("citations_received", "A", 2001), 1);
  assert.equal(at("citations_received", "B", 2001), 2);
  assert.equal(at("cite_quality", "B", 2001), Math.log1p(2));
  assert.equal(m.info.citations.self, 2); // p1 → p0 (both a1) and p5 → p2 (both b1)
  assert.equal(m.info.citations.unknown, 1);
  // the outcome is the breakthrough count: a sum of 0/1 flags, never above the key-digital count
  for (let c = 0; c < 9; c++) assert.ok(m.columns.keytech![c]! <= m.columns.keytech_patents![c]!);
  // diffusion without clusters: A's 2002 patent p3 cites p1 (A, digital) and p2 (B) → 1/2
  assert.equal(at("diffusion", "A", 2002), 0.5);
  assert.ok(Number.isNaN(at("diffusion", "A", 2003)), "no citation made → missing, not 0");
});

test("the baseline estimates on the measured column, not on a panel column", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-measure-base-"));
  mkdirSync(join(dir, "data"));
  const { patents } = tinyCorpus(join(dir, "data"));
  const panel = ["region,year,x"];
  for (const u of ["A", "B", "C"]) for (const y of [2001, 2002, 2003]) panel.push(`${u},${y},${(u.charCodeAt(0) * 7 + y) % 5}`);
  writeFileSync(join(dir, "data", "panel.csv"), panel.join("\n") + "\n");
  writeFileSync(join(dir, "data", "policies.csv"), "region,program,year\nA,pilot,2002\n");
  writeFileSync(
    join(dir, "study.yaml"),
    `inputs:\n  panel: { file: data/panel.csv, unit: region, time: year }\n  policies: { file: data/policies.csv, unit: region, program: program, year: year, programs: { treated: pilot } }\n  patents: { file: ${patents} }\noutcome: { label: KeyTech }\nmodel: { controls: [], cluster: region }\nblocks:\n  patents: { taxonomy: oecd-ict, outcome: sum }\n  alt_outcomes: { outcomes: [keytech_count] }\n`,
  );
  const spec = await loadSpec(join(dir, "study.yaml"));
  assert.equal(spec.outcome.column, "keytech");
  assert.equal(spec.outcome.source, "patents");
  const run = await runStudy(spec, { outDir: join(dir, "out"), log: () => {} });
  assert.equal(run.failed, 0, JSON.stringify(run.blocks.map((b) => [b.id, b.error])));
  // the same regression by the CLI on the written analysis panel's measured column
  const alt = run.blocks.find((b) => b.id === "alt_outcomes")!.output!.models[0]!.result.estimates.find((e) => e.term === "treat_post")!.estimate!;
  const cli = runCli([
    "did",
    "twfe",
    "--data",
    join(dir, "out", "work", "analysis_panel.csv"),
    "--y",
    "keytech_count",
    "--unit",
    "region",
    "--time",
    "year",
    "--cohort",
    "cohort",
    "--json",
  ]);
  assert.equal(cli.status, 0, cli.stderr);
  const est = (JSON.parse(cli.stdout) as { estimates: { term: string; estimate: number }[] }).estimates.find((e) => e.term === "treat_post")!.estimate;
  assert.ok(Math.abs(est - alt) <= 1e-12 * Math.max(1, Math.abs(est)), `study ${alt} vs CLI ${est}`);
  assert.notEqual(alt, 0);
});

test("patents.tie_ceiling: default 0.02, passed to the engine as tieCeiling, 0 allowed, outside [0, 1) rejected", () => {
  assert.equal(measureOptionsSchema.parse({}).tie_ceiling, 0.02);
  assert.equal(scoreOptionsOf(measureOptionsSchema.parse({})).tieCeiling, 0.02);
  assert.equal(scoreOptionsOf(measureOptionsSchema.parse({ tie_ceiling: 0 })).tieCeiling, 0);
  for (const v of [-0.01, 1]) assert.equal(measureOptionsSchema.safeParse({ tie_ceiling: v }).success, false);
});

test("study bad input: a non-UTF-8 byte is located; later-filed, self- and dangling citations are counted, not used", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-measure-bad-"));
  mkdirSync(join(dir, "data"));
  const rows = [
    "id,date,region,applicant,ipc,cited",
    "p0,2000-03-01,A,a1,G06F 17/30,",
    "p1,2001-01-05,A,a1,G06F 17/30;H04L 29/08,p0;p4",
    "p2,2001-06-01,B,b1,G06N 3/08,p0;zz",
    "p3,2002-02-02,A,a2,H04L 29/08,p1;p2",
    "p4,2003-07-07,B,b2,G06N 3/08,p3",
  ];
  writeFileSync(join(dir, "data", "patents.csv"), rows.join("\n") + "\n");
  const panel = ["region,year,x"];
  for (const u of ["A", "B"]) for (const y of [2001, 2002, 2003]) panel.push(`${u},${y},${y % 3}`);
  writeFileSync(join(dir, "data", "panel.csv"), panel.join("\n") + "\n");
  writeFileSync(join(dir, "data", "policies.csv"), "region,program,year\nA,pilot,2002\n");
  writeFileSync(
    join(dir, "study.yaml"),
    "inputs:\n  panel: { file: data/panel.csv, unit: region, time: year }\n  policies: { file: data/policies.csv, unit: region, program: program, year: year, programs: { treated: pilot } }\n  patents: { file: data/patents.csv }\nmodel: { controls: [], cluster: region }\nblocks:\n  patents: { taxonomy: oecd-ict }\n",
  );
  const out = join(dir, "out");
  const ok = runCli(["study", "run", join(dir, "study.yaml"), "--out", out, "--json"]);
  assert.equal(ok.status, 0, ok.stderr);
  const res = readJson<{ blocks: { id: string; output?: { extra?: { measure?: { citations: Record<string, number> } } } }[] }>(join(out, "results.json"));
  // p1 → p0 self (a1), p1 → p4 filed later, p2 → zz unknown, p2 → p0 counted, p3 → p1, p3 → p2, p4 → p3 counted
  assert.deepEqual(res.blocks.find((b) => b.id === "patents")!.output!.extra!.measure!.citations, {
    available: true,
    total: 7,
    counted: 4,
    self: 1,
    unknown: 1,
    later_filed: 1,
  });
  // one invalid byte: the spec check names file, row and column, and nothing is written
  const bytes = Buffer.from(rows.join("\n") + "\n");
  bytes[bytes.indexOf("p3,") + 1] = 0xff;
  writeFileSync(join(dir, "data", "patents.csv"), bytes);
  const bad = runCli(["study", "run", join(dir, "study.yaml"), "--out", join(dir, "out2")]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /patents\.csv, row 4, column 'id': invalid UTF-8 byte 0xFF/);
  assert.doesNotMatch(bad.stderr, /INTERNAL|DuckDB|at .*\.js:\d+/);
});

test("study bad input: a stray text cell in a numeric panel column stops with file, row and column", () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-panel-bad-"));
  mkdirSync(join(dir, "data"));
  const panel = ["region,year,x"];
  for (const u of ["A", "B", "C"]) for (const y of [2001, 2002, 2003]) panel.push(`${u},${y},${y === 2002 && u === "B" ? "4.x" : (y % 3) + 0.5}`);
  writeFileSync(join(dir, "data", "panel.csv"), panel.join("\n") + "\n");
  writeFileSync(join(dir, "data", "policies.csv"), "region,program,year\nA,pilot,2002\n");
  writeFileSync(
    join(dir, "study.yaml"),
    "inputs:\n  panel: { file: data/panel.csv, unit: region, time: year }\n  policies: { file: data/policies.csv, unit: region, program: program, year: year, programs: { treated: pilot } }\noutcome: { column: x }\nmodel: { controls: [], cluster: region }\nblocks:\n  baseline: { columns: [fe_only] }\n",
  );
  const r = runCli(["study", "run", join(dir, "study.yaml"), "--out", join(dir, "out")]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /panel\.csv, row 5, column 'x': "4\.x" is not a number in a numeric column \(8 of 9 cells are numbers\)/);
  assert.ok(!existsSync(join(dir, "out", "results.json")), "nothing written");
});
