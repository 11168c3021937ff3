import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readTable } from "../../src/data/read.js";
import { readNumericCsvFast, parseCell } from "../../src/data/fast-csv.js";
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
  const specials = ["", "NA", "NaN", ".", "1.", ".5", "-0", "+7", "1e-5", "-2.5E+3", "0.1234567890123456789", "123456789012345678", "9007199254740993", "4.35", "1e22", "1e23", "-0.000001"];
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
  const r = join(dir, "r.csv");
  writeFileSync(r, "a,b\n1,2,3\n");
  assert.equal(readNumericCsvFast(r, ["a"]), null);
});
