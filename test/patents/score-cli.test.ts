/** `patents score --preset paper|kpst`: preset values, explicit flags override them, coverage on stderr and in --json. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers.js";

const rows = [
  ["p1", 2000, "G06F 17/30;G06F 3/01;H04L 29/06"],
  ["p2", 2000, "H04L 29/06;H04W 4/00"],
  ["p3", 2000, "G06N 3/08"],
  ["p4", 2001, "G06F 3/01;G06N 3/08"],
  ["p5", 2001, "H04L 9/32"],
  ["p6", 2002, "G06N 3/04;G06N 3/08;G06F 17/30"],
  ["p7", 2002, "H04W 4/00;H04L 29/06"],
  ["p8", 2003, "G06N 3/08;G06V 10/00"],
  ["p9", 2003, "G06F 17/30;H04L 29/06;G06N 3/08"],
  ["p10", 2004, "G06V 10/00;G06N 3/04"],
];

test("patents score --preset paper = the paper's options at subclass level; flags override; coverage reported", () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-preset-"));
  try {
    const input = join(dir, "toy.csv");
    writeFileSync(input, "id,year,ipc\n" + rows.map((r) => r.join(",")).join("\n") + "\n");
    const out = join(dir, "s.csv");
    const a = runCli(["patents", "score", "--patents", input, "--out", out, "--preset", "paper", "--backward", "2", "--forward", "2", "--json"]);
    assert.equal(a.status, 0, a.stderr);
    const doc = JSON.parse(a.stdout);
    const o = doc.provenance.options;
    assert.deepEqual(
      {
        preset: o.preset,
        level: o.level,
        backward: o.backward,
        forward: o.forward,
        idf: o.idf,
        pairYear: o.pairYear,
        sameYear: o.sameYear,
        censoring: o.censoring,
        breakthrough: o.breakthrough,
        quantile: o.quantile,
        tieCeiling: o.tieCeiling,
      },
      {
        preset: "paper",
        level: "subclass",
        backward: 2,
        forward: [2],
        idf: "seed",
        pairYear: "min",
        sameYear: "exclude",
        censoring: "truncate",
        breakthrough: "year",
        quantile: 0.9,
        tieCeiling: 0.02,
      },
    );
    // Subclass level + seed IDF + windows 2/2 = the METHODS §1.5(b) toy: p6 BS 2.282899, FS 2.648418; p10 empty.
    const lines = readFileSync(out, "utf8").trim().split("\n");
    const p6 = lines[6]!.split(",");
    assert.ok(Math.abs(Number(p6[3]) - 2.282899) < 6e-7 && Math.abs(Number(p6[4]) - 2.648418) < 6e-7);
    const p10 = lines[10]!.split(",");
    assert.deepEqual([p10[0], p10[1], p10[4], p10[5], p10[6], p10[7]], ["p10", "2004", "", "", "", "1"]);
    assert.ok(Math.abs(Number(p10[3]) - 2.02523) < 6e-7);
    const cov = doc.summary.coverage;
    assert.deepEqual(
      [cov.fullyCensored, cov.fullyCensoredYears, cov.partlyCensored, cov.partlyCensoredYears, cov.backwardIncomplete, cov.backwardIncompleteYears],
      [1, [2004], 2, [2003], 5, [2000, 2001]],
    );
    assert.match(
      a.stderr,
      /coverage: fully censored .*: 1 patents \(2004\); partly censored: 2 patents \(2003\); without a full 2-year backward window: 5 patents \(2000, 2001\)/,
    );
    // Explicit flags override the preset; the kpst preset keeps the CLI defaults (group level, KPST BIDF).
    const b = runCli(["patents", "score", "--patents", input, "--out", out, "--preset", "paper", "--idf", "kpst", "--level", "group", "--json"]);
    assert.equal(b.status, 0, b.stderr);
    const ob = JSON.parse(b.stdout).provenance.options;
    assert.deepEqual([ob.idf, ob.level, ob.backward, ob.forward], ["kpst", "group", 5, [1, 5, 10]]);
    const c = runCli(["patents", "score", "--patents", input, "--out", out, "--json"]);
    const oc = JSON.parse(c.stdout).provenance.options;
    assert.deepEqual([oc.preset, oc.idf, oc.level, oc.tieCeiling], ["kpst", "kpst", "group", 0.02]);
    const d = runCli(["patents", "score", "--patents", input, "--out", out, "--preset", "paper", "--tie-ceiling", "0", "--json"]);
    assert.equal(d.status, 0, d.stderr);
    assert.equal(JSON.parse(d.stdout).provenance.options.tieCeiling, 0);
    for (const v of ["1", "-0.1", "x", ""]) {
      const e = runCli(["patents", "score", "--patents", input, "--out", out, "--tie-ceiling", v]);
      assert.equal(e.status, 2, v);
      assert.match(e.stderr, /--tie-ceiling must be in \[0, 1\)/);
    }
    const bad = runCli(["patents", "score", "--patents", input, "--out", out, "--preset", "seed"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--preset must be one of paper, kpst/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
