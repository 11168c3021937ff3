/**
 * `keytech did compare` on mpdta: the table's Callaway–Sant'Anna and Sun–Abraham numbers equal the
 * individual commands (`did cs`, `did sunab`) and therefore R did 2.1.2 / fixest; TWFE, imputation and
 * stacked equal their own commands; the table, SVG, PNG and JSON files are written and valid; bad flags
 * stop with exact messages (exit 2).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EstimateRow, KeytechResult } from "../../src/core/result.js";
import type { CompareResult } from "../../src/analyses/compare.js";
import { assertClose, fixture, readJson, runCli } from "../helpers.js";

const data = fixture("data", "mpdta.csv");
const cols = ["--data", data, "--y", "lemp", "--unit", "countyreal", "--time", "year", "--cohort", "first.treat"];

function json<T>(args: string[]): T {
  const r = runCli(args);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

const out = mkdtempSync(join(tmpdir(), "keytech-compare-"));
const cmp = json<CompareResult & { files: { tables: string[]; figures: string[]; json: string } }>([
  "did",
  "compare",
  ...cols,
  "--window",
  "-4:3",
  "--out",
  out,
  "--json",
]);
const entry = (r: CompareResult, id: string) => r.comparison.find((e) => e.estimator === id)!;
const row = (rows: EstimateRow[], term: string) => rows.find((e) => e.term === term);

function sameRows(got: EstimateRow[], want: EstimateRow[], what: string, rel = 1e-12): void {
  assert.ok(got.length > 0, `${what}: no rows`);
  for (const g of got) {
    const w = row(want, g.term);
    assert.ok(w, `${what}: ${g.term} missing from the individual command`);
    assertClose(g.estimate!, w.estimate!, rel, `${what} ${g.term} estimate`);
    assertClose(g.std_error!, w.std_error!, rel, `${what} ${g.term} se`);
  }
}

test("did compare: CS dynamic equals `did cs` and R did 2.1.2 (never-treated, dr)", () => {
  const cs = json<KeytechResult>(["did", "cs", ...cols, "--json"]);
  const e = entry(cmp, "cs");
  assert.equal(e.status, "ok");
  assert.deepEqual(
    e.event_time.map((r) => r.term),
    ["rel::-3", "rel::-2", "rel::-1", "rel::0", "rel::1", "rel::2", "rel::3"],
  );
  const by = (cs.aggregations as { dynamic: { by: { e: number; estimate: number; std_error: number }[] } }).dynamic.by;
  sameRows(
    e.event_time,
    by.map((b) => ({ term: `rel::${b.e}`, estimate: b.estimate, std_error: b.std_error }) as EstimateRow),
    "cs vs did cs",
  );
  sameRows([e.overall!], [{ ...row(cs.estimates, "ATT::dynamic")!, term: "ATT" }], "cs overall");
  const ref = readJson<{
    aggregations: { dynamic: { overall: { estimate: number; std_error: number }; by: { e: number; estimate: number; std_error: number }[] } };
  }>(fixture("refs", "mpdta_did_nox_nevertreated_dr.json"));
  sameRows(
    e.event_time,
    ref.aggregations.dynamic.by.map((b) => ({ term: `rel::${b.e}`, estimate: b.estimate, std_error: b.std_error }) as EstimateRow),
    "cs vs R did",
    1e-6,
  );
  assertClose(e.overall!.estimate!, ref.aggregations.dynamic.overall.estimate, 1e-6, "cs overall vs R");
  assertClose(e.overall!.std_error!, ref.aggregations.dynamic.overall.std_error, 1e-6, "cs overall se vs R");
  assert.equal(e.control_group, "never treated");
});

test("did compare: Sun–Abraham equals `did sunab` and R fixest sunab", () => {
  const sa = json<KeytechResult>(["did", "sunab", ...cols, "--json"]);
  const e = entry(cmp, "sunab");
  assert.deepEqual(
    e.event_time.map((r) => r.term),
    ["rel::-4", "rel::-3", "rel::-2", "rel::0", "rel::1", "rel::2", "rel::3"],
  );
  sameRows(e.event_time, sa.estimates, "sunab vs did sunab");
  sameRows([e.overall!], [{ ...(sa.aggregations as { ATT: EstimateRow }).ATT, term: "ATT" }], "sunab ATT");
  const ref = readJson<{ estimates: EstimateRow[]; att: { estimate: number; std_error: number } }>(fixture("refs", "mpdta_fixest_sunab.json"));
  sameRows(e.event_time, ref.estimates, "sunab vs fixest", 1e-6);
  assertClose(e.overall!.estimate!, ref.att.estimate, 1e-6, "sunab ATT vs fixest");
  assertClose(e.overall!.std_error!, ref.att.std_error, 1e-6, "sunab ATT se vs fixest");
});

test("did compare: TWFE and imputation equal `did event` / `did twfe` / `did imputation`; stacked reports why it cannot run", () => {
  const ev = json<KeytechResult>(["did", "event", ...cols, "--window", "-4:3", "--json"]);
  const tw = json<KeytechResult>(["did", "twfe", ...cols, "--json"]);
  const twfe = entry(cmp, "twfe");
  sameRows(twfe.event_time, ev.estimates, "twfe vs did event");
  sameRows([twfe.overall!], [{ ...row(tw.estimates, "treat_post")!, term: "ATT" }], "twfe overall vs did twfe");
  const imp = json<KeytechResult>(["did", "imputation", ...cols, "--horizons", "0:3", "--json"]);
  const ie = entry(cmp, "imputation");
  sameRows(
    ie.event_time.filter((r) => !r.term.startsWith("rel::-")),
    imp.estimates,
    "imputation vs did imputation",
  );
  sameRows([ie.overall!], [{ ...row(imp.estimates, "att")!, term: "ATT" }], "imputation att");
  const st = entry(cmp, "stacked");
  assert.equal(st.status, "failed");
  assert.match(st.error!, /^no sub-experiment fits the window -4:3: cohort 2004: window 2000–2007 leaves the observed periods 2003–2007/);
  assert.ok(cmp.warnings!.some((w) => w.startsWith("Stacked failed: no sub-experiment fits")));
  // the combined estimates carry the estimator prefix
  assert.equal(row(cmp.estimates, "cs:ATT")!.estimate, entry(cmp, "cs").overall!.estimate);
  assert.equal(cmp.command, "did compare");
  assert.ok(Object.values(cmp.provenance.inputs)[0]!.startsWith("sha256:"));
});

test("did compare: table, SVG, PNG and JSON files are written and valid", () => {
  const names = [...cmp.files.tables, ...cmp.files.figures, cmp.files.json].map((p) => p.slice(out.length + 1)).sort();
  assert.deepEqual(names, ["compare.csv", "compare.html", "compare.json", "compare.md", "compare.tex", "event_study_compare.png", "event_study_compare.svg"]);
  const svg = readFileSync(join(out, "event_study_compare.svg"), "utf8");
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.ok(svg.trimEnd().endsWith("</svg>"));
  for (const l of ["TWFE", "Callaway–Sant&#39;Anna", "Sun–Abraham", "Imputation (BJS)"])
    assert.ok(svg.includes(l) || svg.includes(l.replace("&#39;", "'")), `legend ${l}`);
  const png = readFileSync(join(out, "event_study_compare.png"));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.subarray(12, 16).toString("latin1"), "IHDR");
  assert.ok(png.readUInt32BE(16) > 400 && png.readUInt32BE(20) > 200, "PNG size");
  const md = readFileSync(join(out, "compare.md"), "utf8");
  assert.ok(md.includes("| | TWFE | Callaway–Sant'Anna | Sun–Abraham | Imputation (BJS) | Stacked |"));
  // CS e = 2: −0.137258738889404 (SE 0.0364356642876861) in R did → "-0.1373***" and "(0.0364)"
  assert.match(md, /\| e = 2 \| -0\.1318\*\*\* \| -0\.1373\*\*\* \| -0\.1373\*\*\* \| -0\.1361\*\*\* \| {2}\|/);
  assert.match(md, /\| e = -1 \| 0 \(ref\.\) \| -0\.0245\* \| 0 \(ref\.\) \| 0 \(ref\.\) \| {2}\|/);
  assert.match(
    md,
    /\| Control group \| not-yet and never treated \(implicit\) \| never treated \| never treated \| untreated observations \| clean: never or treated after a\+3 \|/,
  );
  assert.match(readFileSync(join(out, "compare.tex"), "utf8"), /\\begin\{tabular\}\{lccccc\}/);
  assert.match(
    readFileSync(join(out, "compare.csv"), "utf8"),
    /^term,statistic,TWFE,Callaway–Sant'Anna,Sun–Abraham,Imputation \(BJS\),Stacked\nATT \(overall\),estimate,-0\.0365\*\*\*,-0\.0772\*\*\*,-0\.0400\*\*\*,-0\.0477\*\*\*,\n/,
  );
  const html = readFileSync(join(out, "compare.html"), "utf8");
  assert.ok(html.includes('<table class="reg">') && html.includes("<svg"));
  const file = readJson<CompareResult>(join(out, "compare.json"));
  assert.deepEqual(
    file.comparison.map((e) => e.estimator),
    ["twfe", "cs", "sunab", "imputation", "stacked"],
  );
  assert.equal(file.comparison[1]!.results[0]!.command, "did cs");
});

test("did compare: not-yet-treated CS and the stacked column on a window mpdta can hold (-1:1), CSV on stdout", () => {
  const r = runCli(["did", "compare", ...cols, "--window", "-1:1", "--control", "notyet", "--format", "csv"]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.startsWith("term,statistic,TWFE,"));
  const c = json<CompareResult>(["did", "compare", ...cols, "--window", "-1:1", "--control", "notyet", "--estimators", "cs,stacked", "--json"]);
  assert.deepEqual(
    c.comparison.map((e) => e.estimator),
    ["cs", "stacked"],
  );
  const st = json<KeytechResult>(["did", "stacked", ...cols, "--window", "-1:1", "--json"]);
  sameRows(entry(c, "stacked").event_time, st.estimates, "stacked vs did stacked");
  sameRows([entry(c, "stacked").overall!], [{ ...row(st.estimates, "avg_post")!, term: "ATT" }], "stacked avg_post");
  const ref = readJson<{ aggregations: { dynamic: { overall: { estimate: number; std_error: number } } } }>(
    fixture("refs", "mpdta_did_nox_notyettreated_dr.json"),
  );
  assertClose(entry(c, "cs").overall!.estimate!, ref.aggregations.dynamic.overall.estimate, 1e-6, "cs notyet overall vs R");
  assertClose(entry(c, "cs").overall!.std_error!, ref.aggregations.dynamic.overall.std_error, 1e-6, "cs notyet overall se vs R");
  assert.equal(entry(c, "cs").control_group, "not yet treated");
});

test("did compare: bad flags stop with exact messages (exit 2)", () => {
  const cases: [string[], string][] = [
    [["--control", "maybe"], "keytech: error: --control must be never or notyet, got 'maybe'\n"],
    [["--format", "pdf"], "keytech: error: --format must be md, latex, html or csv, got 'pdf'\n"],
    [["--estimators", "cs,did2s"], "keytech: error: --estimators must list some of twfe, cs, sunab, imputation, stacked, got 'cs,did2s'\n"],
    [["--window", "3:-1"], "keytech: error: --window 3:-1: the first period must not exceed the last\n"],
    [["--ref", "-2"], "keytech: error: stacked DID uses event time −1 as the reference, not -2: use --ref -1 or leave stacked out of --estimators\n"],
  ];
  for (const [flags, msg] of cases) {
    const r = runCli(["did", "compare", ...cols, ...flags]);
    assert.equal(r.status, 2, flags.join(" "));
    assert.equal(r.stderr, msg);
    assert.equal(r.stdout, "");
  }
});
