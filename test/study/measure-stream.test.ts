/**
 * The study's measure stage read two ways (src/study/measure.ts measureFromFile): the whole table in memory
 * and two streamed passes (src/patents/stream.ts) give the same MeasuredPanel, bit for bit, with clusters,
 * DEA inputs, skipped IPC codes and dated corpora; and the size rule that picks the reading.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "../../src/core/rng.js";
import { loadMapping } from "../../src/patents/mapping.js";
import { measureFromFile, measureOptionsSchema, patentReadingFor, STREAM_FROM_BYTES, type MeasureGrid } from "../../src/study/measure.js";
import { corpusCsv } from "../patents/corpora.js";
import { assertSameDeep } from "../helpers.js";

/** A grid whose units are in another order than the file's regions (the cluster ids must follow names, not positions). */
function gridOf(years: number[], seed: number, dea: boolean): MeasureGrid {
  const units = Array.from({ length: 12 }, (_, i) => `C${11 - i}`);
  const rng = new Rng(seed);
  const T = years.length;
  return {
    units,
    years,
    clusterOfUnit: units.map((_, i) => (i === 4 ? null : `city${i % 3}`)),
    ...(dea
      ? {
          deaInputs: {
            names: ["rd", "staff"],
            values: [0, 1].map(() => Float64Array.from({ length: units.length * T }, () => 1 + 9 * rng.uniform())),
          },
        }
      : {}),
  };
}

test("measureFromFile: the streamed reading = the in-memory reading (columns bit for bit, the same info), clusters, DEA, bad codes skipped", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-measure-stream-"));
  try {
    const mapping = loadMapping("default");
    for (const [i, shape] of [
      { seed: 11, n: 2400, years: 12, dates: true, badRows: true },
      { seed: 12, n: 1500, years: 9, dates: false, badRows: false },
    ].entries()) {
      const f = join(dir, `p${i}.csv`);
      writeFileSync(f, corpusCsv(shape));
      const years = Array.from({ length: shape.years - 2 }, (_, t) => 2002 + t);
      for (const extra of [
        { idf: "seed", rca_window: 2 },
        {
          same_year: shape.dates ? "byDate" : "exclude",
          diffusion_self_citations: "exclude",
          outcome: "sum",
          censoring: "missing",
          dea_inputs: ["rd", "staff"],
        },
      ]) {
        const o = measureOptionsSchema.parse({ ...extra, on_bad_ipc: shape.badRows ? "skip" : "fail", cluster: "city" });
        const grid = gridOf(years, shape.seed, o.dea_inputs.length > 0);
        const mem = await measureFromFile(f, mapping, o, grid, "memory");
        const str = await measureFromFile(f, mapping, o, grid, "stream");
        assertSameDeep(str, mem, `corpus ${i} ${JSON.stringify(extra)}`);
        // the corpus exercises what is compared: clusters give diffusion shares, bad rows are counted
        assert.ok(
          mem.columns.diffusion!.some((v) => v > 0 && v < 1),
          "some diffusion share strictly inside (0, 1)",
        );
        assert.ok(mem.info.earlier_years > 0 && mem.info.citations.counted > 0);
        if (shape.badRows) assert.ok(mem.info.bad_ipc.count > 0 && mem.info.bad_ipc.examples.length > 0 && mem.info.bad_ipc.patents_dropped > 0);
        if (o.dea_inputs.length) assert.ok(mem.columns.efficiency!.some((v) => v > 0 && v < 1));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("measureFromFile: the streamed reading stops on bad input with the in-memory reading's message", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-measure-stream-bad-"));
  try {
    const f = join(dir, "bad.csv");
    writeFileSync(f, "id,date,region,applicant,ipc,cited\na,2001-01-02,C1,X,G06N 3/04,\nb,2001-02-02,C1,X,G0Q 3/04,a\n");
    const o = measureOptionsSchema.parse({});
    const grid: MeasureGrid = { units: ["C1"], years: [2001] };
    const msg = (e: unknown) => (e as Error).message;
    const mem = await measureFromFile(f, loadMapping("default"), o, grid, "memory").then(() => "", msg);
    const str = await measureFromFile(f, loadMapping("default"), o, grid, "stream").then(() => "", msg);
    assert.match(mem, /bad\.csv, row 2, column 'ipc'/);
    assert.equal(str, mem);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("patentReadingFor: an explicit reading wins, then KEYTECH_PATENTS_READ, then the size (streamed from STREAM_FROM_BYTES on)", () => {
  const saved = process.env.KEYTECH_PATENTS_READ;
  try {
    delete process.env.KEYTECH_PATENTS_READ;
    assert.equal(patentReadingFor(STREAM_FROM_BYTES - 1), "memory");
    assert.equal(patentReadingFor(STREAM_FROM_BYTES), "stream");
    assert.equal(patentReadingFor(10, "stream"), "stream");
    assert.equal(patentReadingFor(STREAM_FROM_BYTES, "memory"), "memory");
    process.env.KEYTECH_PATENTS_READ = "stream";
    assert.equal(patentReadingFor(10), "stream");
    assert.equal(patentReadingFor(10, "memory"), "memory");
    process.env.KEYTECH_PATENTS_READ = "memory";
    assert.equal(patentReadingFor(STREAM_FROM_BYTES * 4), "memory");
    process.env.KEYTECH_PATENTS_READ = "something else";
    assert.equal(patentReadingFor(STREAM_FROM_BYTES * 4), "stream");
  } finally {
    if (saved === undefined) delete process.env.KEYTECH_PATENTS_READ;
    else process.env.KEYTECH_PATENTS_READ = saved;
  }
});
