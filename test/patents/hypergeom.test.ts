/** Hypergeometric tails (exact), multiple-testing corrections, and validated co-specialisation links. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { hypergeomLower, hypergeomPmf, hypergeomUpper, logFactorial, significant } from "../../src/patents/hypergeom.js";
import { cospecialisation } from "../../src/patents/cospecialisation.js";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assertClose, fixture, runCli } from "../helpers.js";

/** Overlap counts of every b-subset of {0..F−1} with the fixed set {0..a−1}, by enumeration (bitmasks). */
function bruteOverlaps(F: number, a: number, b: number): number[] {
  const counts = new Array<number>(Math.min(a, b) + 1).fill(0);
  for (let mask = 0; mask < 1 << F; mask++) {
    let bits = 0;
    let ov = 0;
    for (let i = 0; i < F; i++)
      if (mask & (1 << i)) {
        bits++;
        if (i < a) ov++;
      }
    if (bits === b) counts[ov]!++;
  }
  return counts;
}

test("hypergeometric pmf and both tails equal brute-force enumeration of all subsets (F ≤ 12)", () => {
  let checked = 0;
  for (let F = 1; F <= 12; F++)
    for (let a = 0; a <= F; a++)
      for (let b = 0; b <= F; b++) {
        const counts = bruteOverlaps(F, a, b);
        const total = counts.reduce((x, y) => x + y, 0);
        for (let x = -1; x <= Math.min(a, b) + 1; x++) {
          let up = 0;
          let lo = 0;
          for (let k = 0; k < counts.length; k++) {
            if (k >= x) up += counts[k]!;
            if (k <= x) lo += counts[k]!;
          }
          const pmf = x >= 0 && x < counts.length ? counts[x]! / total : 0;
          assert.ok(Math.abs(hypergeomPmf(F, a, b, x) - pmf) <= 1e-14, `pmf F=${F} a=${a} b=${b} x=${x}`);
          assert.ok(Math.abs(hypergeomUpper(F, a, b, x) - up / total) <= 1e-14, `upper F=${F} a=${a} b=${b} x=${x}`);
          assert.ok(Math.abs(hypergeomLower(F, a, b, x) - lo / total) <= 1e-14, `lower F=${F} a=${a} b=${b} x=${x}`);
          checked++;
        }
      }
  assert.ok(checked > 2000);
});

test("hypergeometric tails: exact rational values", () => {
  // F=10, a=4, b=5: P(X ≥ 3) = (C(4,3)C(6,2) + C(4,4)C(6,1)) / C(10,5) = 66/252.
  assertClose(hypergeomUpper(10, 4, 5, 3), 66 / 252, 1e-14);
  // P(X ≤ 1) = (C(6,5) + C(4,1)C(6,4)) / 252 = 66/252 (symmetry of this case).
  assertClose(hypergeomLower(10, 4, 5, 1), 66 / 252, 1e-14);
  // F=52 cards, 4 aces, 5 drawn: P(at least one ace) = 1 − C(48,5)/C(52,5) = 1 − 1712304/2598960.
  assertClose(hypergeomUpper(52, 4, 5, 1), 1 - 1712304 / 2598960, 1e-14);
  // F=100, a=b=50: P(X = 25) = C(50,25)² / C(100,50) = 126410606437752² / 100891344545564193334812497256.
  assertClose(hypergeomPmf(100, 50, 50, 25), 0.15838466116133043, 1e-12); // exact ratio evaluated in rational arithmetic
  // Far tail, F=400, a=b=40, x=30 (underflow-free, log-factorial start): summed with the recurrence.
  const far = hypergeomUpper(400, 40, 40, 30);
  let ref = 0;
  for (let x = 30; x <= 40; x++)
    ref += Math.exp(
      logFactorial(40) -
        logFactorial(x) -
        logFactorial(40 - x) +
        logFactorial(360) -
        logFactorial(40 - x) -
        logFactorial(320 + x) -
        (logFactorial(400) - logFactorial(40) - logFactorial(360)),
    );
  assertClose(far, ref, 1e-11);
  assert.ok(far > 0 && far < 1e-25);
  assert.throws(() => hypergeomUpper(5, 6, 1, 0), /a, b ≤ F/);
});

test("Bonferroni and Benjamini–Hochberg select the textbook sets", () => {
  const p = [0.01, 0.04, 0.03, 0.005, 0.2];
  assert.deepEqual(Array.from(significant(p, 0.05, "bonferroni")), [1, 0, 0, 1, 0]); // ≤ 0.01
  // BH: sorted 0.005, 0.01, 0.03, 0.04, 0.2 vs 0.01, 0.02, 0.03, 0.04, 0.05 → largest i with p ≤ iα/m is 4.
  assert.deepEqual(Array.from(significant(p, 0.05, "bh")), [1, 1, 1, 1, 0]);
  assert.deepEqual(Array.from(significant(p, 0.05, "none")), [1, 1, 1, 1, 0]);
  assert.deepEqual(Array.from(significant([0.03, 0.04], 0.05, "bh")), [1, 1]);
  assert.deepEqual(Array.from(significant([0.03, 0.06], 0.05, "bh")), [0, 0]);
});

