/** USPTO grant XML samples parse to the values of the extracted CSV shipped beside them. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture, runCli } from "../helpers.js";
import { grantToPatentRow, readUsptoGrant } from "../../src/patents/uspto-xml.js";
import { splitCsvLine } from "../../src/patents/taxonomy.js";
import { parseIpc } from "../../src/patents/ipc.js";

const lines = readFileSync(fixture("patents", "uspto_grant_xml_samples_extracted.csv"), "utf8")
  .replace(/^\uFEFF/, "")
  .trim()
  .split(/\r?\n/);
const head = splitCsvLine(lines[0]!);
const rows = lines.slice(1).map((l) => Object.fromEntries(splitCsvLine(l).map((v, i) => [head[i]!, v])) as Record<string, string>);

test("every field of the six grant documents equals the extracted CSV", () => {
  assert.equal(rows.length, 6);
  for (const r of rows) {
    const g = readUsptoGrant(fixture("patents", "uspto_grant_xml_samples", r.source_file!));
    const f = r.source_file!;
    assert.equal(g.patentId, r.patent_id, f);
    assert.equal(g.kind, r.kind, f);
    assert.equal(g.grantDate, r.grant_date, f);
    assert.equal(g.applicationId, r.application_id, f);
    assert.equal(g.filingDate, r.filing_date, f);
    assert.equal(g.title, r.title, f);
    assert.equal(g.ipc.join(";"), r.ipc, f);
    assert.equal(g.cpc.join(";"), r.cpc, f);
    assert.equal(g.inventorLocations.join(";"), r.inventor_locations, f);
    assert.equal(String(g.usCitedDocs.length), r.n_us_cited_docs, f);
    assert.equal(g.usCitedDocs.join(";"), r.us_cited_docs, f);
    for (const code of g.ipc) assert.ok(parseIpc(code), `${f}: IPC '${code}' parses`);
  }
});

test("grant XML → patents table → patents score", () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-xml-"));
  try {
    const recs = rows.map((r) => grantToPatentRow(readUsptoGrant(fixture("patents", "uspto_grant_xml_samples", r.source_file!))));
    assert.deepEqual(recs[0], {
      id: "06859910",
      date: "20010410",
      ipc: "G06F015/00;G06F017/00;G06F017/21;G06F017/24",
      cited: rows[0]!.us_cited_docs,
      applicant: "Bluestreak.com",
      region: "RI",
    });
    const csv = [
      "id,date,region,ipc,cited,applicant",
      ...recs.map((x) => [x.id, x.date, x.region, x.ipc, x.cited, x.applicant].map((v) => (/[,"]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(",")),
    ].join("\n");
    writeFileSync(join(dir, "p.csv"), csv + "\n");
    const r = runCli(["patents", "score", "--patents", join(dir, "p.csv"), "--out", join(dir, "s.csv"), "--level", "subclass"]);
    assert.equal(r.status, 0, r.stderr);
    const out = readFileSync(join(dir, "s.csv"), "utf8")
      .replace(/^\uFEFF/, "")
      .trim()
      .split(/\r?\n/);
    assert.equal(out.length, 7);
    assert.match(out[1]!, /^06859910,2001,1,/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("patents score and panel read a folder of USPTO grant XML directly (no hand-made CSV)", () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-xml-cli-"));
  try {
    const xml = fixture("patents", "uspto_grant_xml_samples");
    const s = runCli(["patents", "score", "--patents", xml, "--out", join(dir, "s.csv"), "--preset", "paper", "--json"]);
    assert.equal(s.status, 0, s.stderr);
    const out = readFileSync(join(dir, "s.csv"), "utf8").trim().split(/\r?\n/);
    assert.equal(out.length, 7);
    assert.deepEqual(
      out
        .slice(1)
        .map((l) => l.split(",")[0])
        .sort(),
      ["06859910", "06970935", "07272630", "08926509", "08927118", "08930553"],
    );
    const p = runCli(["patents", "panel", "--patents", xml, "--out", join(dir, "p.csv"), "--years", "2000:2012"]);
    assert.equal(p.status, 0, p.stderr);
    assert.match(readFileSync(join(dir, "p.csv"), "utf8"), /^region,year,patents,breakthroughs,sum_imp10,citations\nCA,2000,0,0,0,0\n/);
    assert.match(p.stderr, /242 to ids not in the table/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("column flags map an export without a JSON mapping file", () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-colflags-"));
  try {
    writeFileSync(join(dir, "x.csv"), "pn,filed,ipcs,refs,who,where\nA,2001-02-03,G06F 17/30|H04L 29/08,,a1,R1\nB,2003-04-05,G06F 17/30,A,a2,R2\n");
    const r = runCli([
      "patents",
      "panel",
      "--patents",
      join(dir, "x.csv"),
      "--out",
      join(dir, "p.csv"),
      "--id-col",
      "pn",
      "--date-col",
      "filed",
      "--ipc-col",
      "ipcs",
      "--cited-col",
      "refs",
      "--applicant-col",
      "who",
      "--region-col",
      "where",
      "--ipc-sep",
      "|",
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(readFileSync(join(dir, "p.csv"), "utf8"), /R1,2001,1,.*,1\n/);
    const bad = runCli(["patents", "panel", "--patents", join(dir, "x.csv"), "--out", join(dir, "q.csv"), "--id-col", "nope"]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /x\.csv: no 'id' column \(mapping 'default' looks for 'nope'\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
