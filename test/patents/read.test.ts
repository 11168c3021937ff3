/** Reading patent tables: mappings (default, CNRDS headers), Parquet = CSV, and exact bad-input messages. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { fixture, runCli } from "../helpers.js";
import { loadMapping } from "../../src/patents/mapping.js";
import { parseDate, readPatents, termCorpus } from "../../src/patents/read.js";
import { formatIpc } from "../../src/patents/ipc.js";

const def = loadMapping("default");

async function readErr(file: string, extra: Partial<Parameters<typeof readPatents>[1]> = {}): Promise<string> {
  try {
    await readPatents(fixture("patents", "bad", file), { mapping: def, level: "group", onBadIpc: "fail", ...extra });
  } catch (e) {
    return (e as Error).message;
  }
  return "no error";
}

test("bad input: exact messages naming file, row and column", async () => {
  assert.equal(await readErr("missing_ipc.csv"), "missing_ipc.csv: no 'ipc' column (mapping 'default' looks for 'ipc'); the file has: id, date, region, codes");
  assert.equal(
    await readErr("bad_date.csv"),
    "bad_date.csv, row 2, column 'date': cannot parse date '2001-02-30' (expected YYYY-MM-DD, YYYYMMDD, YYYY/MM/DD or YYYY年M月D日)",
  );
  assert.equal(await readErr("duplicate_id.csv"), "duplicate_id.csv, row 3, column 'id': duplicate id 'p1' (also at row 1); ids must be unique");
  assert.equal(
    await readErr("empty_ipc.csv"),
    "empty_ipc.csv, row 2, column 'ipc': empty IPC list; every patent needs at least one IPC code (fill the codes or remove the row)",
  );
  assert.equal(
    await readErr("malformed_ipc.csv"),
    "malformed_ipc.csv, row 2, column 'ipc': malformed IPC code 'XYZ 12' (fix it, or pass --on-bad-ipc skip to drop such codes)",
  );
  assert.equal(await readErr("missing_ipc.csv", { mapping: { ...def, columns: { ...def.columns, ipc: ["codes"] } }, level: "subgroup" }), "no error");
});

test("--on-bad-ipc skip drops the malformed code, keeps the patent, and reports row and value", async () => {
  const t = await readPatents(fixture("patents", "bad", "malformed_ipc.csv"), { mapping: def, level: "group", onBadIpc: "skip" });
  assert.equal(t.n, 3);
  assert.deepEqual(t.badIpc, { count: 1, examples: [{ row: 2, value: "XYZ 12" }] });
  assert.equal(t.codeOffsets[2]! - t.codeOffsets[1]!, 1);
});

test("CLI exit codes: bad input 1 with the message on stderr, bad usage 2", () => {
  const r = runCli(["patents", "score", "--patents", fixture("patents", "bad", "duplicate_id.csv"), "--out", join(tmpdir(), "kt-never.csv")]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /duplicate_id\.csv, row 3, column 'id': duplicate id 'p1'/);
  const u = runCli(["patents", "score", "--patents", "x.csv", "--out", "y.csv", "--idf", "tfidf"]);
  assert.equal(u.status, 2);
  assert.match(u.stderr, /--idf must be one of kpst, seed/);
});

test("dates in the accepted spellings", () => {
  assert.equal(parseDate("2018-03-05"), 20180305);
  assert.equal(parseDate("20190110"), 20190110);
  assert.equal(parseDate("2019/07/21"), 20190721);
  assert.equal(parseDate("2018年6月1日"), 20180601);
  assert.equal(parseDate("2018-06-01 00:00:00"), 20180601);
  assert.equal(parseDate("2019-02-29"), null);
  assert.equal(parseDate("2020-02-29"), 20200229);
  assert.equal(parseDate("201901"), null);
  assert.equal(parseDate("n/a"), null);
});

test("CNRDS/incoPat-style Chinese headers via --mapping cnrds", async () => {
  const t = await readPatents(fixture("patents", "cnrds_style.csv"), { mapping: loadMapping("cnrds"), level: "subgroup", onBadIpc: "fail", citations: true });
  assert.deepEqual(t.used, { id: "申请号", ipc: "IPC分类号", date: "申请日", region: "区县代码", applicant: "申请人", cited: "引证专利" });
  assert.deepEqual(t.ids, ["CN201810000001.1", "CN201810000002.X", "CN201910000003.5", "CN201910000004.0", "CN202010000005.9"]);
  assert.deepEqual(Array.from(t.date!), [20180305, 20180601, 20190110, 20190721, 20200202]);
  const codesOf = (p: number): string[] => Array.from(t.codeIds.subarray(t.codeOffsets[p]!, t.codeOffsets[p + 1]!)).map((i) => formatIpc(t.codes[i]!));
  assert.deepEqual(codesOf(1), ["H04L29/08", "H04W4/70"]);
  assert.deepEqual(codesOf(2), ["G06N3/04", "G06F16/27"]);
  assert.deepEqual(codesOf(4), ["G06F16/27", "H04L9/32"]);
  assert.deepEqual(t.region!.names, ["330106", "440305"]);
  assert.deepEqual(Array.from(t.applicant!.index), [0, 1, 0, 2, 1]);
  const c = t.cited!;
  assert.deepEqual(Array.from(c.target.slice(c.offsets[4], c.offsets[5])), [3, 2, -1]);
  assert.deepEqual(Array.from(c.target.slice(c.offsets[0], c.offsets[1])), []);
  assert.equal(c.unknown, 1);
  const corpus = termCorpus(t, "subclass");
  assert.deepEqual(corpus.vocabulary, ["G06F", "G06N", "H04L", "H04W"]);
});

test("Parquet input gives the same scores as CSV", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-pq-"));
  try {
    const csv = fixture("patents", "cnrds_style.csv");
    const pq = join(dir, "p.parquet");
    const inst = await DuckDBInstance.create(":memory:");
    const conn = await inst.connect();
    await conn.run(`COPY (SELECT * FROM read_csv('${csv}', header=true, all_varchar=true)) TO '${pq}' (FORMAT parquet)`);
    conn.closeSync();
    inst.closeSync();
    const a = runCli(["patents", "score", "--patents", csv, "--mapping", "cnrds", "--out", join(dir, "a.csv"), "--level", "subclass", "--idf", "seed"]);
    const b = runCli(["patents", "score", "--patents", pq, "--mapping", "cnrds", "--out", join(dir, "b.csv"), "--level", "subclass", "--idf", "seed"]);
    assert.equal(a.status, 0, a.stderr);
    assert.equal(b.status, 0, b.stderr);
    assert.equal(readFileSync(join(dir, "a.csv"), "utf8"), readFileSync(join(dir, "b.csv"), "utf8"));
    // --out *.parquet: the same columns and values (NULL where the CSV cell is empty).
    const c = runCli(["patents", "score", "--patents", csv, "--mapping", "cnrds", "--out", join(dir, "c.parquet"), "--level", "subclass", "--idf", "seed"]);
    assert.equal(c.status, 0, c.stderr);
    const inst2 = await DuckDBInstance.create(":memory:");
    const conn2 = await inst2.connect();
    const rows = (await conn2.runAndReadAll(`SELECT * FROM read_parquet('${join(dir, "c.parquet")}')`)).getRowsJS();
    conn2.closeSync();
    inst2.closeSync();
    const lines = readFileSync(join(dir, "a.csv"), "utf8").trim().split("\n");
    assert.equal(rows.length, lines.length - 1);
    rows.forEach((r, i) => {
      const cells = lines[i + 1]!.split(",");
      r.forEach((v, j) => assert.equal(v === null ? "" : String(v), cells[j] === "" ? "" : String(j === 0 ? cells[j] : Number(cells[j])), `row ${i} col ${j}`));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("PatentsView folder via --mapping patentsview (filing date, IPC in sequence order, citations)", async () => {
  const t = await readPatents(fixture("patents", "patentsview"), {
    mapping: loadMapping("patentsview"),
    level: "subgroup",
    onBadIpc: "fail",
    citations: true,
    region: false,
    applicant: false,
  });
  assert.deepEqual(t.ids, ["10000001", "10000002", "10000003"]);
  assert.deepEqual(Array.from(t.date!), [20150302, 20160719, 20170130]);
  const codesOf = (p: number): string[] => Array.from(t.codeIds.subarray(t.codeOffsets[p]!, t.codeOffsets[p + 1]!)).map((i) => formatIpc(t.codes[i]!));
  assert.deepEqual(codesOf(0), ["G06F17/30", "H04L9/32"]);
  assert.deepEqual(Array.from(t.cited!.target.slice(t.cited!.offsets[2], t.cited!.offsets[3])), [0, 1, -1]);
});

test("PatentsView folder without the optional citation_sequence column: citations in file order", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-pv-"));
  try {
    for (const f of ["g_patent.tsv", "g_application.tsv", "g_ipc_at_issue.tsv"])
      writeFileSync(join(dir, f), readFileSync(fixture("patents", "patentsview", f)));
    const cit = readFileSync(fixture("patents", "patentsview", "g_us_patent_citation.tsv"), "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split("\t"));
    const seq = cit[0]!.indexOf("citation_sequence");
    writeFileSync(join(dir, "g_us_patent_citation.tsv"), cit.map((r) => r.filter((_, j) => j !== seq).join("\t")).join("\n") + "\n");
    const t = await readPatents(dir, {
      mapping: loadMapping("patentsview"),
      level: "subgroup",
      onBadIpc: "fail",
      citations: true,
      region: false,
      applicant: false,
    });
    assert.equal(t.n, 3);
    assert.deepEqual(Array.from(t.cited!.target.slice(t.cited!.offsets[2], t.cited!.offsets[3])).sort(), [-1, 0, 1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("patents score CLI reproduces the METHODS §1.5 seed-weighting table and writes the contract columns", () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-toy-"));
  try {
    const rows = [
      ["p1", 2000, "G06F;G06F;H04L"],
      ["p2", 2000, "H04L;H04W"],
      ["p3", 2000, "G06N"],
      ["p4", 2001, "G06F;G06N"],
      ["p5", 2001, "H04L"],
      ["p6", 2002, "G06N;G06N;G06F"],
      ["p7", 2002, "H04W;H04L"],
      ["p8", 2003, "G06N;G06V"],
      ["p9", 2003, "G06F;H04L;G06N"],
      ["p10", 2004, "G06V;G06N"],
    ];
    writeFileSync(join(dir, "toy.csv"), "id,year,ipc\n" + rows.map((r) => r.join(",")).join("\n") + "\n");
    const out = join(dir, "s.csv");
    const r = runCli([
      "patents",
      "score",
      "--patents",
      join(dir, "toy.csv"),
      "--out",
      out,
      "--level",
      "subclass",
      "--backward",
      "2",
      "--forward",
      "2",
      "--idf",
      "seed",
      "--json",
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).nobs, 10);
    const lines = readFileSync(out, "utf8").trim().split("\n");
    assert.equal(lines[0], "id,year,n_terms,bs,fs2,imp2,breakthrough,censored");
    const p6 = lines[6]!.split(",");
    assert.equal(p6[0], "p6");
    assert.ok(Math.abs(Number(p6[3]) - 2.282899) < 6e-7 && Math.abs(Number(p6[4]) - 2.648418) < 6e-7 && Math.abs(Number(p6[5]) - 1.160112) < 6e-7);
    const m = runCli([
      "patents",
      "score",
      "--patents",
      join(dir, "toy.csv"),
      "--out",
      out,
      "--level",
      "subclass",
      "--forward",
      "1,5,10",
      "--censoring",
      "missing",
    ]);
    assert.equal(m.status, 0, m.stderr);
    assert.match(m.stderr, /10 of 10 patents \(filed in 1995 or later\) have a 10-year forward window/);
    const l2 = readFileSync(out, "utf8").trim().split("\n");
    assert.equal(l2[0], "id,year,n_terms,bs,fs1,fs5,fs10,imp1,imp5,imp10,breakthrough,censored");
    assert.equal(l2[1], "p1,2000,2,0,0,,,,,,,1");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
