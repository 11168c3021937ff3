/**
 * Citations never vanish (issue #14): every citation made is in exactly one bucket — unknown id, later-filed
 * cited patent, self-citation (itself or same applicant), counted — in citationsReceived, diffusion and the CLI.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers.js";
import { citationsReceived, resolveCitations } from "../../src/patents/citations.js";
import { diffusion } from "../../src/patents/diffusion.js";

// p0 (2001, A), p1 (2002, B), p2 (2003, A), p3 (2003-06-01 vs p2 2003-01-01, B).
const ids = ["p0", "p1", "p2", "p3"];
const year = Int32Array.from([2001, 2002, 2003, 2003]);
const date = Int32Array.from([20010101, 20020101, 20030101, 20030601]);
const applicant = Int32Array.from([0, 1, 0, 1]);
// p0 cites p1 (later filed) and itself; p1 cites p0 and "zz" (unknown); p2 cites p0 (same applicant A), p1, p3 (later by date);
// p3 cites p2 (earlier the same year) and p1 (same applicant B).
const links = resolveCitations(ids, { offsets: Int32Array.from([0, 2, 4, 7, 9]), raw: ["p1", "p0", "p0", "zz", "p0", "p1", "p3", "p2", "p1"] });

test("citationsReceived: later-filed cited patents are not counted, self and unknown are counted and reported", () => {
  const r = citationsReceived(4, links, applicant, { year, date });
  assert.deepEqual(Array.from(r.received), [1, 1, 1, 0]);
  assert.deepEqual(
    { total: r.total, counted: r.counted, unknown: r.unknown, laterFiled: r.laterFiled, self: r.self },
    { total: 9, counted: 3, unknown: 1, laterFiled: 2, self: 3 },
  );
  // Year only: p2 → p3 (same year) is not later-filed any more.
  const y = citationsReceived(4, links, applicant, { year });
  assert.deepEqual(Array.from(y.received), [1, 1, 1, 1]);
  assert.equal(y.laterFiled, 1);
  // Without filing information nothing is later-filed (the old behaviour), and the counts still add up.
  const n = citationsReceived(4, links, applicant);
  assert.equal(n.laterFiled, 0);
  assert.equal(n.total, n.counted + n.unknown + n.laterFiled + n.self);
});

test("diffusion: later-filed citations leave both sums, self-citations are counted in every mode, unknown ids reported", () => {
  const x = { n: 4, year, date, region: Int32Array.from([0, 0, 0, 0]), regionNames: ["R"], digital: Uint8Array.from([1, 1, 1, 1]), links, applicant };
  const d = diffusion(x);
  assert.deepEqual(d.citations, { total: 9, counted: 6, unknown: 1, laterFiled: 2, self: 3 });
  // R 2003: p2 → p0, p1 (p3 later-filed) and p3 → p2, p1: 4 counted, all digital and local.
  const cell = (p: ReturnType<typeof diffusion>, y: number): number => p.share[p.years.indexOf(y)]!;
  assert.equal(d.denominator[d.years.indexOf(2003)], 4);
  assert.equal(cell(d, 2003), 1);
  const ex = diffusion(x, { selfCitations: "exclude" });
  assert.deepEqual(ex.citations, { total: 9, counted: 3, unknown: 1, laterFiled: 2, self: 3 });
  assert.equal(ex.denominator[ex.years.indexOf(2003)], 2);
  // p0 citing itself is a self-citation even without applicants.
  const na = diffusion({ ...x, applicant: undefined }, { selfCitations: "exclude" });
  assert.equal(na.citations.self, 1);
  assert.ok(Number.isNaN(cell(na, 2001)));
  assert.equal(diffusion(x, { denominator: "all" }).denominator[1], 2); // 2002: p1 → p0 and the unknown id
});

test("CLI panel and diffusion report later-filed, self and unknown citations on stderr and in --json", () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-cites-"));
  try {
    const f = join(dir, "p.csv");
    writeFileSync(
      f,
      "id,date,region,applicant,ipc,cited\n" +
        "p0,2001-01-01,R,A,G06F 17/30,p1;p0\np1,2002-01-01,R,B,G06F 17/30,p0;zz\np2,2003-01-01,R,A,H04L 9/32,p0;p1;p3\np3,2003-06-01,R,B,H04L 9/32,p2;p1\n",
    );
    const r = runCli(["patents", "panel", "--patents", f, "--out", join(dir, "o.csv"), "--json", "--level", "subclass"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      /keytech: warning: citations: 9 made, 3 counted as received; 3 self-citations \(same applicant or itself\) not counted; 2 to a patent filed later than the citing one not counted; 1 to ids not in the table/,
    );
    assert.deepEqual(JSON.parse(r.stdout).summary.citations, { available: true, total: 9, counted: 3, unknown: 1, laterFiled: 2, self: 3 });
    const d = runCli(["patents", "diffusion", "--patents", f, "--out", join(dir, "d.csv"), "--json", "--taxonomy", "oecd-ict"]);
    assert.equal(d.status, 0, d.stderr);
    assert.match(
      d.stderr,
      /keytech: warning: citations: 9 made, 6 counted; 3 self-citations \(same applicant or itself\) included \(--self-citations include\); 2 to a patent filed later than the citing one not counted; 1 to ids not in the table not counted/,
    );
    assert.deepEqual(JSON.parse(d.stdout).summary.citations, { total: 9, counted: 6, unknown: 1, laterFiled: 2, self: 3 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("cited ids are split on the separators and trimmed like String.prototype.trim, ids likewise", async () => {
  const { readPatents } = await import("../../src/patents/read.js");
  const { loadMapping } = await import("../../src/patents/mapping.js");
  const dir = mkdtempSync(join(tmpdir(), "kt-cites-trim-"));
  try {
    const f = join(dir, "t.csv");
    writeFileSync(
      f,
      'id,date,ipc,cited\n\u3000p0,2001-01-01,G06F 17/30,\np1 ,2002-01-01,G06F 17/30,"\tp0\u3000;;p9 ,, p0"\np2,2003-01-01,G06F 17/30,p1\u00a0|p0;\n',
    );
    const t = await readPatents(f, { mapping: loadMapping("default"), level: "subclass", onBadIpc: "fail", citations: true, region: false });
    assert.deepEqual(t.ids, ["p0", "p1", "p2"]);
    assert.deepEqual(Array.from(t.cited!.offsets), [0, 0, 3, 5]);
    assert.deepEqual(Array.from(t.cited!.target), [0, -1, 0, 1, 0]);
    assert.equal(t.cited!.unknown, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
