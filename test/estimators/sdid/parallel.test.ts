/** Synthetic DID resampling SEs spread over worker threads give the same draws as one thread. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../../src/core/rng.js";
import { sdid } from "../../../src/estimators/sdid/sdid.js";
import { sdidStaggered, type StaggeredPanel } from "../../../src/estimators/sdid/sdid-staggered.js";
import { sdidBootstrapSe, sdidPlaceboSe, sdidSeParallel, sdidStaggeredSe, sdidStaggeredSeParallel } from "../../../src/inference/sdid-variance.js";

function panel(N: number, T: number, N1: number, T0: number, seed: number) {
  const rng = new Rng(seed);
  const f = Array.from({ length: T }, () => rng.normal());
  const Y = new Float64Array(N * T);
  for (let i = 0; i < N; i++) {
    const a = 3 * rng.normal();
    const g = rng.normal();
    for (let t = 0; t < T; t++) Y[i * T + t] = a + 0.2 * t + g * f[t]! + (i >= N - N1 && t >= T0 ? 1 : 0) + 0.5 * rng.normal();
  }
  return { Y, N, T, N0: N - N1, T0 };
}

const same = (a: Float64Array, b: Float64Array) =>
  assert.deepEqual(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength));

test("block placebo and bootstrap: workers = 1, 2, 3 give bit-identical draws; the sync API gives the same", async () => {
  const p = panel(120, 16, 4, 10, 3);
  const fit = sdid(p);
  for (const method of ["placebo", "bootstrap"] as const) {
    const one = await sdidSeParallel(method, p, fit, new Rng(9), { replications: 24, workers: 1 });
    const two = await sdidSeParallel(method, p, fit, new Rng(9), { replications: 24, workers: 2 });
    const three = await sdidSeParallel(method, p, fit, new Rng(9), { replications: 24, workers: 3 });
    const sync = method === "placebo" ? sdidPlaceboSe(p, fit, new Rng(9), { replications: 24 }) : sdidBootstrapSe(p, fit, new Rng(9), { replications: 24 });
    same(one.draws, two.draws);
    same(one.draws, three.draws);
    same(one.draws, sync.draws);
    assert.equal(one.se, two.se);
    // replication b depends only on rng.fork(b): the first 10 of 24 draws are the 10 draws of a shorter run
    const ten = await sdidSeParallel(method, p, fit, new Rng(9), { replications: 10, workers: 2 });
    same(ten.draws, one.draws.subarray(0, 10));
    const other = await sdidSeParallel(method, p, fit, new Rng(10), { replications: 24, workers: 2 });
    assert.notDeepEqual(Array.from(other.draws), Array.from(one.draws));
  }
});

test("staggered placebo and bootstrap: workers = 1 vs 2 bit-identical; progress reaches reps", async () => {
  const rng = new Rng(4);
  const N = 70;
  const T = 14;
  const adoption = new Int32Array(N).fill(-1);
  for (let i = 0; i < 5; i++) adoption[N - 1 - i] = 8;
  for (let i = 5; i < 9; i++) adoption[N - 1 - i] = 10;
  const Y = Float64Array.from(
    { length: N * T },
    (_, k) => 0.1 * (k % T) + rng.normal() + (adoption[Math.floor(k / T)]! >= 0 && k % T >= adoption[Math.floor(k / T)]! ? 2 : 0),
  );
  const p: StaggeredPanel = { Y, N, T, adoption };
  const fit = sdidStaggered(p);
  for (const method of ["placebo", "bootstrap"] as const) {
    let seen = 0;
    const one = await sdidStaggeredSeParallel(method, p, fit, {}, new Rng(2), { replications: 12, workers: 1 });
    const two = await sdidStaggeredSeParallel(method, p, fit, {}, new Rng(2), {
      replications: 12,
      workers: 2,
      onProgress: (d) => {
        seen = Math.max(seen, d);
      },
    });
    const sync = sdidStaggeredSe(method, p, fit, {}, new Rng(2), { replications: 12 });
    same(one.draws, two.draws);
    same(one.draws, sync.draws);
    assert.ok(seen >= 1 && seen <= 12);
  }
});

test("a failing replication in a worker is reported, not hung on", async () => {
  const p = panel(30, 8, 2, 5, 1);
  const fit = sdid(p);
  // adoption in period index 1 leaves one pre period: every replication throws (no cohort with 2 pre-periods)
  const adoption = new Int32Array(p.N).fill(-1);
  adoption[p.N - 1] = 1;
  adoption[p.N - 2] = 1;
  const bad: StaggeredPanel = { Y: p.Y, N: p.N, T: p.T, adoption };
  await assert.rejects(
    sdidStaggeredSeParallel("placebo", bad, { att: 0, cohorts: [], skipped: [] }, {}, new Rng(1), { replications: 6, workers: 2 }),
    /pre-period first differences|the 2 pre-periods synthetic DID needs/,
  );
  assert.ok(Number.isFinite(fit.estimate));
});
