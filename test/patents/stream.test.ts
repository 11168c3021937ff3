/** measurePatentPanelStream (two streamed passes) = measurePatentPanel(readPatents(file)) bit for bit, and the same input errors. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadMapping } from "../../src/patents/mapping.js";
import { readPatents } from "../../src/patents/read.js";
import { measurePatentPanel, type PatentPanelOptions } from "../../src/patents/pipeline.js";
import { measurePatentPanelStream } from "../../src/patents/stream.js";
import { loadDuckdb } from "../../src/data/duck.js";
import { corpusCsv } from "./corpora.js";
import { assertSameDeep as sameDeep } from "../helpers.js";

async function both(file: string, o: PatentPanelOptions, onBadIpc: "fail" | "skip" = "fail"): Promise<void> {
  const mapping = loadMapping("default");
  const table = await readPatents(file, { mapping, level: o.level, onBadIpc, region: true, citations: "auto", ids: false, needDate: o.sameYear === "byDate" });
  const m = measurePatentPanel(table, o);
  const s = await measurePatentPanelStream(file, { mapping, onBadIpc, needDate: o.sameYear === "byDate" }, o);
  sameDeep(s, m, "measures");
  assert.equal(s.stream.n, table.n);
  assert.equal(s.stream.rows, table.rows);
  assert.equal(s.stream.dropped, table.droppedNoValidCode);
  assert.equal(s.stream.citations, table.cited?.target.length ?? 0);
}

const keyTech = { taxonomy: "cnipa-provisional" };
const regions = Array.from({ length: 13 }, (_, i) => `C${i}`);

test("streamed stage = in-memory stage: several seeds, dated and year-only, censored end years, every citation bucket", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-stream-"));
  try {
    for (const [i, shape] of [
      { seed: 1, n: 2500, years: 12, dates: true, badRows: false },
      { seed: 2, n: 1800, years: 9, dates: false, badRows: false },
      { seed: 3, n: 3000, years: 15, dates: true, badRows: true },
    ].entries()) {
      const f = join(dir, `p${i}.csv`);
      writeFileSync(f, corpusCsv(shape));
      const years = Array.from({ length: shape.years + 2 }, (_, t) => 1999 + t);
      await both(f, { level: "subclass", keyTech, regions, years, rcaWindow: 2, idf: "seed" }, shape.badRows ? "skip" : "fail");
      // Default cells (regions with a key patent, first..last year), default score options, clusters, self-citations excluded.
      const clusterOfRegion = Int32Array.from({ length: 20 }, (_, r) => (r % 3 === 0 ? -1 : r % 2));
      await both(
        f,
        { level: "subclass", keyTech, clusterOfRegion, selfCitations: "exclude", denominator: "all", rcaWindow: 3, binarise: false },
        shape.badRows ? "skip" : "fail",
      );
      // Main code only, a digital set other than the key set, other score rules.
      await both(
        f,
        {
          level: "subclass",
          keyTech: { taxonomy: "cnipa-provisional", mainOnly: true },
          digital: { taxonomy: "cnipa-provisional", categories: ["ai"] },
          regions: [...regions, "C3"],
          years: [2003, 2001, 2002, 2003, 2005],
          pairYear: "max",
          censoring: "missing",
          breakthrough: "kpst",
          forward: [2, 4],
          backward: 3,
          ...(shape.dates ? { sameYear: "byDate" as const } : {}),
        },
        shape.badRows ? "skip" : "fail",
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("streamed stage reads Parquet and a table without citations or applicants the same way", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-stream-pq-"));
  try {
    const csv = join(dir, "p.csv");
    writeFileSync(csv, corpusCsv({ seed: 7, n: 2000, years: 11, dates: true, badRows: false }));
    const { DuckDBInstance } = await loadDuckdb();
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    const pq = join(dir, "p.parquet");
    const bare = join(dir, "bare.parquet");
    await conn.run(`COPY (SELECT * FROM read_csv('${csv}', header=true, all_varchar=true)) TO '${pq}' (FORMAT parquet)`);
    await conn.run(`COPY (SELECT id, date, region, ipc FROM read_csv('${csv}', header=true, all_varchar=true)) TO '${bare}' (FORMAT parquet)`);
    conn.closeSync();
    db.closeSync();
    const years = Array.from({ length: 11 }, (_, t) => 2000 + t);
    await both(pq, { level: "subclass", keyTech, regions, years, rcaWindow: 3, idf: "seed" });
    await both(bare, { level: "subclass", keyTech, regions, years, idf: "seed" });
    await both(bare, { level: "group", keyTech });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("streamed stage stops on bad input with readPatents's message (file, row, column)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-stream-bad-"));
  try {
    const mapping = loadMapping("default");
    const head = "id,date,region,applicant,ipc,cited";
    const cases = [
      [head, "a,2001-01-02,R1,X,G06N 3/04,", "b,2001-02-02,R1,X,G06N 3/04,a", "a,2002-01-02,R2,Y,H04L 9/08,b"],
      [head, "a,2001-01-02,R1,X,G06N 3/04,", "b,2001-13-45,R1,X,G06N 3/04,a"],
      [head, "a,2001-01-02,R1,X,G06N 3/04,", "b,2001-02-02,R1,X,G0Q 3/04,a"],
      [head, "a,2001-01-02,R1,X,G06N 3/04,", " ,2001-02-02,R1,X,G06N 3/04,a"],
      [head, "a,2001-01-02,R1,X,G06N 3/04,", "b,2001-02-02,R1,X,,a"],
      [head, "a,1066-01-02,R1,X,G06N 3/04,"],
      ["id,date,ipc", "a,2001-01-02,G06N 3/04"],
      [head],
    ];
    for (const [i, rows] of cases.entries()) {
      const f = join(dir, `bad${i}.csv`);
      writeFileSync(f, rows.join("\n") + "\n");
      const want = await readPatents(f, { mapping, level: "subclass", onBadIpc: "fail", region: true, citations: "auto", ids: false }).then(
        () => null,
        (e: unknown) => (e as Error).message,
      );
      assert.ok(want !== null, `case ${i} should fail`);
      await assert.rejects(measurePatentPanelStream(f, { mapping, onBadIpc: "fail" }, { level: "subclass", keyTech }), (e: Error) => {
        assert.equal(e.message, want, `case ${i}`);
        return true;
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
