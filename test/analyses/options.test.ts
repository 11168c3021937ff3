import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assertClose, fixture } from "../helpers.js";
import { resultToJson } from "../../src/core/result.js";
import { twfeAnalysis } from "../../src/analyses/twfe.js";
import { feolsAnalysis } from "../../src/analyses/feols.js";
import { eventAnalysis } from "../../src/analyses/event.js";
import { buildProgram } from "../../src/cli/program.js";

const data = fixture("data", "mpdta.csv");
const cols = { data, y: "lemp", unit: "countyreal", time: "year", cohort: "first.treat" };
const dir = mkdtempSync(join(tmpdir(), "keytech-opts-"));
const lines = readFileSync(data, "utf8").trim().split("\n");

function withColumn(name: string, header: string, f: (cells: string[], i: number) => string): string {
  const p = join(dir, name);
  writeFileSync(p, [lines[0] + "," + header, ...lines.slice(1).map((l, i) => l + "," + f(l.split(","), i))].join("\n") + "\n");
  return p;
}

test("unit weights of 1 change nothing; a negative weight names its row", async () => {
  const p = withColumn("w.csv", "w", () => "1");
  const a = await twfeAnalysis({ ...cols, data: p });
  const b = await twfeAnalysis({ ...cols, data: p, weights: "w" });
  assertClose(b.estimates[0]!.estimate!, a.estimates[0]!.estimate!, 1e-12);
  assertClose(b.estimates[0]!.std_error!, a.estimates[0]!.std_error!, 1e-10);
  const n = withColumn("wn.csv", "w", (_c, i) => (i === 41 ? "-2" : "1"));
  await assert.rejects(twfeAnalysis({ ...cols, data: n, weights: "w" }), { message: `${n}, row 42, column 'w': weights must be zero or positive, found -2` });
});

test("missing outcome values are dropped listwise and counted; never-treated may have an empty cohort", async () => {
  const p = join(dir, "miss.csv");
  writeFileSync(
    p,
    [
      lines[0],
      ...lines.slice(1).map((l, i) => {
        const c = l.split(",");
        if (i % 100 === 7) c[3] = "NA"; // lemp
        if (c[4] === "0") c[4] = ""; // first.treat empty = never treated
        return c.join(",");
      }),
    ].join("\n") + "\n",
  );
  const r = await twfeAnalysis({ ...cols, data: p });
  assert.equal(r.dropped.missing, 25);
  assert.deepEqual(r.dropped.missing_by_column, { lemp: 25 });
  assert.equal(r.nobs, 2475);
});

test("varying slopes: unit-specific linear trends run through feols (fe[x])", async () => {
  // treat is time-invariant: absorbed by the unit FE, so nothing is left to estimate
  await assert.rejects(feolsAnalysis({ data, formula: "lemp ~ treat | countyreal[year] + year", cluster: ["countyreal"] }), {
    message: "every regressor was dropped as collinear with the fixed effects (treat); nothing to estimate",
  });
  const p = withColumn("tp.csv", "tp", (c) => (Number(c[4]) > 0 && Number(c[0]) >= Number(c[4]) ? "1" : "0"));
  const s = await feolsAnalysis({ data: p, formula: "lemp ~ tp | countyreal[year] + year", cluster: ["countyreal"] });
  assert.equal(s.estimates[0]!.term, "tp");
  assert.deepEqual((s.model as { fixed_effects: string[] }).fixed_effects, ["countyreal[year]", "year"]);
});

test("usage errors of the event study", async () => {
  await assert.rejects(eventAnalysis({ ...cols, endpoints: "trim" }), { message: "--endpoints/--bin need --window FIRST:LAST" });
  await assert.rejects(eventAnalysis({ ...cols, window: [0, 3] }), { message: "--ref -1 is outside --window 0:3" });
  await assert.rejects(twfeAnalysis({ ...cols, winsor: 0.05, trim: 0.05 }), { message: "use either --winsor or --trim, not both" });
  await assert.rejects(twfeAnalysis({ ...cols, winsor: 0.7 }), {
    message: "--winsor must be a share between 0 and 0.5 (e.g. 0.05 for the 5th/95th percentiles), got 0.7",
  });
  const nt = withColumn("nt.csv", "g0", () => "0");
  await assert.rejects(twfeAnalysis({ ...cols, data: nt, cohort: "g0" }), {
    message: `${nt}, column 'g0': no treated units: every cohort is 0 or empty (cohort = first treated period; 0 or empty = never treated)`,
  });
});

test("keytech table reads result files and writes the table (md and latex)", async () => {
  const a = join(dir, "a.json"),
    b = join(dir, "b.json");
  writeFileSync(a, resultToJson(await twfeAnalysis(cols)));
  writeFileSync(b, resultToJson(await twfeAnalysis({ ...cols, x: ["lpop"], winsor: 0.05 })));
  const out = join(dir, "t.md");
  await buildProgram().parseAsync([
    "node",
    "keytech",
    "table",
    a,
    b,
    "--keep",
    "treat_post",
    "--labels",
    "treat_post=Treat x Post,countyreal=County",
    "--out",
    out,
  ]);
  const md = readFileSync(out, "utf8");
  assert.match(md, /\| Treat x Post \| -0\.0365\*\*\* \| -0\.0\d{3}\*+ \|/);
  assert.match(md, /\| County FE +\| +Yes \| +Yes \|/);
  assert.match(md, /\| N +\| +2,500 \| +2,500 \|/);
  const tex = join(dir, "t.tex");
  await buildProgram().parseAsync(["node", "keytech", "table", a, b, "--format", "latex", "--out", tex]);
  assert.match(readFileSync(tex, "utf8"), /\\toprule/);
  const bad = join(dir, "bad.json");
  writeFileSync(bad, "{}");
  process.exitCode = 0;
  await buildProgram().parseAsync(["node", "keytech", "table", bad, "--out", join(dir, "x.md")]);
  assert.equal(process.exitCode, 1);
  process.exitCode = 0;
});
