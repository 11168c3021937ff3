/**
 * The WebAssembly Frank–Wolfe kernel gives the same bits as the TypeScript solver on every path:
 * Gram via residual terms (R > C), explicit x updates (C ≤ 64), lazily scaled x (C > 64), Gram
 * columns from a provider, from a caller's Gram matrix, from the kernel's own kept matrix, the
 * scratch column once the cache is full, and whole synthetic-DID fits with placebo SEs.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../../src/core/rng.js";
import { type ColMajor, type FwOptions, frankWolfe, frankWolfeSparsified, gramMatrix } from "../../../src/estimators/sdid/frank-wolfe.js";
import { fwKernel, setFrankWolfeKernel } from "../../../src/estimators/sdid/frank-wolfe-kernel.js";
import { sdid } from "../../../src/estimators/sdid/sdid.js";
import { sdidSeParallel } from "../../../src/inference/sdid-variance.js";
import { blockPanel, widePanel } from "../../../src/estimators/sdid/sdid-panel.js";
import { fixture } from "../../helpers.js";
import { num, readCsv } from "./csv.js";

function loadProp99() {
  const d = readCsv(fixture("data", "california_prop99.csv"));
  return blockPanel(widePanel({ unit: d.State!, time: num(d.Year!), y: num(d.PacksPerCapita!), treat: num(d.treated!) })).panel;
}

function both<T>(run: () => T): { wasm: T; js: T } {
  try {
    setFrankWolfeKernel("wasm");
    const wasm = run();
    setFrankWolfeKernel("js");
    const js = run();
    return { wasm, js };
  } finally {
    setFrankWolfeKernel(null);
  }
}

const bits = (x: Float64Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);

function sameBits(a: Float64Array, b: Float64Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  if (Buffer.compare(bits(a), bits(b)) !== 0) {
    let k = 0;
    while (Object.is(a[k], b[k])) k++;
    assert.fail(`${what}: first difference at ${k}: ${a[k]} vs ${b[k]}`);
  }
}

function problem(R: number, C: number, seed: number, zeroShare = 0): { A: ColMajor; b: Float64Array; x0: Float64Array } {
  const rng = new Rng(seed);
  const A: ColMajor = { rows: R, cols: C, data: Float64Array.from({ length: R * C }, () => (rng.uniform() < zeroShare ? 0 : rng.normal())) };
  const b = Float64Array.from({ length: R }, () => 0.5 * rng.normal());
  // a start with zeros in it, so that the support list starts partial
  const x0 = Float64Array.from({ length: C }, (_, j) => (j % 3 === 1 ? 0 : 1));
  const s = x0.reduce((u, v) => u + v, 0);
  for (let j = 0; j < C; j++) x0[j] = x0[j]! / s;
  return { A, b, x0 };
}

test("the kernel is built and loads (npm run build compiles it)", () => {
  assert.ok(fwKernel() !== null, "dist/src/estimators/sdid/kernels/frank-wolfe.wasm is missing or does not load");
});

for (const [R, C] of [
  [40, 8],
  [12, 30],
  [20, 20],
  [10, 150],
  [20, 1001],
  [7, 3],
] as const) {
  test(`kernel = TypeScript solver bit for bit (R=${R}, C=${C})`, () => {
    for (const seed of [1, 2]) {
      const { A, b, x0 } = problem(R, C, seed, seed === 2 ? 0.2 : 0);
      for (const zeta of [0.3, 1e-6]) {
        for (const maxIter of [1, 3, 500]) {
          const o: FwOptions = { zeta, minDecrease: 1e-7, maxIter };
          const r = both(() => frankWolfe(A, b, x0, o));
          assert.equal(r.wasm.iterations, r.js.iterations, "iterations");
          assert.ok(Object.is(r.wasm.value, r.js.value), `objective ${r.wasm.value} vs ${r.js.value}`);
          sameBits(r.wasm.x, r.js.x, `x (seed ${seed}, zeta ${zeta}, maxIter ${maxIter})`);
        }
      }
    }
  });
}

test("kernel = TypeScript when columns repeat (bootstrap draws duplicate units: exact ties in the gradient)", () => {
  for (const [R, U] of [
    [10, 80],
    [10, 81],
    [12, 9],
    [50, 10],
  ] as const) {
    const { A: base, b } = problem(R, U, 21);
    // columns u, U + u and 2U + u are equal: every gradient value appears three times (with U odd,
    // in both vector lanes)
    const C = 3 * U;
    const A: ColMajor = { rows: R, cols: C, data: new Float64Array(R * C) };
    for (let k = 0; k < 3; k++) A.data.set(base.data, k * R * U);
    const x0 = new Float64Array(C).fill(1 / C);
    const r = both(() => frankWolfe(A, b, x0, { zeta: 0.05, minDecrease: 1e-9, maxIter: 400 }));
    assert.equal(r.wasm.iterations, r.js.iterations);
    sameBits(r.wasm.x, r.js.x, `x (R=${R}, C=${C})`);
  }
});

test("kernel = TypeScript: Gram columns from a provider, from a caller's matrix, and the sparsified two rounds", () => {
  const { A, b, x0 } = problem(15, 301, 5);
  const G = (() => {
    setFrankWolfeKernel("js");
    try {
      return gramMatrix(A);
    } finally {
      setFrankWolfeKernel(null);
    }
  })();
  const C = A.cols;
  const provider = (j: number, out: Float64Array) => {
    for (let k = 0; k < C; k++) out[k] = G[j * C + k]!;
  };
  const base = { zeta: 0.2, minDecrease: 1e-8, maxIter: 2000 };
  for (const o of [
    { ...base, gramColumn: provider },
    { ...base, gram: G },
  ]) {
    const r = both(() => frankWolfe(A, b, x0, o));
    assert.equal(r.wasm.iterations, r.js.iterations);
    sameBits(r.wasm.x, r.js.x, "x");
  }
  const s = both(() => frankWolfeSparsified(A, b, null, { ...base, maxIterPreSparsify: 100, sparsify: true }));
  assert.deepEqual([s.wasm.iterationsPre, s.wasm.iterations], [s.js.iterationsPre, s.js.iterations]);
  sameBits(s.wasm.x, s.js.x, "sparsified x");
});

test("kernel Gram matrix = TypeScript gramMatrix bit for bit (odd and even sizes)", () => {
  for (const [R, C] of [
    [20, 1000],
    [7, 333],
    [3, 1],
    [5, 2],
  ] as const) {
    const { A } = problem(R, C, R + C);
    const g = both(() => gramMatrix(A));
    sameBits(g.wasm, g.js, `G (${R}×${C})`);
  }
});

test("kernel = TypeScript once the Gram-column cache is full (later columns go through scratch)", () => {
  for (const [R, C] of [
    [40, 12],
    [6, 200],
  ] as const) {
    const { A, b } = problem(R, C, 11);
    const x0 = new Float64Array(C);
    x0[0] = 1;
    for (const cacheColumns of [1, 3]) {
      const r = both(() => frankWolfe(A, b, x0, { zeta: 1e-3, minDecrease: 0, maxIter: 300, cacheColumns }));
      let visited = 0;
      for (const v of r.js.x) if (v > 0) visited++;
      assert.ok(visited > cacheColumns + 1, `the solve visits ${visited} vertices, more than the ${cacheColumns} cached`);
      assert.equal(r.wasm.iterations, r.js.iterations);
      sameBits(r.wasm.x, r.js.x, `x (R=${R}, C=${C}, cache ${cacheColumns})`);
    }
  }
});

test("synthetic DID on Prop 99 and its placebo SE: kernel = TypeScript bit for bit", async () => {
  const p = loadProp99();
  for (const method of ["sdid", "sc"] as const) {
    const r = both(() => sdid(p, { method }));
    assert.ok(Object.is(r.wasm.estimate, r.js.estimate), `${method}: ${r.wasm.estimate} vs ${r.js.estimate}`);
    sameBits(r.wasm.omega, r.js.omega, `${method} ω`);
    sameBits(r.wasm.lambda, r.js.lambda, `${method} λ`);
  }
  const fit = sdid(p);
  const se: number[] = [];
  for (const kind of ["wasm", "js"] as const) {
    setFrankWolfeKernel(kind);
    try {
      se.push((await sdidSeParallel("placebo", p, fit, new Rng(3), { replications: 20, workers: 1 })).se);
    } finally {
      setFrankWolfeKernel(null);
    }
  }
  assert.ok(Object.is(se[0], se[1]), `placebo SE ${se[0]} vs ${se[1]}`);
});
