/** METHODS §1.5 worked example: both weightings, engine and pairwise oracle, to the printed 6 decimals. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { corpusFromTerms } from "../../src/patents/corpus.js";
import { scorePatents } from "../../src/patents/scores.js";
import { scorePatentsPairwise } from "../../src/patents/scores-pairwise.js";

const ids = ["p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "p10"];
const years = [2000, 2000, 2000, 2001, 2001, 2002, 2002, 2003, 2003, 2004];
const terms = [
  ["G06F", "G06F", "H04L"],
  ["H04L", "H04W"],
  ["G06N"],
  ["G06F", "G06N"],
  ["H04L"],
  ["G06N", "G06N", "G06F"],
  ["H04W", "H04L"],
  ["G06N", "G06V"],
  ["G06F", "H04L", "G06N"],
  ["G06V", "G06N"],
];
const toy = corpusFromTerms(years, terms);
const opts = { backward: 2, forward: [2], sameYear: "exclude" as const, censoring: "truncate" as const };

function near(a: number, b: number, what: string): void {
  assert.ok(Math.abs(a - b) <= 6e-7, `${what}: expected ${b}, got ${a}`);
}

// [id, BS, FS, FS/BS (NaN = NA)]. Deliberate change from METHODS §1.5 (issue #12): p10 is filed in
// 2004, the last data year, so no forward year is observed — it is fully censored and its FS and FS/BS
// are missing (METHODS prints "0 (censored)" and 0). Every other value is the METHODS one.
const kpst: [string, number, number, number][] = [
  ["p4", 0, 2.193513, NaN],
  ["p6", 0.948683, 1.447594, 1.525898],
  ["p7", 0, 0.069831, NaN],
  ["p8", 0.515413, 1.0, 1.940191],
  ["p9", 1.976258, 0.179853, 0.091007],
  ["p10", 1.450436, NaN, NaN],
];
const seed: [string, number, number, number][] = [
  ["p1", 0, 1.379458, NaN],
  ["p2", 0, 1.346242, NaN],
  ["p3", 0, 1.601534, NaN],
  ["p4", 1.402473, 2.586114, 1.843967],
  ["p5", 0.527713, 0.669262, 1.268231],
  ["p6", 2.282899, 2.648418, 1.160112],
  ["p7", 1.365354, 0.172587, 0.126405],
  ["p8", 1.601534, 1.0, 0.624401],
  ["p9", 2.329214, 0.130802, 0.056157],
  ["p10", 2.02523, NaN, NaN],
];

for (const [name, idf, table] of [
  ["kpst", "kpst", kpst],
  ["seed", "seed", seed],
] as const) {
  test(`METHODS §1.5 toy table (${name} weighting): engine and pairwise oracle`, () => {
    for (const r of [scorePatents(toy, { ...opts, idf }), scorePatentsPairwise(toy, { ...opts, idf })]) {
      for (const [id, b, f, q] of table) {
        const p = ids.indexOf(id);
        near(r.bs[p]!, b, `${id} BS`);
        if (Number.isNaN(f)) assert.ok(Number.isNaN(r.fs[0]![p]!), `${id} FS should be NA`);
        else near(r.fs[0]![p]!, f, `${id} FS`);
        if (Number.isNaN(q)) assert.ok(Number.isNaN(r.imp[0]![p]!), `${id} FS/BS should be NA`);
        else near(r.imp[0]![p]!, q, `${id} FS/BS`);
      }
      assert.equal(r.censored[ids.indexOf("p10")], 1);
      assert.equal(r.censored[ids.indexOf("p8")], 1);
      assert.equal(r.censored[ids.indexOf("p7")], 0);
      assert.equal(r.breakthrough[ids.indexOf("p10")], -1, "p10 (fully censored) is never a breakthrough");
    }
  });
}

test("toy: BS of p6 under KPST weighting is exactly 3/sqrt(10); first-year pairs contribute 0", () => {
  const r = scorePatents(toy, { ...opts, idf: "kpst" });
  assert.ok(Math.abs(r.bs[5]! - 3 / Math.sqrt(10)) < 1e-15);
  for (let p = 0; p < 3; p++) assert.equal(r.bs[p], 0);
  assert.deepEqual(r.counts.zeroVectorPairsYears, [2000]);
});
