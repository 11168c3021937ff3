/**
 * Type II decomposition and the sensitivity analysis of R paths `sens()` (METHODS.md §6.1, §6.4).
 * A linear SEM with treatment × mediator interactions makes the Type I and Type II path effects differ;
 * both are computed exactly by propagating means through the structural equations.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "../../../src/core/rng.js";
import { pathsEstimate, typeOneDecomposition, typeTwoDecomposition, type PathsEstimate } from "../../../src/estimators/paths.js";
import { pathsSens, sd, symmetricGrid } from "../../../src/estimators/paths-sens.js";
import { pathsBootstrap, summariseBoot } from "../../../src/inference/paths-bootstrap.js";
import { runCli } from "../../helpers.js";

// M1 = a1 A + 0.5 x1 + e; M2 = a2 A + b21 M1 + 0.3 x2 + e; M3 = a3 A + b31 M1 + b32 M2 + 0.2 x1 + e;
// Y = c A + Σ_j (d_j + h_j A) M_j + x1 − x2 + e.
const P = { a1: 1, a2: 0.5, a3: 0.8, b21: 0.6, b31: 0.3, b32: 0.5, c: 0.7, d: [1.2, -0.8, 0.9], h: [1.0, 0.8, 0.3] };

/** E[Y(aY, M1(a1), M2(a2), M3(a3))] with each mediator's own A set as given (E[X] = 0). */
function meanY(aY: number, aM: number[]): number {
  const m1 = P.a1 * aM[0]!;
  const m2 = P.a2 * aM[1]! + P.b21 * m1;
  const m3 = P.a3 * aM[2]! + P.b31 * m1 + P.b32 * m2;
  return P.c * aY + [m1, m2, m3].reduce((s, m, j) => s + (P.d[j]! + P.h[j]! * aY) * m, 0);
}
const ey1 = meanY(1, [1, 1, 1]),
  ey0 = meanY(0, [0, 0, 0]);
// ψ_k = E[Y(1, M̲_k(0))]: mediators 1..k at A = 0, later ones at A = 1; ψ'_k the mirror image.
const TRUTH1 = typeOneDecomposition(
  ey1,
  ey0,
  [1, 2, 3].map((k) =>
    meanY(
      1,
      [0, 1, 2].map((j) => (j < k ? 0 : 1)),
    ),
  ),
);
const TRUTH2 = typeTwoDecomposition(
  ey1,
  ey0,
  [1, 2, 3].map((k) =>
    meanY(
      0,
      [0, 1, 2].map((j) => (j < k ? 1 : 0)),
    ),
  ),
);

function simulate(seed: number, n: number) {
  const rng = new Rng(seed);
  const x = [new Float64Array(n), new Float64Array(n)];
  const a = new Float64Array(n),
    y = new Float64Array(n);
  const m = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  for (let i = 0; i < n; i++) {
    const x1 = rng.normal(),
      x2 = rng.normal();
    x[0]![i] = x1;
    x[1]![i] = x2;
    const ai = rng.uniform() < 1 / (1 + Math.exp(-(0.5 * x1 - 0.5 * x2))) ? 1 : 0;
    a[i] = ai;
    m[0]![i] = P.a1 * ai + 0.5 * x1 + rng.normal();
    m[1]![i] = P.a2 * ai + P.b21 * m[0]![i]! + 0.3 * x2 + rng.normal();
    m[2]![i] = P.a3 * ai + P.b31 * m[0]![i]! + P.b32 * m[1]![i]! + 0.2 * x1 + rng.normal();
    y[i] = P.c * ai + [0, 1, 2].reduce((s, j) => s + (P.d[j]! + P.h[j]! * ai) * m[j]![i]!, 0) + x1 - x2 + rng.normal();
  }
  return { y, a, m, x };
}

const sum = (e: PathsEstimate) => e.direct + e.via.reduce((s, v) => s + v, 0);

test("paths Type II: pieces add up to the total exactly; truths of the interacted SEM differ from Type I", () => {
  const e = typeTwoDecomposition(5, 1, [2, 3, 4.5]);
  assert.deepEqual(e.via, [1, 1, 1.5]);
  assert.equal(e.direct, 0.5);
  assert.equal(sum(e), e.total);
  for (const t of [TRUTH1, TRUTH2]) assert.ok(Math.abs(sum(t) - t.total) < 1e-12);
  assert.equal(TRUTH1.total, TRUTH2.total);
  // direct: c + Σ h_j E[M_j(0)] (Type I) vs c + Σ h_j E[M_j(1)] (Type II)
  assert.ok(Math.abs(TRUTH1.direct - TRUTH2.direct) > 0.3, `${TRUTH1.direct} vs ${TRUTH2.direct}`);
  assert.ok(Math.abs(TRUTH1.via[0]! - TRUTH2.via[0]!) > 0.3);
});

