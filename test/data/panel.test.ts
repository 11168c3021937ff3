import { test } from "node:test";
import assert from "node:assert/strict";
import { tableFromArrays, selectRows } from "../../src/data/table.js";
import { validatePanel, shiftWithinUnit } from "../../src/data/panel.js";
import { dropMissing } from "../../src/data/missing.js";
import { factorizeNumbers, factorizeStrings, combineFactors, levelLabel } from "../../src/data/factor.js";
import { closestName } from "../../src/data/suggest.js";

function throwsMsg(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: Error) => {
    assert.equal(e.message, message);
    return true;
  });
}

test("duplicate (unit, time) rows are shown with their rows", () => {
  const t = tableFromArrays("p.csv", { u: [1, 1, 2, 2, 1, 3, 3], t: [1, 2, 1, 2, 2, 1, 1] });
  throwsMsg(
    () => validatePanel(t, { unit: "u", time: "t" }),
    "p.csv: duplicate (unit, time) rows: u=1, t=2 (rows 2, 5); u=3, t=1 (rows 6, 7). Each unit may appear once per period: remove or aggregate the duplicates",
  );
  const many = tableFromArrays("m.csv", { u: Array.from({ length: 14 }, (_, i) => i % 7), t: Array.from({ length: 14 }, () => 2000) });
  throwsMsg(
    () => validatePanel(many, { unit: "u", time: "t" }),
    "m.csv: duplicate (unit, time) rows: u=0, t=2000 (rows 1, 8); u=1, t=2000 (rows 2, 9); u=2, t=2000 (rows 3, 10); u=3, t=2000 (rows 4, 11); u=4, t=2000 (rows 5, 12); 7 duplicated keys in all. Each unit may appear once per period: remove or aggregate the duplicates",
  );
});

test("time must be integer", () => {
  const t = tableFromArrays("p.csv", { u: [1, 1], t: [2000, 2000.5] });
  throwsMsg(() => validatePanel(t, { unit: "u", time: "t" }), "p.csv, row 2, column 't': time must be an integer period (e.g. a year), found 2000.5");
});

test("cohort not constant within unit", () => {
  const t = tableFromArrays("p.csv", { u: ["a", "a", "b", "b"], t: [1, 2, 1, 2], g: [0, 0, 2, 3] });
  throwsMsg(
    () => validatePanel(t, { unit: "u", time: "t", cohort: "g" }),
    "p.csv, row 4, column 'g': cohort is not constant within unit u=b: 2 at row 3 but 3 at row 4; the cohort (first treated period, 0 or empty = never treated) must be the same in every row of a unit",
  );
  // empty cohort = never treated = 0
  const ok = tableFromArrays("p.csv", { u: [1, 1], t: [1, 2], g: [0, Number.NaN] });
  assert.equal(validatePanel(ok, { unit: "u", time: "t", cohort: "g" }).nUnits, 1);
});

test("treatment that switches off, in time order not file order", () => {
  const t = tableFromArrays("p.csv", { u: [1, 1, 1], t: [2003, 2001, 2002], d: [0, 0, 1] });
  throwsMsg(
    () => validatePanel(t, { unit: "u", time: "t", treat: "d" }),
    "p.csv, row 1, column 'd': treatment switches off in unit u=1: 1 in t 2002 (row 3) then 0 in t 2003 (row 1); staggered DID needs a treatment that stays on once it starts",
  );
  const b = tableFromArrays("p.csv", { u: [1], t: [1], d: [2] });
  throwsMsg(() => validatePanel(b, { unit: "u", time: "t", treat: "d" }), "p.csv, row 1, column 'd': treatment must be 0 or 1, found 2");
});

test("row numbers survive row selection", () => {
  const t = tableFromArrays("p.csv", { u: [1, 9, 1, 1], t: [1, 5, 2, 2] });
  const s = selectRows(t, Int32Array.from([0, 2, 3]));
  throwsMsg(
    () => validatePanel(s, { unit: "u", time: "t" }),
    "p.csv: duplicate (unit, time) rows: u=1, t=2 (rows 3, 4). Each unit may appear once per period: remove or aggregate the duplicates",
  );
});

