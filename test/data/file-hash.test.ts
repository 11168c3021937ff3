import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256File } from "../../src/core/hash.js";
import { sha256FileAside } from "../../src/data/file-hash.js";

test("sha256FileAside: the digest of sha256File, in a worker thread and on this thread", async () => {
  const dir = mkdtempSync(join(tmpdir(), "keytech-hash-"));
  try {
    const p = join(dir, "a.csv");
    const bytes = Buffer.alloc((1 << 23) + 12345);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    writeFileSync(p, bytes);
    const want = await sha256File(p);
    assert.equal(await sha256FileAside(p, 0), want); // worker
    assert.equal(await sha256FileAside(p), want); // below the size threshold: this thread
    await assert.rejects(sha256FileAside(join(dir, "missing.csv"), 0));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
