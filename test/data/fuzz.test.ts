/**
 * A seeded sample of the loader fuzzing of bench/fuzz.ts (issue #14), in process with a per-input time limit:
 * mutated CSV bytes and formulas through feols; mutated patents tables (CSV, Parquet, USPTO grant XML) through
 * `patents panel`'s read; mutated study specs through the spec loader. Every input must be accepted or refused
 * with a clear KeytechError (one escaped line, naming the input file for the patents and spec loaders): no
 * crash, no hang, no raw warning. Each loader stops after its time budget (a few seconds).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fuzz } from "../../bench/fuzz-run.js";

for (const [loader, n, seconds] of [
  ["csv", 300, 25],
  ["formula", 400, 25],
  ["patents-csv", 80, 10],
  ["patents-parquet", 80, 10],
  ["patents-xml", 60, 10],
  ["spec", 300, 10],
] as const) {
  test(`fuzz ${loader}: ${n} seeded mutated inputs, no crash, no hang`, async () => {
    const c = await fuzz(loader, 20240614, n, 5000, seconds);
    assert.equal(c.crashes + c.hangs + c.unclear, 0, JSON.stringify(c.findings, null, 1));
    assert.ok(c.inputs >= Math.min(n, 40), `only ${c.inputs} inputs ran`);
    assert.ok(c.errors > 0, "the mutations produce refusals");
  });
}
