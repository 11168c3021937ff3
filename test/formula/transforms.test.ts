import { test } from "node:test";
import assert from "node:assert/strict";
import { parseExpression, parseFormula } from "../../src/formula/parse.js";
import { formulaColumns, termLabel } from "../../src/formula/ast.js";
import { buildDesign, evalExpr, transformRows } from "../../src/formula/design.js";
import { tableFromArrays, selectRows } from "../../src/data/table.js";
import { feols } from "../../src/estimators/feols.js";
import { fepois } from "../../src/estimators/fepois.js";
import { Rng } from "../../src/core/rng.js";
import { KeytechError } from "../../src/core/errors.js";

const rng = new Rng(7);
const n = 120;
const u = Int32Array.from({ length: n }, (_, i) => i % 12);
const yr = Int32Array.from({ length: n }, (_, i) => Math.floor(i / 12));
const x = Float64Array.from({ length: n }, () => 0.2 + rng.uniform() * 3);
const a = Float64Array.from({ length: n }, () => rng.normal());
const b = Float64Array.from({ length: n }, () => 1 + rng.uniform());
const y = Float64Array.from(
  { length: n },
  (_, i) => 1 + 0.5 * Math.log(x[i]!) - 0.2 * a[i]! * b[i]! ** 2 + 0.3 * Math.sqrt(x[i]!) + rng.normal() + (u[i]! % 3) * 0.1,
);
const count = Float64Array.from(y, (v) => Math.max(0, Math.round(v * 2)));
const base = { y, count, x, a, b, u: Float64Array.from(u), yr: Float64Array.from(yr) };

test("transforms parse to fixest's (R deparse) term names and read their columns", () => {
  const f = parseFormula("y ~ log(x) + exp(-a) + sqrt(x) + I(a * b^2) + I(x/2 + 1) + log(x + 1):a + I(-x^2) + I((a - b)/x) | u");
  assert.deepEqual(f.terms.map(termLabel), ["log(x)", "exp(-a)", "sqrt(x)", "I(a * b^2)", "I(x/2 + 1)", "log(x + 1):a", "I(-x^2)", "I((a - b)/x)"]);
  assert.deepEqual(formulaColumns(f).numeric.sort(), ["a", "b", "x", "y"]);
  assert.equal(parseExpression("log(population)").label, "log(population)");
  assert.equal(parseExpression("I(2^3^2)").label, "I(2^3^2)");
});

test("arithmetic follows R: ^ right-associative above unary minus, then * /, then + -", () => {
  const t = tableFromArrays("t.csv", { x: [2, 3], a: [1, -2] });
  const v = (s: string) => Array.from(evalExpr(parseExpression(s).expr, t));
  assert.deepEqual(v("I(-x^2)"), [-4, -9]);
  assert.deepEqual(v("I(2^3^2)"), [512, 512]);
  assert.deepEqual(v("I(x - a * 2 + x / 4)"), [2 - 2 + 0.5, 3 + 4 + 0.75]);
  assert.deepEqual(v("I((x - a) * 2)"), [2, 10]);
  assert.deepEqual(
    v("exp(log(x))").map((z, i) => Math.abs(z - [2, 3][i]!) < 1e-15),
    [true, true],
  );
  assert.deepEqual(v("I(x^-1)"), [0.5, 1 / 3]);
});

