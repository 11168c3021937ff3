import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "../../../src/core/rng.js";
import { dddFit, dddRegressors } from "../../../src/estimators/ddd.js";
import { computeVcov, coefTable } from "../../../src/inference/vcov.js";
import { assertClose, runCli } from "../../helpers.js";

interface DddPanel {
  y: Float64Array;
  unit: Int32Array;
  nUnits: number;
  time: Float64Array;
  g: Float64Array;
  g2: Float64Array;
}

/** Digital pilots (cohorts 4, 6) with effect τd, non-digital pilots (3, 5) with τnd, others never. */
function simDdd(seed: number, nUnits: number, tauD: number, tauNd: number, noise: number): DddPanel {
  const r = new Rng(seed);
  const u: number[] = [],
    t: number[] = [],
    g: number[] = [],
    g2: number[] = [],
    y: number[] = [];
  const gam = Array.from({ length: 9 }, (_, k) => 0.2 * k + 0.3 * r.normal());
  for (let i = 0; i < nUnits; i++) {
    const kind = r.uniform();
    const gi = kind < 0.3 ? (r.uniform() < 0.5 ? 4 : 6) : 0;
    const g2i = kind >= 0.3 && kind < 0.6 ? (r.uniform() < 0.5 ? 3 : 5) : 0;
    const a = r.normal() + (gi > 0 ? 1 : 0) - (g2i > 0 ? 0.5 : 0);
    for (let s = 1; s <= 8; s++) {
      u.push(i);
      t.push(s);
      g.push(gi);
      g2.push(g2i);
      y.push(a + gam[s]! + (gi > 0 && s >= gi ? tauD : 0) + (g2i > 0 && s >= g2i ? tauNd : 0) + noise * r.normal());
    }
  }
  return { y: Float64Array.from(y), unit: Int32Array.from(u), nUnits, time: Float64Array.from(t), g: Float64Array.from(g), g2: Float64Array.from(g2) };
}

test("ddd: regressors D·Digital and D (a unit in both groups gets D at its first pilot date)", () => {
  const time = Float64Array.from([1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]);
  const g = Float64Array.from([3, 3, 3, 3, 0, 0, 0, 0, 4, 4, 4, 4, 0, 0, 0, 0]);
  const g2 = Float64Array.from([0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0]);
  const r = dddRegressors(time, g, g2);
  assert.deepEqual([...r.ddd], [0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
  assert.deepEqual([...r.treatPost], [0, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0]);
});

test("ddd: recovers the known net effect β = τd − τnd and γ = τnd", () => {
  const exact = simDdd(5, 200, 3, 1, 0);
  const inp = (p: DddPanel) => ({ y: p.y, unit: p.unit, nUnits: p.nUnits, time: p.time, cohort: p.g });
  const f0 = dddFit(inp(exact), exact.g2);
  assert.deepEqual(f0.coefNames, ["treat_post", "pilot_post"]);
  assertClose(f0.coef[0]!, 2, 1e-9, "β");
  assertClose(f0.coef[1]!, 1, 1e-9, "γ");
  const p = simDdd(6, 400, 3, 1, 1);
  const f = dddFit(inp(p), p.g2);
  const tab = coefTable(f, computeVcov(f, { type: "cluster", clusters: [{ name: "unit", codes: p.unit, nLevels: p.nUnits }] }));
  assert.ok(Math.abs(tab[0]!.estimate! - 2) < 4 * tab[0]!.std_error!, `β ${tab[0]!.estimate} (${tab[0]!.std_error})`);
  assert.ok(Math.abs(tab[1]!.estimate! - 1) < 4 * tab[1]!.std_error!, `γ ${tab[1]!.estimate} (${tab[1]!.std_error})`);
  assert.ok(tab[0]!.std_error! < 0.2);
});

test("did ddd CLI: β, γ and β + γ with cluster SEs; empty second group is an error", () => {
  const p = simDdd(7, 150, 2.5, 0.5, 1);
  const dir = mkdtempSync(join(tmpdir(), "keytech-ddd-"));
  try {
    const file = join(dir, "ddd.csv");
    const lines = ["county,year,y,digital_pilot,other_pilot"];
    for (let i = 0; i < p.y.length; i++)
      lines.push(`c${p.unit[i]},${2000 + p.time[i]!},${p.y[i]},${p.g[i] ? 2000 + p.g[i]! : ""},${p.g2[i] ? 2000 + p.g2[i]! : 0}`);
    writeFileSync(file, lines.join("\n") + "\n");
    const args = [
      "did",
      "ddd",
      "--data",
      file,
      "--y",
      "y",
      "--unit",
      "county",
      "--time",
      "year",
      "--cohort",
      "digital_pilot",
      "--group2",
      "other_pilot",
      "--json",
    ];
    const r = runCli(args);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(
      j.estimates.map((e: { term: string }) => e.term),
      ["treat_post", "pilot_post", "digital_total"],
    );
    const f = dddFit({ y: p.y, unit: p.unit, nUnits: p.nUnits, time: p.time, cohort: p.g }, p.g2);
    assertClose(j.estimates[0].estimate, f.coef[0]!, 1e-9, "β");
    assertClose(j.estimates[2].estimate, f.coef[0]! + f.coef[1]!, 1e-9, "β + γ");
    assert.equal(j.vcov.clusters.county, 150);
    const none = runCli([...args.slice(0, -3), "--group2", "digital_pilot"].map((a) => (a === "other_pilot" ? "digital_pilot" : a)));
    assert.equal(none.status, 1);
    writeFileSync(file, lines.map((l, k) => (k === 0 ? l : l.replace(/,[^,]*$/, ",0"))).join("\n") + "\n");
    const empty = runCli(args);
    assert.equal(empty.status, 1);
    assert.match(empty.stderr, /second treated group is empty/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
