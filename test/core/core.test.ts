import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/rng.js";
import { gram, invSPD, matmul, mat, choleskyPivotless, symEigen, solveGeneral } from "../../src/core/linalg.js";
import { pt, qt, pchisq } from "../../src/core/distributions.js";
import { quantile7, quantile1 } from "../../src/core/stats.js";
import { assertClose, runCli } from "../helpers.js";

test("Rng: same seed gives the same bits, different seeds differ", () => {
  const a = new Rng(42),
    b = new Rng(42),
    c = new Rng(43);
  const xa = Array.from({ length: 50 }, () => a.nextU32());
  const xb = Array.from({ length: 50 }, () => b.nextU32());
  const xc = Array.from({ length: 50 }, () => c.nextU32());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
});

test("Rng: uniform mean, normal moments and unbiased int", () => {
  const r = new Rng(7);
  let s = 0,
    s2 = 0,
    u = 0;
  const n = 200000;
  const counts = new Array(3).fill(0);
  for (let i = 0; i < n; i++) {
    const z = r.normal();
    s += z;
    s2 += z * z;
    u += r.uniform();
    counts[r.int(3)]++;
  }
  assert.ok(Math.abs(s / n) < 0.01);
  assert.ok(Math.abs(s2 / n - 1) < 0.02);
  assert.ok(Math.abs(u / n - 0.5) < 0.005);
  for (const c of counts) assert.ok(Math.abs(c / n - 1 / 3) < 0.006);
  const f1 = new Rng(1).fork(3),
    f2 = new Rng(1).fork(3),
    f3 = new Rng(1).fork(4);
  assert.equal(f1.nextU32(), f2.nextU32());
  assert.notEqual(new Rng(1).fork(3).nextU32(), f3.nextU32());
});

test("linalg: SPD inverse, collinearity detection, LU solve, Jacobi eigen", () => {
  const x1 = Float64Array.from([1, 2, 3, 4, 5]);
  const x2 = Float64Array.from([2, 1, 0, 1, 3]);
  const x3 = Float64Array.from(x1.map((v, i) => 2 * v - x2[i]!));
  const g = gram([x1, x2]);
  const inv = invSPD(g);
  const I = matmul(g, inv);
  for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) assertClose(I.data[i * 2 + j]! + 1, i === j ? 2 : 1, 1e-12);
  const { dropped } = choleskyPivotless(gram([x1, x2, x3]));
  assert.deepEqual(dropped, [2]);
  const A = mat(3, 3, Float64Array.from([0, 2, 1, 1, 1, 1, 4, 0, 3]));
  const b = mat(3, 1, Float64Array.from([5, 6, 10]));
  const x = solveGeneral(A, b).data;
  assertClose(0 * x[0]! + 2 * x[1]! + x[2]!, 5, 1e-12);
  assertClose(4 * x[0]! + 3 * x[2]!, 10, 1e-12);
  const e = symEigen(mat(2, 2, Float64Array.from([2, 1, 1, 2])));
  assertClose(e.values[0]!, 3, 1e-12);
  assertClose(e.values[1]!, 1, 1e-12);
});

test("distributions match R", () => {
  assertClose(pt(-2.75526, 499), 0.006079 / 2, 1e-3);
  assertClose(qt(0.975, 10), 2.228138851986, 1e-9);
  assertClose(1 - pchisq(7.7912, 5), 0.16812, 1e-3);
});

test("quantiles: type 7 and type 1", () => {
  assert.equal(quantile7([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantile1([1, 2, 3, 4], 0.5), 2);
  assert.equal(quantile1([1, 2, 3, 4], 0.75), 3);
});

test("CLI: --version prints the version, unknown command exits 2", () => {
  const v = runCli(["--version"]);
  assert.equal(v.status, 0);
  assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+$/);
  const bad = runCli(["no-such-command"]);
  assert.equal(bad.status, 2);
});
