import { test } from "node:test";
import assert from "node:assert/strict";
import { parseFormula } from "../../src/formula/parse.js";
import { formulaColumns, fixedEffectLabel } from "../../src/formula/ast.js";

/** The parse error for `text`: message line, the formula, and the caret line. */
function parseError(text: string): string {
  try {
    parseFormula(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`no error for ${text}`);
}

function expectError(text: string, what: string, caret: number): void {
  assert.equal(parseError(text), `bad formula: ${what}\n  ${text}\n  ${" ".repeat(caret)}^`);
}

test("parses terms, interactions, i(), combined FEs and varying slopes", () => {
  const f = parseFormula("lemp~i(rel,ref=c(-1,-1000))+ i(year, lpop, ref=2003) + x1:x2 |countyreal+year^st+id[[t]] + id[t, t2]");
  assert.equal(f.lhs, "lemp");
  assert.deepEqual(f.terms[0]!.factors[0], { kind: "i", var: "rel", by: null, ref: [-1, -1000], keep: null, pos: 5 });
  assert.deepEqual(f.terms[1]!.factors[0], { kind: "i", var: "year", by: "lpop", ref: [2003], keep: null, pos: 29 });
  assert.deepEqual(
    f.terms[2]!.factors.map((x) => (x.kind === "var" ? x.name : "")),
    ["x1", "x2"],
  );
  assert.deepEqual(f.fixedEffects.map(fixedEffectLabel), ["countyreal", "year^st", "id[[t]]", "id[t, t2]"]);
  assert.deepEqual(formulaColumns(f), { numeric: ["lemp", "lpop", "x1", "x2", "t", "t2"], factor: ["rel", "year", "countyreal", "st", "id"] });
});

test("whitespace tolerant; names with dots and backticks; a*b expands", () => {
  const a = parseFormula("  y~x1+first.treat|fe  ");
  const b = parseFormula("y ~ x1 + `first.treat` | fe");
  assert.deepEqual(
    a.terms.map((t) => t.factors.map((x) => (x.kind === "var" ? x.name : ""))),
    [["x1"], ["first.treat"]],
  );
  assert.deepEqual(
    b.terms.map((t) => t.factors.map((x) => (x.kind === "var" ? x.name : ""))),
    [["x1"], ["first.treat"]],
  );
  const c = parseFormula("y ~ a*b");
  assert.deepEqual(
    c.terms.map((t) => t.factors.map((x) => (x.kind === "var" ? x.name : "")).join(":")),
    ["a", "b", "a:b"],
  );
  assert.equal(parseFormula("y ~ x - 1").intercept, false);
  assert.equal(parseFormula("y ~ 0 + x").intercept, false);
  assert.deepEqual(parseFormula('y ~ i(g, ref = "a", keep = c("b", "c"))').terms[0]!.factors[0], {
    kind: "i",
    var: "g",
    by: null,
    ref: ["a"],
    keep: ["b", "c"],
    pos: 4,
  });
});

test("parse errors point at the offending character", () => {
  expectError("", "the formula is empty; write it as y ~ x1 + x2 | fe1 + fe2", 0);
  expectError("~ x", "the outcome is missing before '~'", 0);
  expectError("y", "expected '~' after the outcome", 1);
  expectError("y x", "the outcome must be one column name; expected '~', found 'x'", 2);
  expectError("y ~", "expected at least one regressor after '~' (use 1 for none)", 3);
  expectError("y ~ x +", "expected a term after '+'", 7);
  expectError("y ~ x $ z", "unexpected character '$'", 6);
  expectError("y ~ .", "'.' (all other columns) is not supported: list the regressors", 4);
  expectError(
    "y ~ poly(x)",
    "unknown function 'poly()'; supported: log(), exp(), sqrt(), I() and i(var, ref = k) (add other transforms as columns of the data)",
    4,
  );
  expectError("y ~ i()", "i() needs a variable: i(var, ref = k)", 6);
  expectError("y ~ i(rel, ref = -1", "'(' is never closed; expected ')'", 5);
  expectError("y ~ i(rel, reff = -1)", "unknown argument 'reff' of i(); use i(var[, x], ref = k[, keep = c(…)])", 11);
  expectError("y ~ i(rel, ref = a)", "expected a number or a quoted value, found 'a'", 17);
  expectError("y ~ x | fe[z", "'[' is never closed; expected ']'", 10);
  expectError("y ~ x | fe[[z]", "'[[' is never closed; expected ']]'", 10);
  expectError("y ~ x | a | b", "only one '|' is allowed (instrumental-variable parts are not supported)", 10);
  expectError("y ~ x | ", "expected a fixed effect after '|'", 8);
  expectError("y ~ x + x", "this term appears twice", 8);
  expectError("y ~ `x", "unterminated backtick name", 4);
  expectError("y ~ x | i(a)", "fixed effects must be column names (combine them with '^')", 8);
  expectError("y ~ x)", "unmatched ')'", 5);
  expectError("y ~ 2", "a number (2) cannot be a regressor; only 0 or 1 (the intercept)", 4);
  expectError("y ~ x | a:b", "interact fixed effects with '^', not ':'", 9);
  expectError("y ~ x - z", "removing terms with '-' is only supported for the intercept ('- 1')", 8);
  expectError("y(1) ~ x", "functions of the outcome ('y(…)') are not supported; add the transformed column to the data", 0);
  expectError("y ~ x1 + 3x", "a name cannot start with a digit ('3x…'); quote it with backticks", 9);
  expectError("y ~ x^z", "'^' combines fixed effects; it can only be used after '|'", 5);
});

test("formula errors are usage errors (exit 2)", () => {
  try {
    parseFormula("y ~");
    assert.fail("no error");
  } catch (e) {
    assert.equal((e as { exitCode: number }).exitCode, 2);
  }
});
