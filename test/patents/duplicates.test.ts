/** Duplicate patent ids stop the reader with the file, both rows and the id column (CSV, Parquet, PatentsView). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { fixture, runCli } from "../helpers.js";
import { loadMapping } from "../../src/patents/mapping.js";
import { readPatents } from "../../src/patents/read.js";

const HEAD = "id,date,region,ipc,cited\n";

async function readErr(file: string, mapping = "default", extra: Partial<Parameters<typeof readPatents>[1]> = {}): Promise<string> {
  try {
    await readPatents(file, { mapping: loadMapping(mapping), level: "group", onBadIpc: "fail", citations: "auto", region: false, ...extra });
  } catch (e) {
    return (e as Error).message;
  }
  return "no error";
}

test("duplicate ids: far apart (other DuckDB chunks), padded with spaces, quoted, and in Parquet", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-dup-"));
  try {
    const rows = Array.from({ length: 9999 }, (_, i) => `p${i + 1},2001-01-01,R1,G06F 17/30,\n`);
    writeFileSync(join(dir, "far.csv"), HEAD + rows.join("") + "p17,2002-01-01,R2,G06F 17/30,\n");
    assert.equal(await readErr(join(dir, "far.csv")), "far.csv, row 10000, column 'id': duplicate id 'p17' (also at row 17); ids must be unique");
    // An id padded with spaces is the same id (citations are matched trimmed): a duplicate, not a second patent.
    writeFileSync(join(dir, "pad.csv"), HEAD + "p1,2001-01-01,R1,G06F 17/30,\n p1 ,2001-01-01,R1,G06F 17/30,p1\n");
    assert.equal(await readErr(join(dir, "pad.csv")), "pad.csv, row 2, column 'id': duplicate id 'p1' (also at row 1); ids must be unique");
    writeFileSync(join(dir, "q.csv"), HEAD + '"p1",2001-01-01,R1,G06F 17/30,\np1,2001-01-01,R1,G06F 17/30,\n');
    assert.equal(await readErr(join(dir, "q.csv")), "q.csv, row 2, column 'id': duplicate id 'p1' (also at row 1); ids must be unique");
    const inst = await DuckDBInstance.create(":memory:");
    const conn = await inst.connect();
    await conn.run(`COPY (SELECT * FROM read_csv('${join(dir, "far.csv")}', header=true, all_varchar=true)) TO '${join(dir, "far.parquet")}' (FORMAT parquet)`);
    conn.closeSync();
    inst.closeSync();
    assert.equal(await readErr(join(dir, "far.parquet")), "far.parquet, row 10000, column 'id': duplicate id 'p17' (also at row 17); ids must be unique");
    const r = runCli(["patents", "panel", "--patents", join(dir, "far.csv"), "--out", join(dir, "o.csv")]);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, "keytech: error: far.csv, row 10000, column 'id': duplicate id 'p17' (also at row 17); ids must be unique\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("PatentsView: a patent_id listed twice names the table file and its rows, not the joined rows", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-dup-pv-"));
  try {
    for (const f of ["g_patent.tsv", "g_application.tsv", "g_ipc_at_issue.tsv", "g_us_patent_citation.tsv"])
      writeFileSync(join(dir, f), readFileSync(fixture("patents", "patentsview", f)));
    const app = readFileSync(fixture("patents", "patentsview", "g_application.tsv"), "utf8")
      .trimEnd()
      .split("\n");
    writeFileSync(join(dir, "g_application.tsv"), [...app, "15000009\t10000002\t15\t2016-08-01"].join("\n") + "\n");
    const pv = { region: false, applicant: false } as const;
    assert.equal(
      await readErr(dir, "patentsview", pv),
      "g_application.tsv, row 4, column 'patent_id': duplicate id '10000002' (also at row 2); ids must be unique (one filing per patent)",
    );
    writeFileSync(join(dir, "g_application.tsv"), app.join("\n") + "\n");
    const pat = readFileSync(fixture("patents", "patentsview", "g_patent.tsv"), "utf8")
      .trimEnd()
      .split("\n");
    writeFileSync(join(dir, "g_patent.tsv"), [...pat, pat[1]!].join("\n") + "\n");
    assert.equal(await readErr(dir, "patentsview", pv), "g_patent.tsv, row 4, column 'patent_id': duplicate id '10000001' (also at row 1); ids must be unique");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
