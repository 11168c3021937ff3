/** Fisher permutation test (bdiff semantics): exact distribution by enumeration, unit blocks, CLI. */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { assertClose, runCli } from "../../helpers.js";
import { simulatePilotPanel } from "./sim.js";
import { Rng } from "../../../src/core/rng.js";
import { permutationTest } from "../../../src/inference/permutation.js";
import { tableFromArrays } from "../../../src/data/index.js";
import { permuteAnalysis } from "../../../src/analyses/permute.js";

const y = [3.1, 0.4, 2.2, 5.0, 1.7, 0.9, 4.4, 2.8];
const mean = (rows: Int32Array) => rows.reduce((s, r) => s + y[r]!, 0) / rows.length;

/** All C(8,4) splits: exact q = P(d ≥ d0) under a uniform shuffle. */
function exactQ(d0: number): number {
  let hit = 0,
    tot = 0;
  for (let m = 0; m < 256; m++) {
    const g0 = [...Array(8).keys()].filter((i) => m & (1 << i));
    if (g0.length !== 4) continue;
    const g1 = [...Array(8).keys()].filter((i) => !(m & (1 << i)));
    tot++;
    if (mean(Int32Array.from(g0)) - mean(Int32Array.from(g1)) >= d0 - 1e-12) hit++;
  }
  return hit / tot;
}

test("obs-level permutation: q matches the exact enumeration of all 70 splits; bdiff p = min(q, 1−q), two-sided 2·min", () => {
  const units = y.map((_, i) => Int32Array.of(i));
  for (const grp of [
    [0, 0, 0, 0, 1, 1, 1, 1],
    [0, 1, 0, 1, 1, 0, 1, 0],
    [1, 1, 0, 0, 0, 1, 1, 0],
  ]) {
    const R = 20000;
    const r = permutationTest({ units, group: Uint8Array.from(grp), estimate: mean, replications: R }, new Rng(3));
    const g0 = grp.map((g, i) => (g === 0 ? i : -1)).filter((i) => i >= 0);
    const g1 = grp.map((g, i) => (g === 1 ? i : -1)).filter((i) => i >= 0);
    assertClose(r.d0, mean(Int32Array.from(g0)) - mean(Int32Array.from(g1)), 1e-14);
    const q = exactQ(r.d0);
    assert.ok(Math.abs(r.q - q) <= 4 * Math.sqrt((q * (1 - q)) / R) + 1e-9, `q ${r.q} vs exact ${q}`);
    assert.equal(r.freq, Math.round(r.q * R));
    assert.equal(r.pBdiff, r.q <= 0.5 ? r.q : 1 - r.q);
    assertClose(r.pTwoSided, Math.min(1, 2 * Math.min(r.q, 1 - r.q)), 1e-15);
  }
});

test("unit-level permutation keeps each unit's rows together and group sizes in units", () => {
  const units = [Int32Array.of(0, 1), Int32Array.of(2, 3, 4), Int32Array.of(5), Int32Array.of(6, 7)];
  const group = Uint8Array.of(0, 1, 0, 1);
  const blocks = units.map((u) => Array.from(u).join(","));
  let calls = 0;
  const r = permutationTest(
    {
      units,
      group,
      replications: 200,
      estimate: (rows) => {
        calls++;
        const s = Array.from(rows);
        // rows must be a union of whole units
        const covered = units.filter((u) => s.includes(u[0]!));
        assert.equal(
          covered.reduce((n, u) => n + u.length, 0),
          s.length,
        );
        for (const u of covered) for (const x of u) assert.ok(s.includes(x), blocks.join("|"));
        return mean(rows);
      },
    },
    new Rng(1),
  );
  assert.equal(calls, 2 + 400);
  assert.equal(r.n0Units, 2);
  assert.equal(r.n1Units, 2);
});

test("same seed → identical draws; different seed → different draws", () => {
  const units = y.map((_, i) => Int32Array.of(i));
  const g = Uint8Array.of(0, 0, 0, 0, 1, 1, 1, 1);
  const a = permutationTest({ units, group: g, estimate: mean, replications: 50 }, new Rng(9));
  const b = permutationTest({ units, group: g, estimate: mean, replications: 50 }, new Rng(9));
  const c = permutationTest({ units, group: g, estimate: mean, replications: 50 }, new Rng(10));
  assert.deepEqual(a.draws, b.draws);
  assert.notDeepEqual(a.draws, c.draws);
});

