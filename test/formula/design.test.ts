import { test } from "node:test";
import assert from "node:assert/strict";
import { parseFormula } from "../../src/formula/parse.js";
import { buildDesign } from "../../src/formula/design.js";
import { tableFromArrays } from "../../src/data/table.js";

const t = tableFromArrays("d.csv", {
  y: [1, 2, 3, 4, 5, 6],
  x: [0.5, 1, 1.5, 2, 2.5, 3],
  z: [1, 0, 1, 0, 1, 0],
  rel: [-1000, -1, 0, 1, -4, -1],
  u: ["a", "a", "b", "b", "c", "c"],
  yr: [2001, 2002, 2001, 2002, 2001, 2002],
});

test("i() dummies are named var::level and skip the reference levels", () => {
  const d = buildDesign(parseFormula("y ~ i(rel, ref = c(-1, -1000)) + x:z | u + yr"), t);
  assert.deepEqual(
    d.x.map((c) => c.name),
    ["rel::-4", "rel::0", "rel::1", "x:z"],
  );
  assert.deepEqual([...d.x[0]!.values], [0, 0, 0, 0, 1, 0]);
  assert.deepEqual([...d.x[1]!.values], [0, 0, 1, 0, 0, 0]);
  assert.deepEqual([...d.x[3]!.values], [0.5, 0, 1.5, 0, 2.5, 0]);
  assert.deepEqual(
    d.fixedEffects.map((f) => [f.name, f.nLevels]),
    [
      ["u", 3],
      ["yr", 2],
    ],
  );
  assert.deepEqual([...d.fixedEffects[0]!.codes], [0, 0, 1, 1, 2, 2]);
  assert.equal(d.intercept, undefined);
});

test("i(var, x) interacts the dummies with a continuous variable; keep restricts levels", () => {
  const d = buildDesign(parseFormula("y ~ i(yr, x, ref = 2001) + i(rel, keep = c(0, 1))"), t);
  assert.deepEqual(
    d.x.map((c) => c.name),
    ["yr::2002:x", "rel::0", "rel::1"],
  );
  assert.deepEqual([...d.x[0]!.values], [0, 1, 0, 2, 0, 3]);
  assert.equal(d.intercept, true);
});

test("combined fixed effects and varying slopes", () => {
  const d = buildDesign(parseFormula("y ~ x | u^yr + u[[x]]"), t);
  assert.equal(d.fixedEffects[0]!.name, "u^yr");
  assert.equal(d.fixedEffects[0]!.nLevels, 6);
  assert.equal(d.fixedEffects[1]!.name, "u[[x]]");
  assert.equal(d.fixedEffects[1]!.slopesOnly, true);
  assert.deepEqual(
    d.fixedEffects[1]!.slopes!.map((s) => s.name),
    ["x"],
  );
});
