import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/rng.js";
import { feols } from "../../src/estimators/feols.js";

function data(seed: number, n = 400) {
  const r = new Rng(seed);
  const u = Int32Array.from({ length: n }, (_, i) => i % 40);
  const t = Int32Array.from({ length: n }, (_, i) => Math.floor(i / 40));
  const x = Float64Array.from({ length: n }, () => r.normal());
  const d = Float64Array.from({ length: n }, () => (r.uniform() < 0.2 ? 1 : 0));
  const y = Float64Array.from({ length: n }, (_, i) => 0.4 * x[i]! + d[i]! + 0.1 * u[i]! + r.normal());
  const fixedEffects = [
    { name: "u", codes: u, nLevels: 40 },
    { name: "t", codes: t, nLevels: 10 },
  ];
  return { y, x, d, fixedEffects };
}

test("feols: a non-finite regressor value is refused with its row and column, weighted or not", () => {
  const { y, x, fixedEffects } = data(4);
  const bad = x.slice();
  bad[17] = Number.POSITIVE_INFINITY;
  for (const weights of [undefined, new Float64Array(y.length).fill(2)])
    assert.throws(
      () => feols({ y, yName: "y", x: [{ name: "x", values: bad.slice() }], fixedEffects, ...(weights ? { weights } : {}) }),
      (e: Error) => /variable "x" is missing or not finite at row 18/.test(e.message),
    );
});
