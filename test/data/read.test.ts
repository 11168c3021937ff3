import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readTable, listColumns, fileFormat } from "../../src/data/read.js";
import { numeric } from "../../src/data/table.js";
import { openDuck, sqlString } from "../../src/data/duck.js";
import { fixture } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "keytech-read-"));
function csv(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function rejects(p: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.equal(e.message, message);
    return true;
  });
}

test("reads mpdta: 2500 rows, numeric columns as Float64Array in file order", async () => {
  const t = await readTable(fixture("data", "mpdta.csv"), [
    { column: "lemp", as: "y", type: "number" },
    { column: "countyreal", type: "auto" },
    { column: "first.treat", type: "number" },
  ]);
  assert.equal(t.nrows, 2500);
  const y = numeric(t, "y");
  assert.ok(y instanceof Float64Array);
  assert.equal(y[0], 8.46146904264388);
  assert.equal(numeric(t, "countyreal")[0], 8001);
  assert.deepEqual([...t.columns.keys()], ["y", "countyreal", "first.treat"]);
  assert.equal(t.columns.get("y")!.source, "lemp");
});

test("file not found", async () => {
  const p = join(dir, "nope.csv");
  await rejects(readTable(p, []), `${p}: file not found; check the path`);
});

test("unsupported extension", async () => {
  const p = csv("data.xlsx", "a\n1\n");
  await rejects(
    readTable(p, []),
    `${p}: unsupported file type '.xlsx'; keytech reads .csv, .tsv, .txt (optionally .gz) and .parquet files — export the data to one of these`,
  );
  assert.equal(fileFormat("x.CSV"), "csv");
  assert.equal(fileFormat("x.parquet"), "parquet");
});

test("empty file and header without rows", async () => {
  const e = csv("empty.csv", "");
  await rejects(readTable(e, []), `${e}: the file is empty`);
  const h = csv("header.csv", "a,b\n");
  await rejects(readTable(h, [{ column: "a", type: "number" }]), `${h}: the file has a header but no data rows`);
});

test("missing column lists the columns and suggests the closest", async () => {
  const p = fixture("data", "mpdta.csv");
  await rejects(
    readTable(p, [{ column: "lemp_", type: "number" }]),
    `${p}, column 'lemp_': no such column; the file has: year, countyreal, lpop, lemp, first.treat, treat; did you mean 'lemp'?`,
  );
  await rejects(
    readTable(p, [{ column: "zzzzzz", type: "number" }]),
    `${p}, column 'zzzzzz': no such column; the file has: year, countyreal, lpop, lemp, first.treat, treat`,
  );
  assert.deepEqual(await listColumns(p), ["year", "countyreal", "lpop", "lemp", "first.treat", "treat"]);
});

test("non-numeric value names file, data row and column", async () => {
  const p = csv("bad.csv", "id,y\n1,2.5\n2,3\n3,abc\n4,1\n");
  await rejects(
    readTable(p, [{ column: "y", type: "number" }]),
    `${p}, row 3, column 'y': 'abc' is not a number; fix the value, or leave the cell empty (or NA) to mark it missing`,
  );
});

test("row numbers are record numbers deep in a large file and with quoted newlines", async () => {
  const lines = ["k,note,y"];
  for (let i = 1; i <= 150_000; i++) lines.push(i === 3 ? `${i},"two\nlines",${i}` : i === 123_457 ? `${i},x,1e` : `${i},x,${i * 0.5}`);
  const p = csv("big.csv", lines.join("\n") + "\n");
  await rejects(
    readTable(p, [{ column: "y", type: "number" }]),
    `${p}, row 123457, column 'y': '1e' is not a number; fix the value, or leave the cell empty (or NA) to mark it missing`,
  );
});

test("±Inf is refused", async () => {
  const p = csv("inf.csv", "y,x\n1,2\n2,-Inf\n");
  await rejects(
    readTable(p, [
      { column: "y", type: "number" },
      { column: "x", type: "number" },
    ]),
    `${p}, row 2, column 'x': '-Inf' is infinite; keytech needs finite numbers (leave the cell empty or NA to mark it missing)`,
  );
});

test("missing tokens become NaN / null; auto columns fall back to text", async () => {
  const p = csv("miss.csv", "u,y\na,1\nb,\nc,NA\n,.\nd, 7 \n");
  const t = await readTable(p, [
    { column: "u", type: "auto" },
    { column: "y", type: "number" },
  ]);
  const u = t.columns.get("u")!;
  assert.equal(u.kind, "str");
  assert.deepEqual(u.values, ["a", "b", "c", null, "d"]);
  const y = numeric(t, "y");
  assert.equal(y[0], 1);
  assert.ok(Number.isNaN(y[1]!) && Number.isNaN(y[2]!) && Number.isNaN(y[3]!));
  assert.equal(y[4], 7);
});

test("Parquet round trip through DuckDB", async () => {
  const p = join(dir, "mpdta.parquet");
  const duck = await openDuck();
  try {
    await duck.con.run(`COPY (SELECT * FROM read_csv(${sqlString(fixture("data", "mpdta.csv"))})) TO ${sqlString(p)} (FORMAT parquet)`);
  } finally {
    duck.close();
  }
  const a = await readTable(p, [
    { column: "lemp", type: "number" },
    { column: "countyreal", type: "auto" },
    { column: "first.treat", type: "number" },
  ]);
  const b = await readTable(fixture("data", "mpdta.csv"), [
    { column: "lemp", type: "number" },
    { column: "countyreal", type: "auto" },
    { column: "first.treat", type: "number" },
  ]);
  assert.equal(a.nrows, 2500);
  assert.deepEqual(numeric(a, "lemp"), numeric(b, "lemp"));
  assert.deepEqual(numeric(a, "countyreal"), numeric(b, "countyreal"));
  assert.deepEqual(numeric(a, "first.treat"), numeric(b, "first.treat"));
});

test("a CSV value DuckDB cannot parse never truncates the data silently", async () => {
  // the typed fast path fails at row 3; the precise path must name it
  const p = csv("late.csv", "y\n1\n2\n1e\n4\n");
  await rejects(
    readTable(p, [{ column: "y", type: "number" }]),
    `${p}, row 3, column 'y': '1e' is not a number; fix the value, or leave the cell empty (or NA) to mark it missing`,
  );
});
