import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "../../src/core/rng.js";
import { resultToJson } from "../../src/core/result.js";
import { twfeAnalysis } from "../../src/analyses/twfe.js";
import { feolsAnalysis } from "../../src/analyses/feols.js";

const dir = mkdtempSync(join(tmpdir(), "keytech-boot-"));
const path = join(dir, "p.csv");
{
  const rng = new Rng(11);
  const lines = ["u,t,g,x,y"];
  for (let u = 1; u <= 12; u++) {
    const g = u <= 4 ? 0 : u <= 8 ? 2004 : 2006;
    const a = rng.normal();
    for (let t = 2001; t <= 2008; t++) {
      const x = rng.normal();
      const d = g > 0 && t >= g ? 1 : 0;
      lines.push([u, t, g, x.toFixed(6), (a + 0.1 * (t - 2000) + 0.5 * x + 0.3 * d + rng.normal()).toFixed(6)].join(","));
    }
  }
  writeFileSync(path, lines.join("\n") + "\n");
}
const cols = { data: path, y: "y", unit: "u", time: "t", cohort: "g", x: ["x"] };

test("did twfe --bootstrap wild: Rademacher with 2^G ≤ reps enumerates every sign vector; seed recorded", async () => {
  const r = await twfeAnalysis({ ...cols, bootstrap: { reps: 9999, seed: 5, weights: "rademacher" } });
  const b = r.bootstrap as { enumerated: boolean; reps: number; p_value: number; conf_low: number; conf_high: number; term: string; clusters: number };
  assert.equal(b.term, "treat_post");
  assert.equal(b.enumerated, true);
  assert.equal(b.reps, 4096);
  assert.equal(b.clusters, 12);
  assert.ok(b.p_value > 0 && b.p_value <= 1);
  const est = r.estimates.find((e) => e.term === "treat_post")!.estimate!;
  assert.ok(b.conf_low < est && est < b.conf_high);
  assert.equal(r.provenance.seed, 5);
  // enumeration does not depend on the seed
  const r2 = await twfeAnalysis({ ...cols, bootstrap: { reps: 9999, seed: 6, weights: "rademacher" } });
  assert.equal((r2.bootstrap as { p_value: number }).p_value, b.p_value);
});

test("feols --bootstrap wild with Webb weights: same seed, byte-identical JSON", async () => {
  const o = { data: path, formula: "y ~ x | u + t", cluster: ["u"], bootstrap: { reps: 199, seed: 42, weights: "webb" as const, term: "x" } };
  const a = resultToJson(await feolsAnalysis(o));
  const b = resultToJson(await feolsAnalysis(o));
  assert.equal(a, b);
  assert.match(a, /"weights": "webb"/);
  await assert.rejects(feolsAnalysis({ ...o, cluster: undefined, vcov: "iid" }), /--bootstrap wild needs clustered errors/);
});
