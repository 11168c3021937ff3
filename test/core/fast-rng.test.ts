/**
 * FastRng: the same xoshiro128** stream as Rng (nextU32, uniform, int), and its ziggurat normal is
 * N(0, 1): Kolmogorov–Smirnov against Φ over the whole line and inside the tail beyond the base layer
 * (r = 3.654), the tail's frequency, and the first four moments.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { FastRng, Rng } from "../../src/core/rng.js";
import { pnorm } from "../../src/core/distributions.js";

test("FastRng: the same uniform stream as Rng for the same seed", () => {
  for (const seed of [1, 7, 2 ** 31 + 5, 123456789012]) {
    const a = new Rng(seed),
      b = new FastRng(seed);
    for (let i = 0; i < 20000; i++) {
      assert.equal(b.nextU32(), a.nextU32());
      assert.equal(b.uniform(), a.uniform());
      assert.equal(b.int(1 + (i % 97)), a.int(1 + (i % 97)));
    }
  }
  // from(rng): seeded by one draw of rng
  const r = new Rng(3),
    s = new Rng(3);
  assert.equal(FastRng.from(r).nextU32(), new FastRng(s.nextU32()).nextU32());
});

/** KS statistic √n·sup|F_n − F| of the sorted sample against the CDF F. */
function ks(z: Float64Array, F: (x: number) => number): number {
  z.sort();
  const n = z.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = F(z[i]!);
    d = Math.max(d, Math.abs(f - i / n), Math.abs((i + 1) / n - f));
  }
  return Math.sqrt(n) * d;
}

test("FastRng.normal (ziggurat) is N(0, 1): KS over the line and in the tail, tail frequency, moments", () => {
  const rng = new FastRng(2026);
  const N = 1_000_000;
  const z = new Float64Array(N);
  let m1 = 0,
    m2 = 0,
    m3 = 0,
    m4 = 0;
  for (let i = 0; i < N; i++) {
    const v = rng.normal();
    z[i] = v;
    m1 += v;
    m2 += v * v;
    m3 += v * v * v;
    m4 += v * v * v * v;
  }
  // KS 1 % critical value of √n·D is 1.63
  assert.ok(ks(Float64Array.from(z), pnorm) < 1.63, "KS over the line");
  assert.ok(Math.abs(m1 / N) < 4 * Math.sqrt(1 / N), `mean ${m1 / N}`);
  assert.ok(Math.abs(m2 / N - 1) < 4 * Math.sqrt(2 / N), `variance ${m2 / N}`);
  assert.ok(Math.abs(m3 / N) < 4 * Math.sqrt(15 / N), `skewness ${m3 / N}`);
  assert.ok(Math.abs(m4 / N - 3) < 4 * Math.sqrt(96 / N), `kurtosis ${m4 / N}`);
  // the tail beyond the base layer (|z| > r, Marsaglia's tail sampler): 20M draws
  const r = 3.6541528853610088;
  const tail: number[] = [];
  const M = 20_000_000;
  for (let i = 0; i < M; i++) {
    const v = rng.normal();
    if (v > r) tail.push(v);
    else if (v < -r) tail.push(-v);
  }
  const pt = 2 * pnorm(-r);
  assert.ok(Math.abs(tail.length - M * pt) < 4 * Math.sqrt(M * pt), `tail count ${tail.length}, expected ${M * pt}`);
  const Fr = pnorm(-r);
  assert.ok(ks(Float64Array.from(tail), (x) => 1 - pnorm(-x) / Fr) < 1.63, "KS in the tail");
});
