/**
 * Unclear messages found by fuzzing the patents reader (bench/fuzz-loaders.ts, issue #14), each reproduced
 * here first: a stray carriage return made DuckDB's sniffer give up ("Error when sniffing file", no row); a
 * ragged row made it read the header as one column ("no 'id' column; the file has: id,date,region,…");
 * a byte-order mark and one newline listed "the file has: column0"; damaged Parquet files surfaced DuckDB's
 * internals ("TProtocolException", "don't know what type", "Snappy decompression failure") without saying
 * what to do; USPTO grant XML with invalid UTF-8 was read silently (U+FFFD), compressed XML was "not a grant
 * document", a NUL byte was answered with "export the table as CSV", a character reference beyond Unicode
 * gave "Invalid code point", and the file name was printed twice.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { KeytechError } from "../../src/core/errors.js";
import { loadMapping } from "../../src/patents/mapping.js";
import { withPatentSource } from "../../src/patents/source.js";
import { panelFromFile } from "../../src/patents/pipeline.js";
import { openDuck } from "../../src/data/duck.js";
import { basePatents, grantXml } from "../../bench/fuzz-loaders.js";
import { runCli } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "kt-fuzz-findings-"));

/** The message of `patents panel`'s read of `path` (the CLI's in-process path). */
async function panelError(path: string): Promise<string> {
  try {
    const mapping = loadMapping("default");
    await withPatentSource(path, mapping, (file, m) => panelFromFile(file, { mapping: m, level: "group", onBadIpc: "fail" }));
  } catch (e) {
    assert.ok(e instanceof KeytechError, `not a keytech error: ${String(e)}`);
    return e.message;
  }
  return "accepted";
}

test("a carriage return inside a row: file, row and column, not DuckDB's 'Error when sniffing file'", async () => {
  const lines = basePatents().split("\n");
  lines[38] = lines[38]!.replace(/,P25;/, ",P25\r;");
  const f = join(dir, "cr.csv");
  writeFileSync(f, lines.join("\n"));
  assert.match(
    await panelError(f),
    /^cr\.csv, row 38, column 'cited': a carriage return \(\\r\) not followed by a newline inside this row; line ends must be LF or CRLF/,
  );
});

test("a row with an extra field and a long cell: the ragged row, not 'no id column; the file has: id,date,…'", async () => {
  const lines = basePatents().split("\n");
  lines[6] = lines[6]! + "x".repeat(5000) + ",";
  lines[13] = lines[13]!.replace(/^P13/, '""""""');
  const f = join(dir, "ragged.csv");
  writeFileSync(f, lines.join("\n"));
  assert.match(await panelError(f), /^ragged\.csv, row 6: expected 6 fields as in the header, found 7; every row needs one value per column/);
});

test("a byte-order mark and one newline is an empty file, not 'the file has: column0'", async () => {
  const f = join(dir, "bom.csv");
  writeFileSync(f, "\ufeff\n");
  assert.match(await panelError(f), /^bom\.csv: the file is empty \(4 bytes, no header row\); it needs a header line/);
});

async function parquet(name: string, damage: (b: Buffer) => void): Promise<string> {
  const csv = join(dir, "base.csv");
  writeFileSync(csv, basePatents());
  const f = join(dir, name);
  const d = await openDuck();
  try {
    await d.con.run(`COPY (SELECT * FROM read_csv('${csv}', all_varchar=true)) TO '${f}' (FORMAT parquet)`);
  } finally {
    d.close();
  }
  const b = readFileSync(f);
  damage(b);
  writeFileSync(f, b);
  return f;
}

for (const [what, damage] of [
  ["zeroed page bytes (TProtocolException)", (b: Buffer) => void b.fill(0x00, 4, 60)],
  [
    "footer metadata overwritten (don't know what type)",
    (b: Buffer) => void b.fill(0xff, b.length - 8 - b.readUInt32LE(b.length - 8), b.length - 8 - b.readUInt32LE(b.length - 8) + 16),
  ],
  ["a wrong footer length", (b: Buffer) => void b.writeUInt32LE(b.length * 2, b.length - 8)],
  ["a damaged compressed page (Snappy)", (b: Buffer) => void b.fill(0xff, 200, 260)],
] as const) {
  test(`a damaged Parquet file, ${what}: says it is damaged and to write it again`, async () => {
    const f = await parquet("damaged.parquet", damage);
    assert.match(
      await panelError(f),
      /^damaged\.parquet: is a damaged Parquet file \(DuckDB: .+\): it was not completely or correctly written; write it again, or copy it again from its source$/,
    );
  });
}