test("paths Type I and Type II (linear models by arm): hybrid and pure recover their own truths", async () => {
  // 2 types × 2 estimators × 4 pieces = 16 checks: each truth within ±3 bootstrap SE of the estimate
  // (family-wise ≈ 96% for independent checks; one 95% interval per check would miss ~one by design).
  const d = simulate(21, 3000);
  for (const type of [1, 2] as const) {
    const truth = type === 1 ? TRUTH1 : TRUTH2;
    const other = type === 1 ? TRUTH2 : TRUTH1;
    for (const estimator of ["hybrid", "pure"] as const) {
      const opts = { model: "linear" as const, estimator, type, interact: true };
      const est = pathsEstimate(d, opts, new Rng(1));
      assert.equal(est.type, type);
      assert.ok(Math.abs(sum(est) - est.total) < 1e-12 * Math.max(1, Math.abs(est.total)), "pieces sum to total");
      const reps = await pathsBootstrap(d, opts, { reps: 200, seed: 3, workers: 1 });
      const check = (name: string, point: number, t: number, draws: (number | null)[]) => {
        const s = summariseBoot(draws);
        assert.ok(Math.abs(point - t) < 3 * s.std_error!, `Type ${type} ${estimator} ${name}: ${point} vs truth ${t}, se ${s.std_error}`);
        return s.std_error!;
      };
      const se = check(
        "direct",
        est.direct,
        truth.direct,
        reps.map((r) => r!.direct),
      );
      // ... and is told apart from the other type's (different) truth.
      assert.ok(
        Math.abs(est.direct - other.direct) > 3 * se,
        `Type ${type} ${estimator} direct ${est.direct} not distinguishable from the other type's ${other.direct}`,
      );
      for (let k = 0; k < 3; k++)
        check(
          `via M${k + 1}`,
          est.via[k]!,
          truth.via[k]!,
          reps.map((r) => r!.via[k]!),
        );
    }
  }
});

test("paths Type II with BART (reduced MCMC): close to the truth of the interacted SEM", () => {
  const d = simulate(23, 1000);
  const est = pathsEstimate(d, { model: "bart", estimator: "hybrid", type: 2, ntree: 50, nskip: 100, ndpost: 200 }, new Rng(2));
  assert.ok(Math.abs(sum(est) - est.total) < 1e-10);
  assert.ok(Math.abs(est.total - TRUTH2.total) < 0.35, `total ${est.total} vs ${TRUTH2.total}`);
  assert.ok(Math.abs(est.direct - TRUTH2.direct) < 0.35, `direct ${est.direct} vs ${TRUTH2.direct}`);
  for (let k = 0; k < 3; k++) assert.ok(Math.abs(est.via[k]! - TRUTH2.via[k]!) < 0.35, `via M${k + 1} ${est.via[k]} vs ${TRUTH2.via[k]}`);
  // Type I from the same first-stage fits (one chain serves both types).
  const est1 = pathsEstimate(d, { model: "bart", estimator: "hybrid", type: 1, ntree: 50, nskip: 100, ndpost: 200 }, new Rng(2));
  assert.equal(est1.ey1, est.ey1);
  assert.equal(est1.ey0, est.ey0);
});

