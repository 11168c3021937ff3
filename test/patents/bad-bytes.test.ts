/**
 * Bad bytes in a patents file (issue #14: nothing silent): invalid UTF-8, compressed or binary data in a
 * .csv, a truncated .gz, a file holding one newline, control bytes in a value. Each stops with one line
 * naming the file, the row (or line), the column where possible, the offending byte and what to do; the
 * CLI exits with status 1, prints no stack trace and writes no output file.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { runCli } from "../helpers.js";
import { loadMapping } from "../../src/patents/mapping.js";
import { readPatents } from "../../src/patents/read.js";
import { checkTextTable, firstInvalidUtf8 } from "../../src/patents/precheck.js";
import { printable } from "../../src/core/errors.js";

const HEAD = "id,date,region,ipc,cited\n";
const row = (i: number, cited = ""): string => `p${i},2001-01-01,R1,G06F 17/30,${cited}\n`;

function withDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "kt-bytes-"));
  return Promise.resolve(fn(dir)).finally(() => rmSync(dir, { recursive: true, force: true }));
}

async function readErr(file: string): Promise<string> {
  try {
    await readPatents(file, { mapping: loadMapping("default"), level: "group", onBadIpc: "fail", citations: "auto" });
  } catch (e) {
    return (e as Error).message;
  }
  return "no error";
}

/** The CLI on a file: status 1, one error line, no stack trace, no output file. */
function cliFails(dir: string, file: string, command = "panel"): string {
  const out = join(dir, "out.csv");
  const r = runCli(["patents", command, "--patents", file, "--out", out]);
  assert.equal(r.status, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /Stack Trace|INTERNAL|ignore_errors|\.so\(|at .*\.js:\d+/);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.equal(existsSync(out), false, "no partial output");
  return r.stderr.trim();
}

test("one invalid UTF-8 byte deep in a large file (DuckDB used to fail internally): file, row, column, byte, iconv hint", () =>
  withDir(async (dir) => {
    const f = join(dir, "deep.csv");
    const parts = [HEAD];
    for (let i = 1; i < 300000; i++) parts.push(row(i, "p1"));
    parts.push("p300000,2001-01-01,R1,G06F 17/30,p\xff\n");
    for (let i = 300001; i < 400000; i++) parts.push(row(i, "p2"));
    writeFileSync(f, Buffer.from(parts.join(""), "latin1"));
    const want =
      /^deep\.csv, row 300000, column 'cited': invalid UTF-8 byte 0xFF at line 300001 \(byte offset \d+\) in "p300000,2001-01-01,R1,G06F 17\/30,p\\xFF"; the file must be UTF-8: re-encode it, e\.g\. iconv -f CP1252 -t UTF-8 deep\.csv > deep\.utf8\.csv/;
    assert.match(await readErr(f), want);
    assert.match(cliFails(dir, f).replace(/^keytech: error: /, ""), want);
  }));

test("Latin-1 and GBK bytes early in the file: first bad byte located, encoding hint follows the bytes", () =>
  withDir(async (dir) => {
    const latin = join(dir, "latin1.csv");
    writeFileSync(latin, Buffer.concat([Buffer.from(HEAD + row(1) + "p2,2001-02-03,R"), Buffer.from([0xe9]), Buffer.from("1,H04L 9/32,\n")]));
    assert.match(
      await readErr(latin),
      /^latin1\.csv, row 2, column 'region': invalid UTF-8 byte 0xE9 at line 3 \(byte offset 69\) in "p2,2001-02-03,R\\xE91,H04L 9\/32,"; the file must be UTF-8: re-encode it, e\.g\. iconv -f CP1252 -t UTF-8 latin1\.csv > latin1\.utf8\.csv/,
    );
    const gbk = join(dir, "gbk.csv");
    // "中国" in GBK is D6 D0 B9 FA.
    writeFileSync(gbk, Buffer.concat([Buffer.from(HEAD + row(1) + "p2,2001-02-03,"), Buffer.from([0xd6, 0xd0, 0xb9, 0xfa]), Buffer.from(",H04L 9/32,\n")]));
    assert.match(
      await readErr(gbk),
      /^gbk\.csv, row 2, column 'region': invalid UTF-8 byte 0xD6 \(followed by 0xD0\) at line 3 .*iconv -f GB18030 -t UTF-8 gbk\.csv > gbk\.utf8\.csv/,
    );
    // A bad byte in the header: no row, the line is named.
    const head = join(dir, "head.csv");
    writeFileSync(head, Buffer.concat([Buffer.from("id,date,reg"), Buffer.from([0xff]), Buffer.from("ion,ipc\n" + "p1,2001-01-01,R1,G06F 17/30\n")]));
    assert.match(await readErr(head), /^head\.csv: invalid UTF-8 byte 0xFF in the header \(line 1, byte offset 11\)/);
  }));

test("valid multi-byte UTF-8 across the scanner's chunk boundaries passes", () =>
  withDir(async (dir) => {
    const f = join(dir, "zh.csv");
    const parts = [HEAD];
    for (let i = 1; i <= 40000; i++) parts.push(`p${i},2001-01-01,区县${i % 7}号地区名称很长很长很长很长,G06F 17/30,\n`);
    writeFileSync(f, parts.join(""));
    const t = await readPatents(f, { mapping: loadMapping("default"), level: "group", onBadIpc: "fail" });
    assert.equal(t.n, 40000);
    const bytes = (await import("node:fs")).readFileSync(f);
    for (const chunk of [64, 997, 4096]) assert.equal(await checkTextTable(f, "zh.csv", chunk), bytes.length);
    writeFileSync(f + ".gz", gzipSync(bytes));
    assert.equal(await checkTextTable(f + ".gz", "zh.csv.gz", 997), bytes.length);
    // A bad byte after many chunk boundaries is located the same way at every chunk size.
    const bad = Buffer.concat([bytes, Buffer.from("p40001,2001-01-01,"), Buffer.from([0xe5, 0x8c]), Buffer.from(",G06F 17/30,\n")]);
    writeFileSync(f, bad);
    for (const chunk of [64, 997, 1 << 24]) {
      const msg = await checkTextTable(f, "zh.csv", chunk).then(
        () => "no error",
        (e: Error) => e.message,
      );
      assert.match(
        msg,
        new RegExp(
          `^zh\\.csv, row 40001, column 'region': invalid UTF-8 byte 0xE5 \\(followed by 0x8C\\) at line 40002 \\(byte offset ${bytes.length + 18}\\)`,
        ),
      );
    }
    // The scalar locator agrees with Buffer's isUtf8 on the edge cases of RFC 3629.
    for (const [b, at] of [
      [[0xc0, 0x80], 0],
      [[0xe0, 0x9f, 0x80], 0],
      [[0xed, 0xa0, 0x80], 0],
      [[0xf4, 0x90, 0x80, 0x80], 0],
      [[0x41, 0xf0, 0x9f, 0x98, 0x80], -1],
      [[0x41, 0xe4, 0xb8], 1],
    ] as [number[], number][])
      assert.equal(firstInvalidUtf8(Uint8Array.from(b)), at, JSON.stringify(b));
  }));

test("truncated .gz, gzip bytes in a .csv, binary data, UTF-16, a file holding one newline", () =>
  withDir((dir) => {
    const body = HEAD + Array.from({ length: 5000 }, (_, i) => row(i + 1)).join("");
    const gz = gzipSync(body);
    writeFileSync(join(dir, "cut.csv.gz"), gz.subarray(0, gz.length >> 1));
    assert.match(
      cliFails(dir, join(dir, "cut.csv.gz")),
      /^keytech: error: cut\.csv\.gz: the gzip data ends early, after \d+ decompressed bytes \(line \d+\): the file is truncated; copy or download it again \(gzip -t cut\.csv\.gz checks it\)$/,
    );
    writeFileSync(join(dir, "packed.csv"), gz);
    assert.equal(
      cliFails(dir, join(dir, "packed.csv")),
      "keytech: error: packed.csv: starts with the gzip signature 0x1F 0x8B: the file is compressed; name it packed.csv.gz (keytech reads .csv.gz) or decompress it (gunzip)",
    );
    writeFileSync(join(dir, "notgz.csv.gz"), body);
    assert.match(
      cliFails(dir, join(dir, "notgz.csv.gz")),
      /^keytech: error: notgz\.csv\.gz: is not gzip data \(first bytes 0x69 0x64 0x2C 0x64\) although its name ends in \.gz/,
    );
    writeFileSync(join(dir, "nul.csv"), Buffer.concat([Buffer.from(HEAD + row(1)), Buffer.from([0x70, 0x32, 0x00, 0x01, 0x02])]));
    assert.equal(
      cliFails(dir, join(dir, "nul.csv")),
      "keytech: error: nul.csv, row 2, column 'id': a NUL byte (0x00) at line 3 (byte offset 56): this is binary data, not a text table; export the table as CSV (UTF-8)",
    );
    writeFileSync(join(dir, "book.csv"), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]));
    assert.match(
      cliFails(dir, join(dir, "book.csv")),
      /^keytech: error: book\.csv: starts with the ZIP signature "PK\\x03\\x04" \(an Excel \.xlsx workbook\?\): export the table as CSV \(UTF-8\)/,
    );
    writeFileSync(join(dir, "u16.csv"), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body, "utf16le")]));
    assert.match(
      cliFails(dir, join(dir, "u16.csv")),
      /^keytech: error: u16\.csv: starts with a UTF-16 byte-order mark \(0xFF 0xFE\): re-encode it as UTF-8, e\.g\. iconv -f UTF-16 -t UTF-8 u16\.csv > u16\.utf8\.csv$/,
    );
    writeFileSync(join(dir, "csv.parquet"), body);
    assert.equal(
      cliFails(dir, join(dir, "csv.parquet")),
      'keytech: error: csv.parquet: is not a Parquet file (it starts with 0x69 0x64 0x2C 0x64, text "id,d…": a CSV named .parquet? rename it .csv); Parquet files start and end with "PAR1"',
    );
    writeFileSync(join(dir, "cut.parquet"), "PAR1 and then nothing");
    assert.equal(
      cliFails(dir, join(dir, "cut.parquet")),
      'keytech: error: cut.parquet: is not a complete Parquet file (21 bytes, no closing "PAR1" footer): it is truncated; copy or write it again',
    );
    writeFileSync(join(dir, "nl.csv"), "\n");
    assert.equal(
      cliFails(dir, join(dir, "nl.csv")),
      "keytech: error: nl.csv: the file is empty (1 byte, no header row); it needs a header line (id, ipc, date or year, …) and data rows",
    );
    writeFileSync(join(dir, "head-only.csv"), HEAD);
    assert.equal(cliFails(dir, join(dir, "head-only.csv")), "keytech: error: head-only.csv: no data rows");
  }));

test("control bytes in a value are escaped in the message, never echoed raw", () =>
  withDir((dir) => {
    writeFileSync(join(dir, "ctrl.csv"), HEAD + row(1) + "p2,2001-02-03,R1,H04L\x07 9/32\x1b[31m,\n");
    const m = cliFails(dir, join(dir, "ctrl.csv"), "score");
    assert.equal(
      m,
      "keytech: error: ctrl.csv, row 2, column 'ipc': malformed IPC code 'H04L\\x07 9/32\\x1B[31m' (fix it, or pass --on-bad-ipc skip to drop such codes)",
    );
    writeFileSync(join(dir, "ctrl-date.csv"), HEAD + "p1,2001-01-0\x1b1,R1,G06F 17/30,\n");
    assert.match(cliFails(dir, join(dir, "ctrl-date.csv"), "score"), /cannot parse date '2001-01-0\\x1B1'/);
    assert.equal(printable("a\tb\nc\x7f\u0085\u202e"), "a\\tb\\nc\\x7F\\u0085\\u202E");
  }));