test("listwise deletion counts rows and refuses an empty result", () => {
  const t = tableFromArrays("p.csv", { y: [1, Number.NaN, 3, Number.NaN], x: [1, 2, Number.NaN, Number.NaN], s: ["a", "b", "c", null] });
  const d = dropMissing(t, ["y", "x", "s"]);
  assert.equal(d.dropped, 3);
  assert.deepEqual(d.byColumn, { y: 2, x: 2, s: 1 });
  assert.equal(d.table.nrows, 1);
  assert.deepEqual(d.table.rowNumbers, Int32Array.from([1]));
  const e = tableFromArrays("p.csv", { y: [Number.NaN, Number.NaN], x: [1, Number.NaN] });
  throwsMsg(() => dropMissing(e, ["y", "x"]), "p.csv: no complete rows: every one of the 2 rows has a missing value; missing per column: 'y' (2), 'x' (1)");
});

test("lead within unit by calendar time", () => {
  const t = tableFromArrays("p.csv", { u: [1, 1, 1, 2, 2], t: [2001, 2003, 2002, 2001, 2003], y: [10, 30, 20, 1, 3] });
  const p = validatePanel(t, { unit: "u", time: "t" });
  const f = shiftWithinUnit(p, t.columns.get("y")!.values as Float64Array, 1);
  assert.deepEqual(
    [...f].map((v) => (Number.isNaN(v) ? null : v)),
    [20, null, 30, null, null],
  );
  const l = shiftWithinUnit(p, t.columns.get("y")!.values as Float64Array, -1);
  assert.deepEqual(
    [...l].map((v) => (Number.isNaN(v) ? null : v)),
    [null, 20, 10, null, null],
  );
});

test("factor coding: sorted levels, missing −1, sparse values, combinations", () => {
  const f = factorizeNumbers(Float64Array.from([5, -1, 5, Number.NaN, 1e12]));
  assert.deepEqual([...f.codes], [1, 0, 1, -1, 2]);
  assert.deepEqual([...(f.levels as Float64Array)], [-1, 5, 1e12]);
  const g = factorizeNumbers(Float64Array.from([3, 1, 2, 1]));
  assert.deepEqual([...g.codes], [2, 0, 1, 0]);
  // ascending data (one-pass path) codes as the lookup and sort paths do
  const asc = factorizeNumbers(Float64Array.from([-2.5, -2.5, 0, 7, 7, 7, 1e12]));
  assert.deepEqual([...asc.codes], [0, 0, 1, 2, 2, 2, 3]);
  assert.deepEqual([...(asc.levels as Float64Array)], [-2.5, 0, 7, 1e12]);
  const ascInt = factorizeNumbers(Float64Array.from([1, 1, 2, 4, 4]));
  assert.deepEqual([...ascInt.codes], [0, 0, 1, 2, 2]);
  assert.equal(ascInt.nLevels, 3);
  // the coding of an unchanged array is reused; a changed array is coded afresh
  const x = Float64Array.from([3, 1, 2, 1]);
  const f1 = factorizeNumbers(x);
  assert.equal(factorizeNumbers(x), f1);
  x[1] = 9;
  const f2 = factorizeNumbers(x);
  assert.notEqual(f2, f1);
  assert.deepEqual([...f2.codes], [2, 3, 1, 0]);
  assert.deepEqual([...(f2.levels as Float64Array)], [1, 2, 3, 9]);
  x[1] = 1;
  x[3] = 2; // [3, 1, 2, 2]: level 9 gone
  const f3 = factorizeNumbers(x);
  assert.deepEqual([...f3.codes], [2, 0, 1, 1]);
  assert.equal(f3.nLevels, 3);
  x[1] = 2; // level 1 disappears
  assert.equal(factorizeNumbers(x).nLevels, 2);
  const s = factorizeStrings(["b", "a", null, "b"]);
  assert.deepEqual([...s.codes], [1, 0, -1, 1]);
  const c = combineFactors(g, s);
  assert.equal(c.nLevels, 3);
  assert.equal(levelLabel(c, 0), "1_a");
  assert.deepEqual([...c.codes], [2, 0, -1, 1]);
});

test("closest column name", () => {
  assert.equal(closestName("lemp_", ["lemp", "lpop"]), "lemp");
  assert.equal(closestName("Year", ["year", "treat"]), "year");
  assert.equal(closestName("qqqq", ["year", "treat"]), null);
});
