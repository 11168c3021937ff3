/** End-to-end CLI runs on mpdta against R fixest 0.14.2 (test/fixtures/refs). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assertClose, fixture, readJson, runCli } from "../helpers.js";
import type { KeytechResult } from "../../src/core/result.js";
import { runCommand } from "../../src/cli/program.js";
import { bufferSink } from "../../src/cli/io.js";

interface Ref {
  estimates: { term: string; estimate: number; std_error: number; statistic: number; p_value: number }[];
  nobs: number;
  r2: number;
  adj_r2: number;
  within_r2: number;
  pretrend_wald?: { stat: number; p: number; df1: number; df2: number };
}

const data = fixture("data", "mpdta.csv");
const did = ["--data", data, "--y", "lemp", "--unit", "countyreal", "--time", "year", "--cohort", "first.treat"];

/** Run a command in this process through runCommand (its output collected, nothing patched); a few tests spawn the real CLI. */
async function run(args: string[]): Promise<KeytechResult> {
  const out = bufferSink(),
    err = bufferSink();
  const code = await runCommand([...args, "--json"], { stdout: out, stderr: err });
  assert.equal(code, 0, err.text());
  return JSON.parse(out.text()) as KeytechResult;
}

function runSpawned(args: string[]): KeytechResult {
  const r = runCli([...args, "--json"]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as KeytechResult;
}

function compare(res: KeytechResult, ref: Ref, tol = 1e-6): void {
  assert.equal(res.nobs, ref.nobs);
  const terms = ref.estimates.map((e) => e.term);
  for (const e of ref.estimates) {
    const got = res.estimates.find((x) => x.term === e.term);
    assert.ok(got, `term ${e.term} missing; have ${res.estimates.map((x) => x.term).join(", ")}`);
    assertClose(got.estimate!, e.estimate, tol, `${e.term} estimate`);
    assertClose(got.std_error!, e.std_error, tol, `${e.term} se`);
    assertClose(got.statistic!, e.statistic, tol, `${e.term} t`);
    assertClose(got.p_value!, e.p_value, tol, `${e.term} p`);
  }
  assert.deepEqual(
    res.estimates.map((x) => x.term).filter((t) => terms.includes(t)),
    terms,
  );
  assertClose(res.fit!.r2 as number, ref.r2, tol, "r2");
  assertClose(res.fit!.adj_r2 as number, ref.adj_r2, tol, "adj_r2");
  assertClose(res.fit!.within_r2 as number, ref.within_r2, tol, "within_r2");
}

test("did twfe reproduces fixest clustered by county; CONTRACT JSON shape", () => {
  const res = runSpawned(["did", "twfe", ...did]);
  compare(res, readJson<Ref>(fixture("refs", "mpdta_fixest_twfe_cluster.json")));
  assert.equal(res.command, "did twfe");
  assert.deepEqual(res.vcov!.clusters, { countyreal: 500 });
  assert.equal(res.vcov!.type, "cluster");
  assert.deepEqual(
    { singletons: res.dropped.singletons, missing: res.dropped.missing, collinear: res.dropped.collinear },
    { singletons: 0, missing: 0, collinear: [] },
  );
  assert.match(res.provenance.inputs[data]!, /^sha256:[0-9a-f]{64}$/);
  assert.equal(res.provenance.seed, null);
  assert.equal(typeof res.keytech, "string");
  const e = res.estimates[0]!;
  for (const k of ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]) assert.ok(k in e, k);
});

test("did twfe: iid, HC1 and two-way clustered variances match fixest", async () => {
  compare(await run(["did", "twfe", ...did, "--vcov", "iid"]), readJson<Ref>(fixture("refs", "mpdta_fixest_twfe_iid.json")));
  compare(await run(["did", "twfe", ...did, "--vcov", "hc1"]), readJson<Ref>(fixture("refs", "mpdta_fixest_twfe_hc1.json")));
  compare(await run(["did", "twfe", ...did, "--cluster", "countyreal,year"]), readJson<Ref>(fixture("refs", "mpdta_fixest_twfe_cluster2.json")));
});

test("did twfe with a time-invariant control: dropped as collinear, as fixest", async () => {
  const res = await run(["did", "twfe", ...did, "--x", "lpop"]);
  compare(res, readJson<Ref>(fixture("refs", "mpdta_fixest_twfe_collinear.json")));
  assert.deepEqual(res.dropped.collinear, ["lpop"]);
});

