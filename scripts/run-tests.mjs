#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with Node's built-in test runner.
// Layer rules are checked first (scripts/check-layers.mjs).
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname, relative } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const layers = spawnSync(process.execPath, [join(root, "scripts/check-layers.mjs")], { stdio: "inherit" });
if (layers.status !== 0) process.exit(layers.status ?? 1);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".test.js")) out.push(p);
  }
  return out;
}
const filter = process.argv.slice(2);
let files = walk(join(root, "dist/test"), []).sort();
// filters match the path below dist/test (e.g. "estimators/cs/" or "honest"), not the checkout's own folder name
if (filter.length) files = files.filter((f) => filter.some((s) => relative(join(root, "dist/test"), f).includes(s)));
if (files.length === 0) {
  console.error("no test files found under dist/test (did the build run?)");
  process.exit(1);
}
// the report's browser test needs Debian's Chromium: install it when missing (root + apt-get), else say how
if (files.some((f) => f.includes("browser"))) spawnSync(process.execPath, [join(root, "scripts/ensure-chromium.mjs")], { stdio: "inherit" });
// Every temp file a test makes (os.tmpdir() follows TMPDIR) lands in one folder, removed afterwards.
const scratch = mkdtempSync(join(tmpdir(), "keytech-tests-"));
const env = { ...process.env, TMPDIR: scratch, TMP: scratch, TEMP: scratch };
const r = spawnSync(process.execPath, ["--test", "--test-concurrency=2", ...files], { stdio: "inherit", cwd: root, env });
rmSync(scratch, { recursive: true, force: true });
process.exit(r.status ?? 1);