test("sens(): bias formulas checked by hand on a toy grid; default grids; sign reversals", () => {
  const gamma = [-1, 2],
    eta = [0.5, -0.25];
  const orig = { estimate: 0.3, conf_low: 0.1, conf_high: 0.5 };
  // K = 3 mediators, confounded j = 2.
  const k1 = pathsSens(3, 2, 1, orig, gamma, eta);
  assert.equal(k1.formula, "zero");
  assert.deepEqual(Array.from(k1.bias), [0, 0, 0, 0]);
  assert.equal(k1.nReversed, 0);
  const k2 = pathsSens(3, 2, 2, orig, gamma, eta); // bias = −γη, rows (γ fastest): (−1,.5) (2,.5) (−1,−.25) (2,−.25)
  assert.deepEqual(Array.from(k2.bias), [0.5, -1, -0.25, 0.5]);
  assert.deepEqual(
    Array.from(k2.adjusted).map((v) => +v.toFixed(12)),
    [-0.2, 1.3, 0.55, -0.2],
  );
  assert.deepEqual(Array.from(k2.reversed), [1, 0, 0, 1]);
  const direct = pathsSens(3, 2, 4, orig, gamma, eta); // bias = γ_K η_K
  assert.deepEqual(Array.from(direct.bias), [-0.5, 1, 0.25, -0.5]);
  const k3 = pathsSens(3, 2, 3, orig, gamma, eta); // γ_{k−1}η_{k−1} − γ_kη_k over the 4-way grid
  assert.equal(k3.bias.length, 16);
  // (γ_{k−1}, η_{k−1}, γ_k, η_k) = (2, 0.5, −1, −0.25) is index 1 + 2(0 + 2(0 + 2·1)) = 9: 1 − 0.25 = 0.75
  assert.equal(k3.bias[9], 0.75);
  assert.ok(Math.abs(k3.adjusted[9]! - -0.45) < 1e-12);
  assert.equal(k3.reversed[9], 1);
  // identical (γ, η) pairs cancel: index 0 is (−1, .5, −1, .5)
  assert.equal(k3.bias[0], 0);
  // R: seq(-s, s, length.out = 20) and sd() with divisor n − 1 (sd(1:4) = 1.290994…)
  const g = symmetricGrid(2);
  assert.equal(g.length, 20);
  assert.equal(g[0], -2);
  assert.equal(g[19], 2);
  assert.ok(Math.abs(g[1]! - (-2 + 4 / 19)) < 1e-15);
  assert.ok(Math.abs(sd(Float64Array.from([1, 2, 3, 4])) - 1.2909944487358056) < 1e-15);
});

test("keytech paths --type 2 --sens: Type II decomposition and sensitivity section in JSON; bad flags exit 2", () => {
  const d = simulate(25, 400);
  const dir = mkdtempSync(join(tmpdir(), "kt-paths2-"));
  const f = join(dir, "p.csv");
  const lines = ["unit,y,d,m1,m2,m3,x1,x2"];
  for (let i = 0; i < 400; i++) lines.push([`u${Math.floor(i / 4)}`, d.y[i], d.a[i], d.m[0]![i], d.m[1]![i], d.m[2]![i], d.x[0]![i], d.x[1]![i]].join(","));
  writeFileSync(f, lines.join("\n") + "\n");
  const base = [
    "paths",
    "--data",
    f,
    "--y",
    "y",
    "--treat",
    "d",
    "--mediators",
    "m1,m2,m3",
    "--x",
    "x1,x2",
    "--cluster",
    "unit",
    "--model",
    "linear",
    "--interact",
    "--boot",
    "20",
    "--seed",
    "2",
  ];
  const r = runCli([...base, "--type", "2", "--sens", "m2", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as {
    decomposition: { type: string };
    estimates: { term: string; estimate: number; conf_low: number }[];
    sensitivity: {
      j: number;
      gamma_values: number[];
      estimands: {
        term: string;
        formula: string;
        grid_points: number;
        rows?: { gamma: number; eta: number; bias: number; estimate: number; conf_low: number }[];
      }[];
    };
  };
  assert.equal(j.decomposition.type, "II");
  const s = j.sensitivity;
  assert.equal(s.j, 2);
  assert.equal(s.gamma_values.length, 20);
  assert.deepEqual(
    s.estimands.map((e) => [e.term, e.formula, e.grid_points]),
    [
      ["path:m1", "zero", 400],
      ["path:m2", "-g_k*e_k", 400],
      ["path:m3", "g_k-1*e_k-1 - g_k*e_k", 160000],
      ["direct", "g_K*e_K", 400],
    ],
  );
  const row = s.estimands[1]!.rows![27]!;
  const est = j.estimates.find((e) => e.term === "path:m2")!;
  assert.ok(Math.abs(row.bias - -row.gamma * row.eta) < 1e-12);
  assert.ok(Math.abs(row.estimate - (est.estimate - row.bias)) < 1e-12);
  assert.ok(Math.abs(row.conf_low - (est.conf_low - row.bias)) < 1e-12);
  assert.equal(s.estimands[2]!.rows, undefined);
  assert.equal(runCli([...base, "--type", "3"]).status, 2);
  assert.equal(runCli([...base, "--sens", "zz"]).status, 2);
  assert.equal(runCli(["paths", "--data", f, "--y", "y", "--treat", "d", "--mediators", "m1", "--interact"]).status, 2);
});
