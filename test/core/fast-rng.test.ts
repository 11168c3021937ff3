/** FastRng: the same numbers as Rng (nextU32, uniform, int, normal), and take/handBack. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { FastRng, Rng } from "../../src/core/rng.js";

test("FastRng: the same numbers as Rng for the same seed (nextU32, uniform, int, polar normal); take/handBack continue the stream", () => {
  for (const seed of [1, 7, 2 ** 31 + 5, 123456789012]) {
    const a = new Rng(seed),
      b = new FastRng(seed);
    for (let i = 0; i < 20000; i++) {
      assert.equal(b.nextU32(), a.nextU32());
      assert.equal(b.uniform(), a.uniform());
      assert.equal(b.int(1 + (i % 97)), a.int(1 + (i % 97)));
      assert.equal(b.normal(), a.normal());
    }
  }
  // take an Rng mid-stream (with a cached polar normal), draw, hand back: the Rng continues as if it had drawn itself
  const r = new Rng(3),
    s = new Rng(3);
  r.normal();
  s.normal();
  const f = FastRng.take(r);
  for (let i = 0; i < 1001; i++) assert.equal(f.normal(), s.normal());
  assert.equal(f.uniform(), s.uniform());
  f.handBack(r);
  for (let i = 0; i < 11; i++) assert.equal(r.normal(), s.normal());
  assert.equal(r.nextU32(), s.nextU32());
});