test("did event without a window reproduces the fixest event study and its pre-trend Wald test", () => {
  const ref = readJson<Ref>(fixture("refs", "mpdta_fixest_event.json"));
  const res = runSpawned(["did", "event", ...did, "--ref", "-1"]);
  compare(res, ref);
  assert.deepEqual(
    res.estimates.map((e) => e.term),
    ["rel::-4", "rel::-3", "rel::-2", "rel::0", "rel::1", "rel::2", "rel::3"],
  );
  const w = res.pretrend_wald as { stat: number; p: number; df1: number; df2: number; terms: string[] };
  assertClose(w.stat, ref.pretrend_wald!.stat, 1e-6, "wald stat");
  assertClose(w.p, ref.pretrend_wald!.p, 1e-6, "wald p");
  assert.equal(w.df1, 3);
  assert.equal(w.df2, 499);
  assert.deepEqual(w.terms, ["rel::-4", "rel::-3", "rel::-2"]);
});

// ---- derived data sets: the same models written as feols formulas on columns built here ----
const dir = mkdtempSync(join(tmpdir(), "keytech-mpdta-"));
const lines = readFileSync(data, "utf8").trim().split("\n");
const header = lines[0]!.split(",").map((s) => s.replace(/"/g, ""));
const rows = lines.slice(1).map((l) => l.split(",").map(Number));
const col = (name: string) => header.indexOf(name);
function writeCsv(name: string, extra: Record<string, (r: number[]) => number | string>, filter: (r: number[]) => boolean = () => true): string {
  const p = join(dir, name);
  const names = Object.keys(extra);
  const out = [[...header, ...names].join(",")];
  for (const r of rows) if (filter(r)) out.push([...r, ...names.map((n) => extra[n]!(r))].join(","));
  writeFileSync(p, out.join("\n") + "\n");
  return p;
}
const relOf = (r: number[]) => (r[col("first.treat")]! > 0 ? r[col("year")]! - r[col("first.treat")]! : -1000);

test("feols formula with i(rel, ref = c(-1, -1000)) + i(year, lpop, ref = 2003) matches fixest", async () => {
  const p = writeCsv("rel.csv", { rel: relOf });
  const ref = readJson<Ref>(fixture("refs", "mpdta_fixest_event_lpop_by_year.json"));
  const res = await run([
    "feols",
    "--data",
    p,
    "--formula",
    "lemp ~ i(rel, ref = c(-1, -1000)) + i(year, lpop, ref = 2003) | countyreal + year",
    "--cluster",
    "countyreal",
  ]);
  compare(res, ref);
  const ev = await run(["feols", "--data", p, "--formula", "lemp ~ i(rel, ref = c(-1, -1000)) | countyreal + year", "--cluster", "countyreal"]);
  compare(ev, readJson<Ref>(fixture("refs", "mpdta_fixest_event.json")));
});

test("--window with bin / trim / none equals the hand-built designs", async () => {
  const binned = writeCsv("bin.csv", { relb: (r) => (relOf(r) === -1000 ? -1000 : Math.min(Math.max(relOf(r), -3), 2)) });
  const fb = await run(["feols", "--data", binned, "--formula", "lemp ~ i(relb, ref = c(-1, -1000)) | countyreal + year", "--cluster", "countyreal"]);
  for (const [flags, expect] of [
    [["--window", "-3:2"], fb],
    [["--window", "-3:2", "--bin"], fb],
  ] as const) {
    const ev = await run(["did", "event", ...did, ...flags]);
    assert.deepEqual(
      ev.estimates.map((e) => e.term),
      fb.estimates.map((e) => e.term.replace("relb", "rel")),
    );
    ev.estimates.forEach((e, j) => {
      assertClose(e.estimate!, expect.estimates[j]!.estimate!, 1e-9);
      assertClose(e.std_error!, expect.estimates[j]!.std_error!, 1e-9);
    });
  }
  const trimmed = writeCsv("trim.csv", { rel: relOf }, (r) => relOf(r) === -1000 || (relOf(r) >= -3 && relOf(r) <= 2));
  const ft = await run(["feols", "--data", trimmed, "--formula", "lemp ~ i(rel, ref = c(-1, -1000)) | countyreal + year", "--cluster", "countyreal"]);
  const et = await run(["did", "event", ...did, "--window", "-3:2", "--endpoints", "trim"]);
  assert.equal(et.nobs, ft.nobs);
  assert.equal(et.dropped.outside_window, 2500 - ft.nobs);
  et.estimates.forEach((e, j) => assertClose(e.estimate!, ft.estimates[j]!.estimate!, 1e-9));
  const none = writeCsv("none.csv", { reln: (r) => (relOf(r) === -1000 || relOf(r) < -3 || relOf(r) > 2 ? -1000 : relOf(r)) });
  const fn = await run(["feols", "--data", none, "--formula", "lemp ~ i(reln, ref = c(-1, -1000)) | countyreal + year", "--cluster", "countyreal"]);
  const en = await run(["did", "event", ...did, "--window", "-3:2", "--endpoints", "none"]);
  en.estimates.forEach((e, j) => assertClose(e.estimate!, fn.estimates[j]!.estimate!, 1e-9));
});

test("--lead 1 leads the outcome within county and reports the rows lost", async () => {
  const key = (u: number, t: number) => `${u}:${t}`;
  const y = new Map(rows.map((r) => [key(r[col("countyreal")]!, r[col("year")]!), r[col("lemp")]!]));
  const p = writeCsv("lead.csv", {
    lemp_f1: (r) => y.get(key(r[col("countyreal")]!, r[col("year")]! + 1)) ?? "NA",
    tp: (r) => (r[col("first.treat")]! > 0 && r[col("year")]! >= r[col("first.treat")]! ? 1 : 0),
  });
  const f = await run(["feols", "--data", p, "--formula", "lemp_f1 ~ tp | countyreal + year", "--cluster", "countyreal"]);
  assert.equal(f.dropped.missing, 500);
  const l = await run(["did", "twfe", ...did, "--lead", "1"]);
  assert.equal(l.nobs, 2000);
  assert.equal(l.dropped.lead, 500);
  assertClose(l.estimates[0]!.estimate!, f.estimates[0]!.estimate!, 1e-9);
  assertClose(l.estimates[0]!.std_error!, f.estimates[0]!.std_error!, 1e-9);
});

test("--winsor and --trim change the outcome as stated and report counts", async () => {
  const ys = rows.map((r) => r[col("lemp")]!).sort((a, b) => a - b);
  const q = (p: number) => {
    const h = (ys.length - 1) * p,
      lo = Math.floor(h);
    return ys[lo]! + (h - lo) * (ys[Math.min(lo + 1, ys.length - 1)]! - ys[lo]!);
  };
  const lo = q(0.05),
    hi = q(0.95);
  const p = writeCsv("w.csv", {
    yw: (r) => Math.min(Math.max(r[col("lemp")]!, lo), hi),
    tp: (r) => (r[col("first.treat")]! > 0 && r[col("year")]! >= r[col("first.treat")]! ? 1 : 0),
  });
  const f = await run(["feols", "--data", p, "--formula", "yw ~ tp | countyreal + year", "--cluster", "countyreal"]);
  const w = await run(["did", "twfe", ...did, "--winsor", "0.05"]);
  assertClose(w.estimates[0]!.estimate!, f.estimates[0]!.estimate!, 1e-9);
  assertClose(w.estimates[0]!.std_error!, f.estimates[0]!.std_error!, 1e-9);
  assert.equal((w.dropped.winsorized as { changed: number }).changed, ys.filter((v) => v < lo || v > hi).length);
  const t = await run(["did", "twfe", ...did, "--trim", "0.05"]);
  const kept = ys.filter((v) => v >= lo && v <= hi).length;
  assert.equal(t.nobs + (t.dropped.singletons as number), kept);
  assert.equal(t.dropped.trimmed, 2500 - kept);
});

test("feols default variance is iid (fixest ≥ 0.13); errors exit 1 or 2 with messages", async () => {
  const r = await run(["feols", "--data", data, "--formula", "lemp ~ lpop"]);
  assert.equal(r.vcov!.type, "iid");
  assert.deepEqual(
    r.estimates.map((e) => e.term),
    ["(Intercept)", "lpop"],
  );
  const bad = runCli(["feols", "--data", data, "--formula", "lemp ~ lpop +"]);
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr, "keytech: error: bad formula: expected a term after '+'\n  lemp ~ lpop +\n               ^\n");
  const miss = runCli(["did", "twfe", ...did.map((a) => (a === "lemp" ? "lemp2" : a))]);
  assert.equal(miss.status, 1);
  assert.equal(
    miss.stderr,
    `keytech: error: ${data}, column 'lemp2': no such column; the file has: year, countyreal, lpop, lemp, first.treat, treat; did you mean 'lemp'?\n`,
  );
  const usage = runCli(["did", "event", ...did, "--window", "4:-4"]);
  assert.equal(usage.status, 2);
  assert.equal(usage.stderr, "keytech: error: --window 4:-4: the first period must not exceed the last\n");
  const human = runCli(["did", "twfe", ...did]);
  assert.equal(human.status, 0);
  assert.match(human.stdout, /treat_post\s+-0\.036549\s+0\.013265\s+-2\.755/);
});
