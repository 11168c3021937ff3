/**
 * Breakthrough shares under the paper's settings (issue #12): the last data year is fully censored and
 * never flagged, complete years flag ≈ 10 %, and ties at the threshold (identical code sets, a year where
 * most importances are 0) never push a group above ⌈(1 − p)·n⌉ breakthroughs. On the pre-issue rule
 * (`imp ≥ q`, last year scored 0) these tests fail: the final year is 100 % breakthroughs, the zero
 * year 100 %, the tied year ≥ 30 %.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { PAPER_LEVEL, PAPER_SCORE_OPTIONS, scorePatents, type ScoreResult } from "../../src/patents/scores.js";
import type { TermCorpus } from "../../src/patents/corpus.js";
import { ipcLikeCorpus, tieCorpus } from "./corpora.js";

/** Flagged / rated patents of year y (rated = breakthrough not missing). */
function share(c: TermCorpus, r: ScoreResult, y: number): { flagged: number; rated: number; patents: number } {
  let flagged = 0;
  let rated = 0;
  let patents = 0;
  for (let p = 0; p < c.n; p++) {
    if (c.year[p] !== y) continue;
    patents++;
    if (r.breakthrough[p]! >= 0) rated++;
    if (r.breakthrough[p] === 1) flagged++;
  }
  return { flagged, rated, patents };
}

test("paper preset: eq. 3 IDF, min pair year, same year excluded, 5 back, 1/5/10 forward, top decile by year, truncate, subclass", () => {
  assert.deepEqual({ ...PAPER_SCORE_OPTIONS }, { backward: 5, forward: [1, 5, 10], idf: "seed", pairYear: "min", sameYear: "exclude", censoring: "truncate", breakthrough: "year", quantile: 0.9 });
  assert.equal(PAPER_LEVEL, "subclass");
});

test("hidden IPC-like corpus (6,000 patents, 2000–2021), paper settings: ≈ 10 % per complete year, none in 2021, coverage reported", () => {
  const c = ipcLikeCorpus(9, 6000, 22, 300, 2000, 2);
  for (const censoring of ["truncate", "missing"] as const) {
    const r = scorePatents(c, { ...PAPER_SCORE_OPTIONS, censoring });
    // Complete forward window: y + 10 ≤ 2021. 2000 has no backward patent (BS = 0, nothing rated).
    for (let y = 2001; y <= 2011; y++) {
      const s = share(c, r, y);
      assert.ok(s.rated > 80, `${y}: ${s.rated} rated`);
      assert.ok(Math.abs(s.flagged / s.rated - 0.1) <= 0.02, `${censoring} ${y}: ${s.flagged}/${s.rated} breakthroughs`);
    }
    // Final year: no forward year observed — fs/imp missing, never a breakthrough.
    const last = share(c, r, 2021);
    assert.ok(last.patents > 500);
    assert.equal(last.flagged, 0, `${censoring}: ${last.flagged} breakthroughs in 2021`);
    assert.equal(last.rated, 0);
    for (let p = 0; p < c.n; p++) {
      if (c.year[p] !== 2021) continue;
      assert.equal(r.censorKind[p], 2);
      for (let k = 0; k < 3; k++) assert.ok(Number.isNaN(r.fs[k]![p]!) && Number.isNaN(r.imp[k]![p]!));
    }
    // No year above its cap, and zero importance never flagged.
    for (const t of r.thresholds) assert.ok(t.flagged <= t.cap && t.cap === Math.ceil(0.1 * t.n - 1e-9), JSON.stringify(t));
    for (let p = 0; p < c.n; p++) if (r.breakthrough[p] === 1) assert.ok(r.imp[2]![p]! > 0);
    assert.deepEqual(r.coverage.fullyCensoredYears, [2021]);
    assert.equal(r.coverage.fullyCensored, last.patents);
    assert.deepEqual(r.coverage.partlyCensoredYears, [2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019, 2020]);
    assert.deepEqual(r.coverage.backwardIncompleteYears, [2000, 2001, 2002, 2003, 2004]);
    assert.equal(r.counts.censored, r.coverage.fullyCensored + r.coverage.partlyCensored);
    let total = 0;
    let flagged = 0;
    for (const t of r.thresholds) {
      total += t.n;
      flagged += t.flagged;
    }
    assert.ok(flagged / total <= 0.1 + 1e-9 && flagged / total > 0.08, `overall ${flagged}/${total}`);
  }
});

test("heavy ties: > 90 % zero importances and a 30 % block of identical code sets never push a year above the cap", () => {
  const { corpus: c, zeroYear, tieYear } = tieCorpus(5);
  // Data end in 2012: with `missing`, horizons up to 5 keep 2005 and 2007 complete.
  for (const o of [PAPER_SCORE_OPTIONS, { ...PAPER_SCORE_OPTIONS, censoring: "missing" as const, forward: [1, 5] }]) {
    const r = scorePatents(c, o);
    const H = r.imp.length - 1;
    // The zero year: > 90 % of its importances are exactly 0 (so the 0.9 quantile is 0).
    let zeros = 0;
    let rated = 0;
    for (let p = 0; p < c.n; p++)
      if (c.year[p] === zeroYear && !Number.isNaN(r.imp[H]![p]!)) {
        rated++;
        if (r.imp[H]![p] === 0) zeros++;
      }
    assert.ok(zeros > 0.9 * rated, `${zeros} of ${rated} zero`);
    const z = share(c, r, zeroYear);
    assert.ok(z.flagged > 0 && z.flagged <= Math.ceil(0.1 * z.rated), `zero year: ${z.flagged}/${z.rated}`);
    for (let p = 0; p < c.n; p++) if (r.imp[H]![p] === 0) assert.notEqual(r.breakthrough[p], 1);
    // The tie year: 60 identical {N1, N2} patents (30 %) share the top importance; the block is dropped.
    const ti = share(c, r, tieYear);
    assert.ok(ti.flagged <= Math.ceil(0.1 * ti.rated), `tie year: ${ti.flagged}/${ti.rated}`);
    const tt = r.thresholds.find((t) => t.year === tieYear)!;
    assert.equal(tt.strict, true);
    for (let y = 2000; y <= 2012; y++) {
      const s = share(c, r, y);
      assert.ok(s.flagged <= Math.ceil(0.1 * s.rated - 1e-9), `${y}: ${s.flagged}/${s.rated}`);
    }
    assert.equal(share(c, r, 2012).flagged, 0);
  }
  // KPST variant: one pooled threshold on residualised log importance, same cap.
  const k = scorePatents(c, { ...PAPER_SCORE_OPTIONS, breakthrough: "kpst" });
  const t = k.thresholds[0]!;
  assert.equal(t.year, null);
  assert.ok(t.flagged <= t.cap && t.cap === Math.ceil(0.1 * t.n - 1e-9), JSON.stringify(t));
  assert.equal(share(c, k, 2012).flagged, 0);
});
