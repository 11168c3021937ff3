import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readTable } from "../../src/data/read.js";
import { readNumericCsv, readNumericCsvFast, parseCell } from "../../src/data/fast-csv.js";
import { findRaggedRow } from "../../src/data/csv-scan.js";
import { numeric } from "../../src/data/table.js";
import { Rng } from "../../src/core/rng.js";
import { fixture } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "keytech-fast-"));

function same(a: Float64Array, b: Float64Array, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]!) && Number.isNaN(b[i]!)) continue;
    assert.ok(Object.is(a[i], b[i]), `${what} row ${i + 1}: ${a[i]} vs ${b[i]}`);
  }
}

test("fast numeric CSV path gives the same bits as DuckDB on mpdta (quoted header)", async () => {
  const p = fixture("data", "mpdta.csv");
  const req = ["year", "countyreal", "lpop", "lemp", "first.treat", "treat"].map((c) => ({ column: c, type: "number" as const }));
  assert.ok(readNumericCsvFast(p, ["lemp"]));
  const a = await readTable(p, req);
  const b = await readTable(p, req, { engine: "duckdb" });
  for (const r of req) same(numeric(a, r.column), numeric(b, r.column), r.column);
});

test("fast path: many-digit, exponent, signed and missing cells agree with DuckDB; CRLF and no final newline", async () => {
  const rng = new Rng(3);
  const rows = ["a,b,c"];
  const specials = [
    "",
    "NA",
    "NaN",
    ".",
    "1.",
    ".5",
    "-0",
    "+7",
    "1e-5",
    "-2.5E+3",
    "0.1234567890123456789",
    "123456789012345678",
    "9007199254740993",
    "4.35",
    "1e22",
    "1e23",
    "-0.000001",
  ];
  for (let i = 0; i < 3000; i++) {
    const x = (rng.normal() * 10 ** rng.int(12)).toPrecision(1 + rng.int(17));
    rows.push([x, specials[i % specials.length], String(rng.uniform())].join(","));
  }
  const p = join(dir, "n.csv");
  writeFileSync(p, rows.join("\r\n"));
  const req = ["a", "b", "c"].map((c) => ({ column: c, type: "number" as const }));
  assert.ok(readNumericCsvFast(p, ["a", "b", "c"]));
  const fast = await readTable(p, req);
  const duck = await readTable(p, req, { engine: "duckdb" });
  assert.equal(fast.nrows, 3000);
  for (const r of req) same(numeric(fast, r.column), numeric(duck, r.column), r.column);
});

test("fast path refuses what it does not handle, so the precise reader names the cell", () => {
  const cell = (s: string) => parseCell(Buffer.from(s), 0, s.length);
  assert.equal(cell("1e"), undefined);
  assert.equal(cell("abc"), undefined);
  assert.equal(cell("1e400"), undefined);
  assert.equal(cell("Inf"), undefined);
  assert.equal(cell("1.2.3"), undefined);
  assert.ok(Number.isNaN(cell(" NA ")!));
  assert.equal(cell(" 7 "), 7);
  const q = join(dir, "q.csv");
  writeFileSync(q, 'a,b\n1,"2"\n');
  assert.equal(readNumericCsvFast(q, ["a"]), null);
  const blank = join(dir, "blank.csv");
  writeFileSync(blank, "a,b\n1,2\n\n3,4\n");
  assert.equal(readNumericCsvFast(blank, ["a"]), null);
});

/** Awkward numeric text: CRLF or LF, missing tokens, exponents, signs, long mantissas, spaces. */
function awkwardCsv(name: string, rows: number, crlf: boolean, finalNewline: boolean): string {
  const rng = new Rng(rows + (crlf ? 1 : 0));
  const specials = [
    "",
    "NA",
    "NaN",
    ".",
    "1.",
    ".5",
    "-0",
    "+7",
    "1e-5",
    "-2.5E+3",
    "0.1234567890123456789",
    "123456789012345678",
    "9007199254740993",
    "4.35",
    "1e22",
    "1e23",
    "-0.000001",
    " 12 ",
    "-3",
    "000000000000000012.5",
  ];
  const lines = ["id,a,skip,b,c"];
  for (let i = 0; i < rows; i++) {
    const x = (rng.normal() * 10 ** rng.int(12)).toPrecision(1 + rng.int(17));
    const y = rng.int(3) === 0 ? specials[rng.int(specials.length)]! : String(rng.int(2_000_000) - 1_000_000);
    lines.push([String(i + 1), x, "zz", y, (rng.uniform() * 100).toFixed(rng.int(9))].join(","));
  }
  const p = join(dir, name);
  writeFileSync(p, lines.join(crlf ? "\r\n" : "\n") + (finalNewline ? (crlf ? "\r\n" : "\n") : ""));
  return p;
}