test("validated links: counts equal a brute-force hypergeometric test of every peer pair", () => {
  // 4 regions × 8 fields, one year; region r's patents each have one field. Fields chosen so that
  // regions 0 and 1 share many specialisations, region 3 shares none with 0.
  const fieldsOf: number[][] = [
    [0, 0, 1, 1, 2, 2, 3, 3],
    [0, 0, 1, 1, 2, 2, 3, 4],
    [4, 5, 6, 7, 0, 2, 5, 6],
    [4, 4, 5, 5, 6, 6, 7, 7],
  ];
  const year: number[] = [];
  const region: number[] = [];
  const ids: number[] = [];
  fieldsOf.forEach((l, r) => l.forEach((c) => (year.push(2010), region.push(r), ids.push(c))));
  const n = year.length;
  const input = {
    n,
    year: Int32Array.from(year),
    region: Int32Array.from(region),
    regionNames: ["A", "B", "C", "D"],
    offsets: Int32Array.from({ length: n + 1 }, (_, i) => i),
    fieldIds: Int32Array.from(ids),
    fieldCounts: new Float64Array(n).fill(1),
    nFields: 8,
  };
  for (const signed of [false, true]) {
    const out = cospecialisation(input, { validate: { correction: "none", alpha: 0.2, signed } });
    const plain = cospecialisation(input, {});
    // Rebuild binary M from the degrees' definition: RCA ≥ 1.
    const X = fieldsOf.map((l) => {
      const row = new Array<number>(8).fill(0);
      for (const c of l) row[c]! += 1 / l.length;
      return row;
    });
    const col = Array.from({ length: 8 }, (_, c) => X.reduce((s, row) => s + row[c]!, 0));
    const tot = col.reduce((a, b) => a + b, 0);
    const M: number[][] = X.map((row) => row.map((v, c) => (v / (col[c]! / tot) >= 1 ? 1 : 0)));
    const Ft = col.filter((v) => v > 0).length;
    const k = M.map((row) => row.reduce((a, b) => a + b, 0));
    const links = [0, 0, 0, 0];
    const div = [0, 0, 0, 0];
    let tested = 0;
    for (let r = 0; r < 4; r++)
      for (let s = r + 1; s < 4; s++) {
        const C = M[r]!.reduce((a, v, c) => a + v * M[s]![c]!, 0);
        // Brute-force tails from enumeration of all k_s-subsets of Ft fields.
        const counts = bruteOverlaps(Ft, k[r]!, k[s]!);
        const total = counts.reduce((a, b) => a + b, 0);
        const up = counts.reduce((a, v, x) => a + (x >= C ? v : 0), 0) / total;
        const lo = counts.reduce((a, v, x) => a + (x <= C ? v : 0), 0) / total;
        const p = signed ? Math.min(1, 2 * Math.min(up, lo)) : up;
        tested++;
        if (p <= 0.2) {
          const arr = !signed || up <= lo ? links : div;
          arr[r]!++;
          arr[s]!++;
        }
      }
    assert.deepEqual(Array.from(out.degree), k);
    assert.deepEqual(out.testedPairs, [tested]);
    assert.deepEqual(Array.from(out.links!), links, `signed=${signed}`);
    if (signed) assert.deepEqual(Array.from(out.divergingLinks!), div);
    assert.deepEqual(Array.from(out.index), Array.from(plain.index));
    assert.ok(links[0]! >= 1, "regions A and B co-specialise");
    const asIndex = cospecialisation(input, { validate: { correction: "none", alpha: 0.2, signed }, indexKind: "links" });
    assert.deepEqual(Array.from(asIndex.index), links);
  }
  assert.throws(() => cospecialisation(input, { binarise: false, validate: { correction: "bh" } }), /binarised/);
  assert.throws(() => cospecialisation(input, { indexKind: "links" }), /needs link validation/);
});

test("patents rca CLI: --validate adds validated_links (and diverging_links with --signed); bad combinations exit 2", () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-rca-"));
  try {
    const out = join(dir, "rca.csv");
    const r = runCli([
      "patents",
      "rca",
      "--patents",
      fixture("patents", "cnrds_style.csv"),
      "--mapping",
      "cnrds",
      "--out",
      out,
      "--validate",
      "bh",
      "--signed",
      "--json",
    ]);
    assert.equal(r.status, 0, r.stderr);
    const lines = readFileSync(out, "utf8").trim().split("\n");
    assert.equal(lines[0], "region,year,patents,specialisations,cospecialisation,validated_links,diverging_links");
    assert.equal(JSON.parse(r.stdout).summary.validation.correction, "bh");
    const u = runCli(["patents", "rca", "--patents", fixture("patents", "cnrds_style.csv"), "--mapping", "cnrds", "--out", out, "--index", "links"]);
    assert.equal(u.status, 2);
    assert.match(u.stderr, /--index links needs --validate/);
    const c = runCli([
      "patents",
      "rca",
      "--patents",
      fixture("patents", "cnrds_style.csv"),
      "--mapping",
      "cnrds",
      "--out",
      out,
      "--validate",
      "bonferroni",
      "--continuous",
    ]);
    assert.equal(c.status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
