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

const lines = readFileSync(fixture("patents", "uspto_grant_xml_samples_extracted.csv"), "utf8").replace(/^\uFEFF/, "").trim().split(/\r?\n/);
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
    assert.deepEqual(recs[0], { id: "06859910", date: "20010410", ipc: "G06F015/00;G06F017/00;G06F017/21;G06F017/24", cited: rows[0]!.us_cited_docs, applicant: "Bluestreak.com", region: "RI" });
    const csv = ["id,date,region,ipc,cited,applicant", ...recs.map((x) => [x.id, x.date, x.region, x.ipc, x.cited, x.applicant].map((v) => (/[,"]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(","))].join("\n");
    writeFileSync(join(dir, "p.csv"), csv + "\n");
    const r = runCli(["patents", "score", "--patents", join(dir, "p.csv"), "--out", join(dir, "s.csv"), "--level", "subclass"]);
    assert.equal(r.status, 0, r.stderr);
    const out = readFileSync(join(dir, "s.csv"), "utf8").replace(/^\uFEFF/, "").trim().split(/\r?\n/);
    assert.equal(out.length, 7);
    assert.match(out[1]!, /^06859910,2001,1,/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