function xmlDir(name: string, docs: (string | Buffer)[]): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  docs.forEach((x, i) => writeFileSync(join(d, `US${i}.xml`), x));
  return d;
}

test("USPTO XML: an invalid UTF-8 byte stops with the document, line and byte (was read as U+FFFD)", async () => {
  const doc = Buffer.from(grantXml(3).replace("Managing", "Manag\u0001ing"));
  doc[doc.indexOf(1)] = 0xe9;
  const d = xmlDir("utf8", [grantXml(1), doc]);
  assert.match(
    await panelError(d),
    /US1\.xml: invalid UTF-8 byte 0xE9 at line 8 \(byte offset \d+\); a grant document must be UTF-8: re-encode it \(iconv -t UTF-8\) or download it again$/,
  );
});

test("USPTO XML: a gzip or ZIP file under an .xml name says so", async () => {
  assert.match(await panelError(xmlDir("gz", [gzipSync(grantXml(1))])), /US0\.xml: is gzip-compressed, not XML text: decompress it \(gunzip\)$/);
  assert.match(
    await panelError(xmlDir("zip", [Buffer.concat([Buffer.from("PK\x03\x04", "latin1"), Buffer.alloc(40)])])),
    /US0\.xml: is a ZIP archive \(USPTO bulk files are zipped\): unzip it and pass the \.xml file or its folder$/,
  );
});

test("USPTO XML: a NUL byte is binary data in the document (no advice to export a CSV)", async () => {
  const m = await panelError(xmlDir("nul", [grantXml(1).replace("Managing", "Manag\u0000ing")]));
  assert.match(m, /US0\.xml: a NUL byte \(0x00\) at line 8 \(byte offset \d+\): this is binary data, not an XML document; download it again$/);
});

test("USPTO XML: a character reference beyond Unicode is named (was 'Invalid code point')", async () => {
  const m = await panelError(xmlDir("cp", [grantXml(1).replace("&#233;", "&#x110000;")]));
  assert.match(m, /US0\.xml: character reference '&#x110000;' is not a Unicode character; fix or remove it$/);
});

test("USPTO XML: a document without its bibliographic data names the file once and says what to pass", async () => {
  const d = xmlDir("nobib", [grantXml(1).replace(/us-bibliographic-data-grant/g, "x")]);
  const m = await panelError(d);
  assert.equal(m.split("US0.xml").length, 2, m);
  assert.match(
    m,
    /US0\.xml: not a USPTO grant document \(no us-bibliographic-data-grant element\): pass us-patent-grant XML files \(v4\.x\), or a folder of them$/,
  );
  const r = runCli(["patents", "panel", "--patents", d, "--out", join(dir, "out.csv")]);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
});

test("USPTO XML: a bad value names the element it comes from (was 'field id as converted')", async () => {
  const d = xmlDir("emptyid", [grantXml(1), grantXml(2).replace(/<doc-number>07000002<\/doc-number>/, "<doc-number></doc-number>")]);
  assert.match(await panelError(d), /US1\.xml: empty id \(USPTO grant XML: the id comes from publication-reference\/document-id\/doc-number\)$/);
  const d2 = xmlDir("baddate", [grantXml(1).replace(/<date>\d{4}1009<\/date>/, "<date>2001-13-45</date>")]);
  assert.match(
    await panelError(d2),
    /US0\.xml: cannot parse date '2001-13-45' .* \(USPTO grant XML: the date comes from application-reference\/document-id\/date \(the filing date, YYYYMMDD\)\)$/,
  );
});

test("a filing year before 1790 or after 2100 is refused with row and column (a year 1066 was accepted: a panel of 939 years)", async () => {
  const lines = basePatents().split("\n");
  lines[3] = lines[3]!.replace(/^(P3,)\d{4}/, "$11066");
  const f = join(dir, "y1066.csv");
  writeFileSync(f, lines.join("\n"));
  assert.match(
    await panelError(f),
    /^y1066\.csv, row 3, column 'date': filing year 1066 is not plausible \(keytech reads filing years 1790–2100\); fix the date, or remove the row$/,
  );
  lines[3] = lines[3]!.replace(/^(P3,)\d{4}/, "$13001");
  writeFileSync(f, lines.join("\n"));
  assert.match(await panelError(f), /row 3, column 'date': filing year 3001 is not plausible/);
});
