/** Panel with explicit zeros, citations received without self-citations, diffusion shares, RCA and co-specialisation. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture, runCli } from "../helpers.js";
import { citationsReceived, resolveCitations } from "../../src/patents/citations.js";
import { regionYearPanel } from "../../src/patents/panel.js";
import { diffusion } from "../../src/patents/diffusion.js";
import { balassa, cospecialisation } from "../../src/patents/cospecialisation.js";
import { Rng } from "../../src/core/rng.js";

test("region-year panel writes explicit zeros for listed regions/years and reports what it leaves out", () => {
  const p = regionYearPanel(
    {
      n: 6,
      year: Int32Array.from([2001, 2001, 2002, 2003, 2001, 1999]),
      region: Int32Array.from([0, 0, 1, -1, 2, 0]),
      regionNames: ["A", "B", "Z"],
      include: Uint8Array.from([1, 1, 1, 1, 1, 1]),
      breakthrough: Int8Array.from([1, 0, -1, 1, 1, 1]),
      importance: Float64Array.from([2.5, 0.5, NaN, 1, 1, 1]),
      citations: Float64Array.from([3, 1, 4, 0, 0, 0]),
    },
    { regions: ["A", "B", "C"], years: [2001, 2002, 2003] },
  );
  assert.deepEqual(p.regions, ["A", "B", "C"]);
  assert.deepEqual(Array.from(p.patents), [2, 0, 0, 0, 1, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(p.breakthroughs!), [1, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(p.sumImportance!), [3, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(p.citations!), [4, 0, 0, 0, 4, 0, 0, 0, 0]);
  assert.deepEqual(p.dropped, { missingRegion: 1, regionNotListed: 1, yearNotListed: 1, excluded: 0 });
});

test("citations received exclude self-citations (same applicant) and count unknown ids", () => {
  const ids = ["a", "b", "c", "d"];
  const links = resolveCitations(ids, { offsets: Int32Array.from([0, 0, 1, 3, 6]), raw: ["a", "a", "b", "a", "c", "zz"] });
  assert.equal(links.unknown, 1);
  const r = citationsReceived(4, links, Int32Array.from([0, 1, 0, -1]));
  // b→a (other applicant) counts; c→a is self (applicant 0); c→b counts; d→a, d→c count (d has no applicant).
  assert.deepEqual(Array.from(r.received), [2, 1, 1, 0]);
  assert.equal(r.self, 1);
});

test("diffusion: same-region digital share, cluster variant, self-citation and denominator options", () => {
  // Patents: 0 (R1, digital), 1 (R2, digital), 2 (R1, not digital), 3 (R1, 2005) cites 0, 1, 2 and an unknown id.
  const x = {
    n: 4,
    year: Int32Array.from([2004, 2004, 2004, 2005]),
    region: Int32Array.from([0, 1, 0, 0]),
    regionNames: ["R1", "R2"],
    digital: Uint8Array.from([1, 1, 0, 0]),
    links: resolveCitations(["p0", "p1", "p2", "p3"], { offsets: Int32Array.from([0, 0, 0, 0, 4]), raw: ["p0", "p1", "p2", "p9"] }),
    applicant: Int32Array.from([7, 8, 9, 7]),
  };
  const cell = (d: ReturnType<typeof diffusion>, r: string, y: number): number => d.share[d.regions.indexOf(r) * d.years.length + d.years.indexOf(y)]!;
  assert.equal(cell(diffusion(x), "R1", 2005), 1 / 3);
  assert.ok(Number.isNaN(cell(diffusion(x), "R1", 2004)));
  assert.equal(cell(diffusion(x, { denominator: "all" }), "R1", 2005), 1 / 4);
  assert.equal(cell(diffusion(x, { selfCitations: "exclude" }), "R1", 2005), 0);
  assert.equal(cell(diffusion({ ...x, clusterOfRegion: Int32Array.from([0, 0]) }), "R1", 2005), 2 / 3);
});

test("Balassa RCA on a hand example", () => {
  // Regions × fields counts: R1 = [2, 0, 2], R2 = [0, 3, 1]; total 8; field shares 2/8, 3/8, 3/8.
  const rca = balassa(Float64Array.from([2, 0, 2, 0, 3, 1]), 2, 3);
  const want = [0.5 / 0.25, 0, 0.5 / 0.375, 0, 0.75 / 0.375, 0.25 / 0.375];
  want.forEach((w, i) => assert.ok(Math.abs(rca[i]! - w) < 1e-15, `rca[${i}]`));
});

test("co-specialisation index = brute-force mean of C_rs / max(k_r, k_s) (binarised) and its continuous variant", () => {
  const rng = new Rng(5);
  const n = 400;
  const R = 6;
  const F = 5;
  const year = new Int32Array(n);
  const region = new Int32Array(n);
  const offsets = new Int32Array(n + 1);
  const ids: number[] = [];
  const counts: number[] = [];
  for (let p = 0; p < n; p++) {
    year[p] = 2010 + rng.int(3);
    region[p] = rng.int(R);
    const k = 1 + rng.int(2);
    const set = new Set<number>();
    for (let j = 0; j < k; j++) set.add(Math.min(F - 1, Math.floor(F * rng.uniform() ** (1 + region[p]! / 3))));
    for (const f of [...set].sort()) {
      ids.push(f);
      counts.push(1 + rng.int(2));
    }
    offsets[p + 1] = ids.length;
  }
  const names = Array.from({ length: R }, (_, i) => `r${i}`);
  const input = { n, year, region, regionNames: names, offsets, fieldIds: Int32Array.from(ids), fieldCounts: Float64Array.from(counts), nFields: F };
  for (const binarise of [true, false]) {
    const out = cospecialisation(input, { binarise });
    for (let t = 0; t < 3; t++) {
      const X = new Float64Array(R * F);
      for (let p = 0; p < n; p++) {
        if (year[p] !== 2010 + t) continue;
        let tot = 0;
        for (let k = offsets[p]!; k < offsets[p + 1]!; k++) tot += counts[k]!;
        for (let k = offsets[p]!; k < offsets[p + 1]!; k++) X[region[p]! * F + ids[k]!]! += counts[k]! / tot;
      }
      const rca = balassa(X, R, F);
      const m = rca.map((v) => (binarise ? (v >= 1 ? 1 : 0) : v));
      for (let r = 0; r < R; r++) {
        let sum = 0;
        for (let s = 0; s < R; s++) {
          if (s === r) continue;
          let c = 0;
          let kr = 0;
          let ks = 0;
          for (let f = 0; f < F; f++) {
            c += m[r * F + f]! * m[s * F + f]!;
            kr += m[r * F + f]! ** 2;
            ks += m[s * F + f]! ** 2;
          }
          sum += c / Math.max(kr, ks);
        }
        const got = out.index[r * 3 + t]!;
        assert.ok(Math.abs(got - sum / (R - 1)) < 1e-12, `binarise=${binarise} r${r} t${t}: ${got} vs ${sum / (R - 1)}`);
        if (binarise)
          assert.equal(
            out.degree[r * 3 + t],
            m.slice(r * F, r * F + F).reduce((a, b) => a + b, 0),
          );
      }
    }
  }
});

test("patents panel CLI: explicit zeros from a region list, category filter, citations", () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-panel-"));
  try {
    writeFileSync(join(dir, "regions.csv"), "region,name\n330106,A\n440305,B\n110101,C\n");
    const out = join(dir, "panel.csv");
    const r = runCli([
      "patents",
      "panel",
      "--patents",
      fixture("patents", "cnrds_style.csv"),
      "--mapping",
      "cnrds",
      "--out",
      out,
      "--regions",
      join(dir, "regions.csv"),
      "--years",
      "2018:2020",
      "--taxonomy",
      "cnipa-provisional",
      "--category",
      "blockchain",
      "--level",
      "subclass",
    ]);
    assert.equal(r.status, 0, r.stderr);
    const lines = readFileSync(out, "utf8").trim().split("\n");
    assert.equal(lines[0], "region,year,patents,breakthroughs,sum_imp10,citations");
    assert.equal(lines.length, 1 + 9);
    // Blockchain proxy (H04L 9/, G06F 16/27): patents 3 (330106, 2019), 4 (330106, 2019), 5 (440305, 2020).
    const counts = lines.slice(1).map((l) => l.split(",").slice(0, 3).join(","));
    assert.deepEqual(counts, [
      "330106,2018,0",
      "330106,2019,2",
      "330106,2020,0",
      "440305,2018,0",
      "440305,2019,0",
      "440305,2020,1",
      "110101,2018,0",
      "110101,2019,0",
      "110101,2020,0",
    ]);
    // Citations received (all citing patents, self excluded): 330106/2019 = 1 (003 ← 005) + 1 (004 ← 005).
    assert.equal(lines[2]!.split(",")[5], "2");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
