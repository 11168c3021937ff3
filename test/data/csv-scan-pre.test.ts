/**
 * `scanQuoteCr` (the native pre-pass that lets the quote / bare-CR scans be skipped) agrees with the two
 * byte-loop scans on random small files, for block sizes that cut CR LF pairs at every position.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findBareCr, findOpenQuote, scanQuoteCr } from "../../src/data/csv-scan.js";

test("scanQuoteCr: no quote and no bare CR exactly when both scans find nothing (no-quote files: bare CR exact)", () => {
  const dir = mkdtempSync(join(tmpdir(), "keytech-prescan-"));
  const p = join(dir, "f.csv");
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const alphabet = ["1", "1", "1", ",", ",", "\n", "\n", "\r\n", "\r", '"'];
  let checked = 0;
  for (let k = 0; k < 600; k++) {
    const len = 1 + Math.floor(rnd() * 30);
    const quotes = rnd() < 0.3;
    let text = "";
    for (let j = 0; j < len; j++) {
      const t = alphabet[Math.floor(rnd() * (quotes ? alphabet.length : alphabet.length - 1))]!;
      text += t;
    }
    writeFileSync(p, text);
    const cr = findBareCr(p, ",");
    const q = findOpenQuote(p, ",");
    for (const block of [1, 2, 3, 5, 1 << 22]) {
      const s = scanQuoteCr(p, block);
      assert.equal(s.quote, text.includes('"'), JSON.stringify(text));
      if (!s.quote) assert.equal(s.bareCr, cr !== null, `${JSON.stringify(text)} block ${block}`);
      if (!s.quote && !s.bareCr) {
        assert.equal(q, null);
        assert.equal(cr, null);
        checked++;
      }
    }
  }
  assert.ok(checked > 100);
});
