/**
 * The linear-time engine equals the second oracle written from the paper's equations
 * (scores-paper-oracle.ts: dense TF/IDF vectors, explicit windows, ranked breakthroughs) to 1e-9
 * relative on random corpora, for every option combination: BS, every FS^τ and imp^τ, the censoring
 * state, the KPST residual and the breakthrough flags (tie ceilings 0 and 0.02: the oracle's ranked rule in
 * exact rationals on its own importances). The pairwise oracle is checked against it too.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TermCorpus } from "../../src/patents/corpus.js";
import { corpusFromTerms } from "../../src/patents/corpus.js";
import { keepTiedBlock, PAPER_SCORE_OPTIONS, scorePatents, type ScoreOptions } from "../../src/patents/scores.js";
import { scorePatentsPairwise } from "../../src/patents/scores-pairwise.js";
import { oracleCap, oracleChoice, oracleQuantile7, paperOracleBreakthroughs, scorePatentsPaperOracle } from "../../src/patents/scores-paper-oracle.js";
import { ipcLikeCorpus, smallCorpus, tieCorpus } from "./corpora.js";

function close(a: number, b: number, what: string): void {
  if (Number.isNaN(b)) {
    assert.ok(Number.isNaN(a), `${what}: expected NA, got ${a}`);
    return;
  }
  const err = Math.abs(a - b) / Math.max(Math.abs(b), 1e-9);
  assert.ok(err <= 1e-9, `${what}: expected ${b}, got ${a} (rel ${err})`);
}

interface Scores {
  bs: Float64Array;
  fs: Float64Array[];
  imp: Float64Array[];
  breakthrough: Int8Array;
  censored: Uint8Array;
  logImpResid?: Float64Array;
}

function same(a: Scores, b: Scores, n: number, label: string): void {
  for (let p = 0; p < n; p++) {
    close(a.bs[p]!, b.bs[p]!, `${label} bs[${p}]`);
    for (let k = 0; k < a.fs.length; k++) {
      close(a.fs[k]![p]!, b.fs[k]![p]!, `${label} fs[${k}][${p}]`);
      close(a.imp[k]![p]!, b.imp[k]![p]!, `${label} imp[${k}][${p}]`);
    }
    assert.equal(a.censored[p], b.censored[p], `${label} censored[${p}]`);
    assert.equal(Boolean(a.logImpResid), Boolean(b.logImpResid), `${label} residual column`);
    if (a.logImpResid) close(a.logImpResid[p]!, b.logImpResid![p]!, `${label} resid[${p}]`);
  }
  assert.deepEqual(Array.from(a.breakthrough), Array.from(b.breakthrough), `${label} breakthrough`);
}

function compare(c: TermCorpus, o: Partial<ScoreOptions>, label: string): { flagged: number } {
  const e = scorePatents(c, o);
  const b = scorePatentsPaperOracle(c, o);
  same(e, b, c.n, label);
  assert.deepEqual(Array.from(e.censorKind), Array.from(b.censorKind), `${label} censorKind`);
  // Both tie ceilings (0 = hard cap, 0.02 = default): the oracle's ranked rule on its own importances.
  const impH = b.imp[b.imp.length - 1]!;
  let flagged = 0;
  for (const tieCeiling of [0, 0.02]) {
    const et = scorePatents(c, { ...o, tieCeiling });
    const bt = paperOracleBreakthroughs(c.year, impH, { ...o, tieCeiling });
    assert.deepEqual(Array.from(et.breakthrough), Array.from(bt.breakthrough), `${label} breakthrough, ceiling ${tieCeiling}`);
    flagged += Array.from(et.breakthrough).filter((x) => x === 1).length;
  }
  return { flagged };
}

const combos: Partial<ScoreOptions>[] = [];
for (const idf of ["kpst", "seed"] as const)
  for (const pairYear of ["min", "max"] as const)
    for (const sameYear of ["exclude", "byDate"] as const)
      for (const censoring of ["truncate", "missing"] as const)
        for (const breakthrough of ["year", "kpst"] as const) combos.push({ idf, pairYear, sameYear, censoring, breakthrough });

test("oracle helpers: type-7 quantile and the exact decimal cap ⌈(1 − p)·n⌉", () => {
  assert.equal(oracleQuantile7([3, 1, 2, 4], 0.5), 2.5);
  assert.equal(oracleQuantile7([5], 0.9), 5);
  assert.equal(oracleCap(10, 0.9), 1);
  assert.equal(oracleCap(11, 0.9), 2);
  assert.equal(oracleCap(10, 0.7), 3);
  assert.equal(oracleCap(4379, 0.9), 438);
  assert.equal(oracleCap(20, 0.95), 1);
  assert.equal(oracleCap(7, 0.125), 7);
  // The tie choice: n = 100, p = 0.9 (t = 10), ceiling 0.02 (2).
  assert.equal(oracleChoice(11, 7, 100, 0.9, 0.02), 11);
  assert.equal(oracleChoice(12, 7, 100, 0.9, 0.02), 12);
  assert.equal(oracleChoice(12, 8, 100, 0.9, 0.02), 8);
  assert.equal(oracleChoice(13, 4, 100, 0.9, 0.02), 4);
  assert.equal(oracleChoice(11, 7, 100, 0.9, 0), 7);
  assert.equal(oracleChoice(10, 3, 100, 0.9, 0), 10);
});

test("engine tie choice (guarded floats) = oracle's exact rationals for every (A, B) near the target, n ≤ 300, four quantiles, four ceilings", () => {
  let checked = 0;
  for (const p of [0.9, 0.75, 0.95, 0.8])
    for (const c of [0, 0.01, 0.02, 0.05])
      for (let n = 1; n <= 300; n++) {
        const t = (1 - p) * n;
        for (let a = 0; a <= Math.min(n, Math.ceil(t + c * n) + 3); a++)
          for (let b = Math.max(0, Math.floor(t) - Math.ceil(c * n) - 3); b <= a; b++) {
            assert.equal(keepTiedBlock(a, b, n, p, c) ? a : b, oracleChoice(a, b, n, p, c), `A ${a} B ${b} n ${n} p ${p} c ${c}`);
            checked++;
          }
      }
  assert.ok(checked > 100000, String(checked));
});

test("engine = paper oracle for all 32 option combinations (600 patents, 15 years)", () => {
  const c = smallCorpus(7, 600, 15, 25);
  for (const o of combos) compare(c, o, JSON.stringify(o));
});

test("engine = paper oracle with other windows and quantiles (backward 0/3, forward 2,4,7 / 1, q 0.75/0.95) and a year gap", () => {
  const c0 = smallCorpus(3, 500, 12, 15);
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
  combos.forEach((o, i) => {
    compare(c, { ...o, backward: 3, forward: [2, 4, 7], quantile: i % 2 ? 0.75 : 0.95 }, "gap " + JSON.stringify(o));
    if (i % 4 === 0) compare(c, { ...o, backward: 0, forward: [1], quantile: 0.9 }, "b0 " + JSON.stringify(o));
  });
});

test("engine = paper oracle on the heavy-tie corpus for all 32 combinations × tie ceilings 0 and 0.02 (ties kept and dropped identically)", () => {
  const { corpus } = tieCorpus(5, 0.4);
  let flagged = 0;
  for (const o of combos) flagged += compare(corpus, o, "ties " + JSON.stringify(o)).flagged;
  assert.ok(flagged > 0);
  // The {N1,N2} block of 2007 is tied at the top and dropped (paper settings).
  const r = scorePatents(corpus, PAPER_SCORE_OPTIONS);
  const t2007 = r.thresholds.find((t) => t.year === 2007)!;
  assert.equal(t2007.strict, true);
});

test("engine = paper oracle with the paper preset on a 1,200-patent IPC-like corpus (22 years, 150 subclasses)", () => {
  const c = ipcLikeCorpus(21, 1200);
  compare(c, PAPER_SCORE_OPTIONS, "paper");
  compare(c, { ...PAPER_SCORE_OPTIONS, idf: "kpst", breakthrough: "kpst", censoring: "missing" }, "paper/kpst");
});

test("pairwise oracle = paper oracle (both definitions, 400 patents, 16 combinations)", () => {
  const c = smallCorpus(9, 400, 12, 20);
  for (const o of combos.filter((_, i) => i % 2 === 0)) same(scorePatentsPairwise(c, o), scorePatentsPaperOracle(c, o), c.n, "pairwise " + JSON.stringify(o));
});
