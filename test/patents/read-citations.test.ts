/**
 * Citation links of the reader against a plain Map of id strings: ids of 1–30 bytes (inline and long slots of
 * the id index), non-ASCII ids and padding, rows dropped in skip mode (cited: unknown), citations to later
 * rows and unknown ids, more citations than one lookup batch holds.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadMapping } from "../../src/patents/mapping.js";
import { readPatents } from "../../src/patents/read.js";
import { Rng } from "../../src/core/rng.js";

test("citation targets equal a Map lookup of the trimmed ids (short, long and non-ASCII ids; dropped rows; forward and unknown ids)", async () => {
  const rng = new Rng(7);
  const n = 3000;
  const ids = Array.from({ length: n }, (_, i) => {
    const kind = i % 5;
    if (kind === 0) return `p${i}`;
    if (kind === 1) return `CN${100000000 + i}A`; // 12 bytes: the longest inline key
    if (kind === 2) return `US-PATENT-NUMBER-${i}-B1`; // long keys
    if (kind === 3) return `专利${i}`; // non-ASCII (multi-byte UTF-8)
    return `x${"y".repeat(i % 13)}${i}`; // 2–17 bytes
  });
  const dropped = new Set<number>();
  let csv = "id,date,ipc,cited\n";
  const expected: number[][] = [];
  for (let i = 0; i < n; i++) {
    const drop = i % 17 === 3;
    if (drop) dropped.add(i);
    const cited: string[] = [];
    const want: number[] = [];
    const k = rng.int(9);
    for (let j = 0; j < k; j++) {
      const u = rng.uniform();
      if (u < 0.1) {
        cited.push(`nope${rng.int(1000)}`);
        want.push(-1);
      } else {
        const q = rng.int(n); // earlier and later rows alike
        cited.push(u < 0.2 ? `  ${ids[q]} ` : ids[q]!);
        want.push(q);
      }
    }
    csv += `${i % 7 === 0 ? " " + ids[i] + " " : ids[i]},2001-01-01,${drop ? "XXX" : "G06F 3/00"},"${cited.join(";")}"\n`;
    if (!drop) expected.push(want);
  }
  // Kept index of each row (dropped rows cite-able but unknown).
  const kept = new Map<number, number>();
  let m = 0;
  for (let i = 0; i < n; i++) if (!dropped.has(i)) kept.set(i, m++);
  const dir = mkdtempSync(join(tmpdir(), "kt-read-cite-"));
  try {
    const f = join(dir, "c.csv");
    writeFileSync(f, csv);
    const t = await readPatents(f, { mapping: loadMapping("default"), level: "subclass", onBadIpc: "skip", citations: true });
    assert.equal(t.n, n - dropped.size);
    const links = t.cited!;
    let unknown = 0;
    for (let p = 0; p < t.n; p++) {
      const got = Array.from(links.target.subarray(links.offsets[p]!, links.offsets[p + 1]!));
      const want = expected[p]!.map((q) => (q < 0 ? -1 : (kept.get(q) ?? -1)));
      unknown += want.filter((v) => v < 0).length;
      assert.deepEqual(got, want, `patent ${p}`);
    }
    assert.equal(links.unknown, unknown);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("cited and IPC cells split at every separator character (default set mixed, non-ASCII, regex-special custom sets)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-read-sep-"));
  try {
    const f = join(dir, "s.csv");
    // Default cited separators ";,| ；，": mixed, repeated (empty pieces), tabs and padding around ids.
    writeFileSync(
      f,
      [
        "id,date,ipc,cited",
        "a1,2001-01-01,G06F 3/00,",
        'b2,2001-02-01,"G06F 3/00；H04L 29/08，G06N 3/04|G06F 17/30",a1',
        'c3,2001-03-01,G06F 3/00,"a1；b2，a1 ;; \tb2\t|,nope"',
        'd4,2001-04-01,G06F 3/00,"c3|b2,,a1；；c3"',
      ].join("\n") + "\n",
    );
    const t = await readPatents(f, { mapping: loadMapping("default"), level: "subgroup", onBadIpc: "fail", citations: true });
    const links = t.cited!;
    const row = (p: number): number[] => Array.from(links.target.subarray(links.offsets[p]!, links.offsets[p + 1]!));
    assert.deepEqual([row(0), row(1), row(2), row(3)], [[], [0], [0, 1, 0, 1, -1], [2, 1, 0, 2]]);
    assert.equal(t.codeOffsets[2]! - t.codeOffsets[1]!, 4);
    // Custom sets: one separator, and characters special in a regular expression.
    for (const [seps, cell] of [
      ["/", "a1/b2 / c3"],
      ["]^\\-", "a1]b2^c3\\a1-b2"],
      ["€.", "a1€b2.c3"],
    ] as const) {
      const g = join(dir, "c.csv");
      writeFileSync(
        g,
        `id,date,ipc,cited\na1,2001-01-01,G06F 3/00,\nb2,2001-01-01,G06F 3/00,\nc3,2001-01-01,G06F 3/00,\nd4,2001-01-02,G06F 3/00,"${cell.replace(/"/g, '""')}"\n`,
      );
      const m = { ...loadMapping("default"), citedSeparators: seps };
      const u = await readPatents(g, { mapping: m, level: "subclass", onBadIpc: "fail", citations: true });
      const l = u.cited!;
      const want = seps === "]^\\-" ? [0, 1, 2, 0, 1] : [0, 1, 2];
      assert.deepEqual(Array.from(l.target.subarray(l.offsets[3]!, l.offsets[4]!)), want, `separators ${seps}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