test("parallel parse = serial parse = DuckDB, bit for bit, for any split (CRLF, missing, exponents, long mantissas, no final newline)", async () => {
  const want = ["a", "b", "c", "id"];
  const req = want.map((c) => ({ column: c, type: "number" as const }));
  for (const [crlf, fin] of [
    [true, false],
    [false, true],
  ] as const) {
    const p = awkwardCsv(`aw-${crlf}-${fin}.csv`, 4000, crlf, fin);
    const serial = readNumericCsvFast(p, want)!;
    assert.ok(serial, "the fast path takes this file");
    assert.equal(serial.nrows, 4000);
    const duck = await readTable(p, req, { engine: "duckdb" });
    for (const c of want) same(serial.values.get(c)!, numeric(duck, c), `serial vs DuckDB ${c}`);
    // 2 and 5 ranges: the raw cut points fall inside lines and move to the next line start
    for (const threads of [2, 5]) {
      const par = (await readNumericCsv(p, want, ",", { threads, minParallelBytes: 0 }))!;
      assert.equal(par.nrows, 4000, `${threads} threads`);
      for (const c of want) same(par.values.get(c)!, serial.values.get(c)!, `${threads} threads, ${c}`);
    }
  }
});

test("a ragged row stops with its 1-based data row, expected and found fields, on every path", async () => {
  const msg = (p: string, row: number, exp: number, found: number, d = "','") =>
    `${p}, row ${row}: expected ${exp} fields as in the header, found ${found}; every row needs one value per column — look for a missing or extra ${d} on that row, or put double quotes around text that contains ${d}`;
  const req = (cols: string[]) => cols.map((c) => ({ column: c, type: "number" as const }));
  const few = join(dir, "few.csv");
  writeFileSync(few, "a,b,c\n1,2,3\n4,5\n6,7,8\n");
  await assert.rejects(readTable(few, req(["a"])), { message: msg(few, 2, 3, 2) });
  await assert.rejects(readTable(few, req(["a"]), { engine: "duckdb" }), { message: msg(few, 2, 3, 2) });
  const many = join(dir, "many.csv");
  writeFileSync(many, "a,b\n1,2\n1,2,3\n");
  assert.throws(() => readNumericCsvFast(many, ["a"]), { message: msg(many, 2, 2, 3) });
  // text column: DuckDB path; the quoted comma is part of a field, the ragged row is row 4
  const text = join(dir, "text.csv");
  writeFileSync(text, 'id,name,y\n1,"Smith, J.",2\n2,"two\nlines",3\n3,x\n');
  await assert.rejects(
    readTable(text, [
      { column: "name", type: "text" },
      { column: "y", type: "number" },
    ]),
    { message: msg(text, 3, 3, 2) },
  );
  assert.deepEqual(findRaggedRow(text, ","), { row: 3, expected: 3, found: 2 });
  const tsv = join(dir, "rag.tsv");
  writeFileSync(tsv, "a\tb\n1\t2\n3\n");
  await assert.rejects(readTable(tsv, req(["a", "b"])), { message: msg(tsv, 2, 2, 1, "tab") });
  // deep in a file read in parallel: the row number counts the rows of the earlier ranges
  const lines = ["u,v"];
  for (let i = 1; i <= 30_000; i++) lines.push(i === 25_001 ? "1,2,3" : `${i},${i % 7}`);
  const deep = join(dir, "deep.csv");
  writeFileSync(deep, lines.join("\n"));
  for (const threads of [1, 2, 4])
    await assert.rejects(readNumericCsv(deep, ["u", "v"], ",", { threads, minParallelBytes: 0 }), { message: msg(deep, 25_001, 2, 3) });
  assert.equal(findRaggedRow(fixture("data", "mpdta.csv"), ","), null);
});
