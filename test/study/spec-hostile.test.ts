/**
 * Hostile study specs found by the spec-loader fuzzing (bench/fuzz-loaders.ts, issue #14): YAML aliases
 * that expand without bound or point nowhere, nesting thousands of levels deep (the YAML parser used to
 * overflow its stack, and at 10^4 levels took the whole process down), bytes that are not UTF-8 text and a
 * gzip file under a .yaml name. Each stops with one located keytech message, quickly.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { KeytechError } from "../../src/core/errors.js";
import { loadSpec } from "../../src/study/spec.js";
import { setupInputs } from "./spec-cases.js";
import { runCli } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "keytech-spec-hostile-"));
const base = setupInputs(dir);

async function specError(text: string | Buffer): Promise<string> {
  const f = join(dir, "study.yaml");
  writeFileSync(f, text);
  const t0 = Date.now();
  try {
    await loadSpec(f);
  } catch (e) {
    assert.ok(e instanceof KeytechError, `not a keytech error: ${String(e)}`);
    assert.ok(Date.now() - t0 < 3000, "refused quickly");
    return e.message.split("\n").slice(1).join("\n");
  }
  throw new Error("accepted");
}

test("a billion-laughs alias bomb is refused at its line (was a raw ReferenceError)", async () => {
  const bomb = [
    "x1: &a1 [q, q, q, q, q, q, q, q, q, q]",
    ...Array.from(
      { length: 7 },
      (_, j) =>
        `x${j + 2}: &a${j + 2} [${Array(10)
          .fill(`*a${j + 1}`)
          .join(", ")}]`,
    ),
  ].join("\n");
  assert.match(await specError(bomb + "\n" + base), /^study\.yaml:2: \(yaml\): the aliases \(\*name\) expand to too many values .*write the values out/);
});

test("an alias without its anchor is refused at its line (was a raw ReferenceError)", async () => {
  const text = base.replace("seed: 20250101", "seed: *s");
  assert.match(await specError(text), /^study\.yaml:7: \(yaml\): alias \*s has no anchor &s before it; define the anchor first or write the value out$/);
});

for (const [what, v] of [
  ["flow lists", "[".repeat(10000) + "]".repeat(10000)],
  ["flow mappings", "{a: ".repeat(3000) + "1" + "}".repeat(3000)],
  ["block mappings", "\n" + Array.from({ length: 3000 }, (_, k) => " ".repeat(2 * k + 4) + "k:").join("\n") + " 1"],
] as const) {
  test(`nesting thousands of levels deep (${what}) is refused before parsing`, async () => {
    const text = base.replace("  county_trends: {}", `  county_trends: ${v}`);
    assert.match(
      await specError(text),
      /^study\.yaml:\d+: \(yaml\): nested more than 64 levels deep; a study spec needs a few levels: check the brackets and the indentation$/,
    );
  });
}

test("an invalid UTF-8 byte is refused with its line (was silently replaced by U+FFFD)", async () => {
  const b = Buffer.from(base.replace('title: "Digital', 'title: "Digit\u0001al'));
  b[b.indexOf(1)] = 0xff;
  assert.match(
    await specError(b),
    /^study\.yaml:6: \(file\): invalid UTF-8 byte 0xFF \(byte offset \d+\); the spec must be UTF-8 text: re-encode it, e\.g\. iconv -f CP1252 -t UTF-8 study\.yaml > study\.utf8\.yaml \(or -f GB18030 for a Chinese-locale file\)$/,
  );
});

test("a gzip file under a .yaml name is refused as compressed", async () => {
  assert.match(await specError(gzipSync(Buffer.from(base))), /^study\.yaml:1: \(file\): the file is gzip-compressed, not YAML text: decompress it \(gunzip\)$/);
});

test("study run: the alias bomb exits 1 with one keytech message, no stack trace", () => {
  const f = join(dir, "bomb.yaml");
  writeFileSync(
    f,
    "a: &a [x, x, x, x, x, x, x, x, x, x]\n" +
      Array.from(
        { length: 7 },
        (_, j) =>
          `b${j}: &b${j} [${Array(10)
            .fill(j ? `*b${j - 1}` : "*a")
            .join(", ")}]`,
      ).join("\n") +
      "\n",
  );
  const r = runCli(["study", "run", f, "--out", join(dir, "out")]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^keytech: error: invalid study spec .*bomb\.yaml \(1 problem\):\nbomb\.yaml:2: \(yaml\): the aliases/);
  assert.doesNotMatch(r.stderr, /ReferenceError|at .*\.js:\d+/);
});

test("a list or mapping used as a key is refused at its line (the YAML library printed a raw Node warning)", async () => {
  const warned: string[] = [];
  const on = (w: Error): void => void warned.push(w.message);
  process.on("warning", on);
  try {
    const text = base.replace("  ddd: {}", "  ? [a, b]\n  : 1\n  ddd: {}");
    assert.match(await specError(text), /^study\.yaml:\d+: \(yaml\): a key must be a name, not a list or a mapping; write it as a plain key$/);
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off("warning", on);
  }
  assert.deepEqual(warned, []);
});

test("the spec path is a folder: a keytech message with exit 2 (was the raw 'EISDIR: illegal operation on a directory')", () => {
  const r = runCli(["study", "run", dir, "--out", join(dir, "o-dir")]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^keytech: error: .*: is a folder, not a study spec; give the spec file \(e\.g\. study\.yaml; `keytech study init` writes one\)\n$/);
});