function panelTable(seed: number) {
  const p = simulatePilotPanel(seed, {
    N: 80,
    T: 8,
    cohorts: [
      [4, 10],
      [5, 10],
    ],
    tau: 0,
    controls: 0,
  });
  const cohort: number[] = [],
    unit: number[] = [],
    time: number[] = [],
    yy: number[] = [],
    grp: number[] = [];
  for (let r = 0; r < p.y.length; r++) {
    const u = p.unit[r]!;
    const g = u % 2;
    const c = p.cohort[u]!;
    unit.push(u);
    time.push(2010 + p.time[r]!);
    grp.push(g);
    cohort.push(c >= 0 ? 2010 + c : 0);
    // group 0 has an effect of 2, group 1 none
    yy.push(p.y[r]! + (c >= 0 && p.time[r]! >= c && g === 0 ? 2 : 0));
  }
  return { unit, time, y: yy, cohort, grp };
}

test("TWFE split-sample difference: d0 ≈ 2 (true difference), small p at unit level; obs level runs", () => {
  const d = panelTable(2);
  const t = tableFromArrays("sim.csv", d);
  const r = permuteAnalysis(t, { y: "y", unit: "unit", time: "time", cohort: "cohort", group: "grp", reps: 200, seed: 1, level: "unit" });
  const diff = r.estimates[0]!;
  assert.ok(Math.abs(diff.estimate! - 2) < 1, `d0 ${diff.estimate}`);
  const pm = r.permutation as { p_two_sided: number; valid: number };
  assert.ok(pm.p_two_sided < 0.05, `p ${pm.p_two_sided}`);
  const o = permuteAnalysis(t, { y: "y", unit: "unit", time: "time", cohort: "cohort", group: "grp", reps: 30, seed: 1, level: "obs" });
  assertClose(o.estimates[0]!.estimate!, diff.estimate!, 1e-12);
});

test("did permute CLI: byte-identical JSON for the same seed; exit 2 without --cohort/--treat", () => {
  const d = panelTable(4);
  const dir = mkdtempSync(join(tmpdir(), "kt-perm-"));
  const f = join(dir, "p.csv");
  writeFileSync(f, "unit,time,y,cohort,grp\n" + d.y.map((_, r) => `${d.unit[r]},${d.time[r]},${d.y[r]},${d.cohort[r]},${d.grp[r]}`).join("\n") + "\n");
  const args = [
    "did",
    "permute",
    "--data",
    f,
    "--y",
    "y",
    "--unit",
    "unit",
    "--time",
    "time",
    "--cohort",
    "cohort",
    "--group",
    "grp",
    "--reps",
    "40",
    "--json",
  ];
  const a = runCli(args);
  const b = runCli(args);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  const j = JSON.parse(a.stdout);
  assert.equal(j.command, "did permute");
  assert.equal(j.permutation.draws.length, 40);
  assert.equal(runCli(args.filter((x, i) => x !== "--cohort" && args[i - 1] !== "--cohort")).status, 2);
  const pl = runCli(["did", "placebo", "--data", f, "--y", "y", "--unit", "unit", "--time", "time", "--cohort", "cohort", "--reps", "100", "--json"]);
  assert.equal(pl.status, 0, pl.stderr);
  const pj = JSON.parse(pl.stdout);
  assert.equal(pj.placebo.draws.length, 100);
  assert.equal(
    pj.placebo.histogram.counts.reduce((s: number, c: number) => s + c, 0),
    100,
  );
  assert.equal(pj.placebo.draws_t.length, 100);
  assert.ok(pj.estimates[0].p_value_studentized >= 0 && pj.estimates[0].p_value_studentized <= 1);
  assert.equal(pj.estimates[0].p_value_studentized, pj.placebo.p_value_studentized);
  assert.ok(pj.estimates[0].std_error_cluster > 0);
  const human = runCli(["did", "placebo", "--data", f, "--y", "y", "--unit", "unit", "--time", "time", "--cohort", "cohort", "--reps", "20"]);
  assert.match(human.stdout, /studentised \(\|t_r\| ≥ \|t\|\) 0\.\d{4}/);
  // shared flag parsing: bad --reps / --seed are usage errors (exit 2) in both commands
  assert.equal(runCli([...args.slice(0, -3), "--reps", "1"]).status, 2);
  assert.equal(runCli(["did", "placebo", "--data", f, "--y", "y", "--unit", "unit", "--time", "time", "--cohort", "cohort", "--seed", "-1"]).status, 2);
});
