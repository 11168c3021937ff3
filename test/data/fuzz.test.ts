/**
 * A seeded sample of the loader fuzzing of bench/fuzz.ts (issue #14): mutated CSV bytes and mutated
 * formulas through feols, in process, with a per-input time limit. Every input must be accepted or
 * refused with a clear KeytechError: no crash, no hang.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fuzz } from "../../bench/fuzz-run.js";

for (const [loader, n] of [["csv", 300], ["formula", 400]] as const) {
  test(`fuzz ${loader}: ${n} seeded mutated inputs, no crash, no hang`, async () => {
    const c = await fuzz(loader, 20240614, n, 5000, 25);
    assert.equal(c.crashes + c.hangs, 0, JSON.stringify(c.findings, null, 1));
    assert.ok(c.inputs >= Math.min(n, 100), `only ${c.inputs} inputs ran`);
    assert.ok(c.errors > 0, "the mutations produce refusals");
  });
}