test("feols with inline transforms equals feols on precomputed columns (to 1e-12)", () => {
  const pre = {
    ...base,
    lx: Float64Array.from(x, Math.log),
    sx: Float64Array.from(x, Math.sqrt),
    ab2: Float64Array.from(a, (v, i) => v * b[i]! ** 2),
    ea: Float64Array.from(a, (v) => Math.exp(-v / 2)),
    q: Float64Array.from(x, (v, i) => (v - a[i]!) / b[i]! + 3),
  };
  const t = tableFromArrays("t.csv", pre);
  const inline = buildDesign(parseFormula("y ~ log(x) + sqrt(x) + I(a * b^2) + exp(-a/2) + I((x - a)/b + 3) | u + yr"), t);
  const cols = buildDesign(parseFormula("y ~ lx + sx + ab2 + ea + q | u + yr"), t);
  inline.x.forEach((c, j) => c.values.forEach((v, i) => assert.ok(Math.abs(v - cols.x[j]!.values[i]!) <= 1e-15 * Math.max(1, Math.abs(v)))));
  const f1 = feols(inline),
    f2 = feols(cols);
  assert.deepEqual(f1.coefNames, ["log(x)", "sqrt(x)", "I(a * b^2)", "exp(-a/2)", "I((x - a)/b + 3)"]);
  f1.coef.forEach((v, j) => assert.ok(Math.abs(v - f2.coef[j]!) <= 1e-12 * Math.max(1, Math.abs(f2.coef[j]!)), `coef ${j}: ${v} vs ${f2.coef[j]}`));
  // and fepois
  const p1 = fepois({ ...buildDesign(parseFormula("count ~ log(x) + I(a * b^2) | u + yr"), t) });
  const p2 = fepois({ ...buildDesign(parseFormula("count ~ lx + ab2 | u + yr"), t) });
  p1.coef.forEach((v, j) => assert.ok(Math.abs(v - p2.coef[j]!) <= 1e-12 * Math.max(1, Math.abs(p2.coef[j]!))));
});

test("rows where a transform is not finite (log(0), sqrt(-1), x/0) are listed for dropping, counted per term", () => {
  const xs = Float64Array.from(x);
  xs[3] = 0; // log(0) = -Inf
  xs[7] = -1; // log(-1) = NaN, sqrt(-1) = NaN
  const as = Float64Array.from(a);
  const bs = Float64Array.from(b);
  bs[9] = 0; // a / 0 = ±Inf
  const t = tableFromArrays("t.csv", { ...base, x: xs, a: as, b: bs });
  const f = parseFormula("y ~ log(x) + sqrt(x) + I(a/b) | u + yr");
  const tr = transformRows(f, t);
  assert.equal(tr.dropped, 3);
  assert.deepEqual(tr.byTerm, { "log(x)": 2, "sqrt(x)": 1, "I(a/b)": 1 });
  assert.deepEqual(
    Array.from(tr.keep!).filter((i) => i === 3 || i === 7 || i === 9),
    [],
  );
  // fixest drops them: the fit equals the fit on the data without those rows
  const t2 = selectRows(t, tr.keep!);
  const fit = feols(buildDesign(f, t2));
  const keepRows = Array.from(tr.keep!);
  const t3 = tableFromArrays("t.csv", Object.fromEntries(Object.entries({ ...base, x: xs, a: as, b: bs }).map(([k, v]) => [k, keepRows.map((i) => v[i]!)])));
  const ref = feols(buildDesign(f, t3));
  fit.coef.forEach((v, j) => assert.equal(v, ref.coef[j]));
  // building a design with a non-finite transform left in is refused with the row
  assert.throws(
    () => buildDesign(f, t),
    (e: unknown) => e instanceof KeytechError && /t\.csv, row 4, column 'log\(x\)': log\(x\) is -Inf here/.test(e.message),
  );
});

test("transform parse errors point at the character", () => {
  const err = (s: string, re: RegExp) =>
    assert.throws(
      () => parseFormula(s),
      (e: unknown) => e instanceof KeytechError && e.kind === "usage" && re.test(e.message),
    );
  err("y ~ log()", /log\(\) needs an argument/);
  err("y ~ log(x, 2)", /log\(\) takes one argument/);
  err("y ~ I(x +)", /expected a number, a column or '\(' in the expression, found '\)'/);
  err("y ~ I(foo(x))", /unknown function 'foo\(\)'; supported inside a formula: log\(\), exp\(\), sqrt\(\), I\(\)/);
  err("y ~ log(x", /'\(' is never closed/);
  err("y ~ log(x) + log(x)", /this term appears twice/);
  assert.throws(() => parseExpression("log(pop) pop"), /expected an operator or the end of the expression/);
});
