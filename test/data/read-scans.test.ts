/**
 * The whole-file quote / bare-CR scans, and the byte check (UTF-8, NUL) past the header line, are left out
 * when the byte parser reads the file (read.ts precheck, `deferScans`): on every file here the default reader
 * must give exactly what it gave with the scans run first (`scansFirst`, the order before) — the same values,
 * or the same message.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readTable, type ColumnRequest } from "../../src/data/read.js";
import { numeric } from "../../src/data/table.js";

const dir = mkdtempSync(join(tmpdir(), "keytech-scans-"));
const rows = (n: number, at: (i: number) => string | null = () => null): string =>
  Array.from({ length: n }, (_, i) => at(i + 1) ?? `${i + 1},${(i * 0.25).toFixed(2)},${i % 3}`).join("\n");

const CASES: Record<string, string> = {
  plain: "a,b,c\n" + rows(50) + "\n",
  crlf: "a,b,c\r\n" + rows(50).replace(/\n/g, "\r\n") + "\r\n",
  "no final newline": "a,b,c\n" + rows(50),
  "ragged then bare CR": "a,b,c\n" + rows(30, (i) => (i === 3 ? "3,1" : i === 20 ? "20,1\r,2" : null)) + "\n",
  "ragged then open quote": "a,b,c\n" + rows(30, (i) => (i === 3 ? "3,1" : i === 20 ? '20,"1,2' : null)) + "\n",
  "ragged only": "a,b,c\n" + rows(30, (i) => (i === 7 ? "7,1,2,3" : null)) + "\n",
  "bare CR only": "a,b,c\n" + rows(30, (i) => (i === 12 ? "12\r,1,2" : null)) + "\n",
  "quoted number": "a,b,c\n" + rows(30, (i) => (i === 5 ? '5,"1.5",2' : null)) + "\n",
  "open quote": "a,b,c\n" + rows(30, (i) => (i === 9 ? '9,"1,2' : null)) + "\n",
  "CR CR LF at the end": "a,b,c\n" + rows(30) + "\r\r\n",
  "CR at the very end": "a,b,c\n" + rows(30) + "\r",
  "LF CR LF at the end": "a,b,c\n" + rows(30) + "\n\r\n",
  "blank line": "a,b,c\n" + rows(30, (i) => (i === 4 ? "" : null)) + "\n",
  "quoted header, ragged": '"a",b,c\n' + rows(30, (i) => (i === 6 ? "6,1" : null)) + "\n",
  "header open quote": '"a,b,c\n' + rows(30) + "\n",
  "quoted header (R write.csv)": '"a","b","c"\n' + rows(30) + "\n",
  "quoted header, bare CR": '"a","b","c"\n' + rows(30, (i) => (i === 11 ? "11,1\r,2" : null)) + "\n",
  "quoted header, ragged then open quote": '"a","b","c"\n' + rows(30, (i) => (i === 2 ? "2,1" : i === 9 ? '9,"1,2' : null)) + "\n",
  "header quote mid-field": 'a,b"x",c\n' + rows(30) + "\n",
  "header quote reopened": 'a,"b"x,"c\n' + rows(30) + "\n",
  "header doubled quotes": '"a""1",b,c\n' + rows(30, (i) => (i === 5 ? "5,1" : null)) + "\n",
  "header quoted delimiter": '"a,z",b,c\n' + rows(30) + "\n",
  "header quoted CR": '"a\rz",b,c\n' + rows(30) + "\n",
  "header bare CR": "a,b\r,c\n" + rows(30) + "\n",
  "duplicate names, ragged": "a,b,a\n" + rows(30, (i) => (i === 6 ? "6,1" : null)) + "\n",
  "not a number": "a,b,c\n" + rows(30, (i) => (i === 8 ? "8,4.x,1" : null)) + "\n",
  "UTF-8 text in a column": "a,b,c,s\n" + rows(30).replace(/\n/g, ",Zürich ✓\n") + ",é\n",
};

const latin1 = (t: string) => Buffer.from(t, "latin1");
const at = (text: string, mark: string, bytes: number[]) => {
  const [a, b] = text.split(mark);
  return Buffer.concat([Buffer.from(a!), Buffer.from(bytes), Buffer.from(b!)]);
};
/** Files with bytes that are not plain ASCII (the byte check's cases), written as bytes. */
const BYTES: Record<string, Buffer> = {
  "CP1252 byte in an unread column": latin1("a,b,c,s\n" + rows(30, (i) => (i === 9 ? "9,1,2,Z\u00fcrich" : `${i},1,2,x`)) + "\n"),
  "NUL in an unread column": at("a,b,c,s\n" + rows(30, (i) => (i === 4 ? "4,1,2,x@y" : `${i},1,2,x`)) + "\n", "@", [0]),
  "NUL in a number": at("a,b,c\n" + rows(30, (i) => (i === 4 ? "4,1@,2" : null)) + "\n", "@", [0]),
  "CP1252 byte in a number": at("a,b,c\n" + rows(30, (i) => (i === 6 ? "6,1@,2" : null)) + "\n", "@", [0xe9]),
  "bad byte after a ragged row": latin1("a,b,c,s\n" + rows(30, (i) => (i === 3 ? "3,1" : i === 20 ? "20,1,2,\u00e9" : `${i},1,2,x`)) + "\n"),
  "ragged row after a bad byte": latin1("a,b,c,s\n" + rows(30, (i) => (i === 3 ? "3,1,2,\u00e9" : i === 20 ? "20,1" : `${i},1,2,x`)) + "\n"),
  "bad byte, then an open quote": latin1("a,b,c,s\n" + rows(30, (i) => (i === 3 ? "3,1,2,\u00e9" : i === 20 ? '20,"1,2,x' : `${i},1,2,x`)) + "\n"),
  "open quote, then a bad byte": latin1("a,b,c,s\n" + rows(30, (i) => (i === 3 ? '3,"1,2,x' : i === 20 ? "20,1,2,\u00e9" : `${i},1,2,x`)) + "\n"),
  "bad byte in the header": latin1("a,b,c,\u00e9\n" + rows(30, (i) => `${i},1,2,x`) + "\n"),
  "UTF-16 byte-order mark": Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("a,b,c\n" + rows(5) + "\n", "utf16le")]),
  "truncated multi-byte character at the end": Buffer.concat([Buffer.from("a,b,c,s\n" + rows(5, (i) => `${i},1,2,x`) + "\n6,1,2,"), Buffer.from([0xe2, 0x9c])]),
  "duplicate names, bad byte": latin1("a,b,a,s\n" + rows(30, (i) => (i === 3 ? "3,1,2,\u00e9" : `${i},1,2,x`)) + "\n"),
};

async function outcome(path: string, reqs: ColumnRequest[], scansFirst: boolean): Promise<string> {
  try {
    const t = await readTable(path, reqs, { scansFirst });
    return JSON.stringify(reqs.map((r) => Array.from(numeric(t, r.column))));
  } catch (e) {
    return "error: " + (e as Error).message;
  }
}

for (const [name, text] of [...Object.entries(CASES), ...Object.entries(BYTES)]) {
  test(`quote / CR / byte scans deferred: '${name}' reads as with the scans run first`, async () => {
    const p = join(dir, name.replace(/\W+/g, "_") + ".csv");
    writeFileSync(p, text);
    for (const reqs of [
      [
        { column: "a", type: "auto" },
        { column: "b", type: "number" },
      ],
      [{ column: "c", type: "number" }],
    ] as ColumnRequest[][]) {
      assert.equal(await outcome(p, reqs, false), await outcome(p, reqs, true), name);
    }
  });
}
