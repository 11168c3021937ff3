/**
 * Every column of the linear-time engine equals the brute-force pairwise definition (1e-9 relative) on
 * random corpora, for every combination of weighting, pair-year rule, same-year rule, censoring and
 * breakthrough rule.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { corpusFromTerms, type TermCorpus } from "../../src/patents/corpus.js";
import { scorePatents, type ScoreOptions } from "../../src/patents/scores.js";
import { pairwiseBreakthroughs, scorePatentsPairwise } from "../../src/patents/scores-pairwise.js";
import { smallCorpus } from "./corpora.js";

function close(a: number, b: number, what: string): void {
  if (Number.isNaN(b)) {
    assert.ok(Number.isNaN(a), `${what}: expected NA, got ${a}`);
    return;
  }
  const err = Math.abs(a - b) / Math.max(Math.abs(b), 1e-9);
  assert.ok(err <= 1e-9, `${what}: expected ${b}, got ${a} (rel ${err})`);
}

function compare(c: TermCorpus, o: Partial<ScoreOptions>, label: string): void {
  const e = scorePatents(c, o);
  const b = scorePatentsPairwise(c, o);
  for (let p = 0; p < c.n; p++) {
    close(e.bs[p]!, b.bs[p]!, `${label} bs[${p}]`);
    for (let k = 0; k < e.horizons.length; k++) {
      close(e.fs[k]![p]!, b.fs[k]![p]!, `${label} fs${e.horizons[k]}[${p}]`);
      close(e.imp[k]![p]!, b.imp[k]![p]!, `${label} imp${e.horizons[k]}[${p}]`);
    }
    assert.equal(e.censored[p], b.censored[p], `${label} censored[${p}]`);
    if (e.logImpResid) close(e.logImpResid[p]!, b.logImpResid![p]!, `${label} resid[${p}]`);
  }
  assert.deepEqual(Array.from(e.breakthrough), Array.from(b.breakthrough), `${label} breakthrough`);
  // Both tie ceilings (0 = hard cap, 0.02 = default): the oracle's rule on its own importances.
  const impH = b.imp[b.imp.length - 1]!;
  for (const tieCeiling of [0, 0.02]) {
    const et = scorePatents(c, { ...o, tieCeiling });
    assert.deepEqual(
      Array.from(et.breakthrough),
      Array.from(pairwiseBreakthroughs(c.year, impH, { ...o, tieCeiling }).breakthrough),
      `${label} breakthrough, ceiling ${tieCeiling}`,
    );
  }
}

const combos: Partial<ScoreOptions>[] = [];
for (const idf of ["kpst", "seed"] as const)
  for (const pairYear of ["min", "max"] as const)
    for (const sameYear of ["exclude", "byDate"] as const)
      for (const censoring of ["truncate", "missing"] as const)
        for (const breakthrough of ["year", "kpst"] as const) combos.push({ idf, pairYear, sameYear, censoring, breakthrough });

test("engine = pairwise oracle on 3,000 random patents over 15 years (every option value in two runs)", () => {
  const c = smallCorpus(11, 3000, 15, 40);
  compare(c, { idf: "kpst", pairYear: "min", sameYear: "byDate", censoring: "missing", breakthrough: "kpst" }, "n3000 a");
  compare(c, { idf: "seed", pairYear: "max", sameYear: "exclude", censoring: "truncate", breakthrough: "year" }, "n3000 b");
});

test("engine = pairwise oracle for all 32 option combinations (600 patents, 15 years)", () => {
  const c = smallCorpus(7, 600, 15, 25);
  for (const o of combos) compare(c, o, JSON.stringify(o));
});

test("engine = pairwise oracle with other windows (backward 3, forward 2,4,7) and a year gap", () => {
  const c0 = smallCorpus(3, 500, 12, 15);
  // Remove year 2005 to create an empty year inside the range.
  const keep = [...Array(c0.n).keys()].filter((p) => c0.year[p] !== 2005);
  const terms = keep.map((p) => {
    const out: string[] = [];
    for (let k = c0.termOffsets[p]!; k < c0.termOffsets[p + 1]!; k++) for (let r = 0; r < c0.termCounts[k]!; r++) out.push(c0.vocabulary[c0.termIds[k]!]!);
    return out;
  });
  const c = corpusFromTerms(
    keep.map((p) => c0.year[p]!),
    terms,
    keep.map((p) => c0.date![p]!),
  );
  for (const o of combos.slice(0, 16)) compare(c, { ...o, backward: 3, forward: [2, 4, 7] }, "gap " + JSON.stringify(o));
});
