/** Ids and cited ids are trimmed as String.prototype.trim does, also when an ASCII space hides a non-ASCII one (read.ts trimmedItem). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadMapping } from "../../src/patents/mapping.js";
import { readPatents } from "../../src/patents/read.js";

test("readPatents: ' \\u00a0p1 ' is the id 'p1' (ASCII and non-ASCII spaces trimmed), and a citation of 'p1\\u3000' finds it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kt-trim-"));
  try {
    const f = join(dir, "p.csv");
    writeFileSync(f, `id,date,region,ipc,cited\n" \u00a0p1 ",2001-01-02,R1,G06N 3/04,\np2,2002-01-02,R1,G06N 3/04,"p1\u3000 ; \u00a0 "\n`);
    const t = await readPatents(f, { mapping: loadMapping("default"), level: "subclass", onBadIpc: "fail", region: true, citations: true, ids: true });
    assert.deepEqual(t.ids, ["p1", "p2"]);
    assert.deepEqual(Array.from(t.cited!.target), [0]);
    assert.equal(t.cited!.unknown, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
