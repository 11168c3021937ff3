/** Test helpers: repository paths, relative-tolerance assertions, and running the built CLI. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (tests run from dist/test/…). */
export const repoRoot = (() => {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(d, "package.json"), "utf8")) as { name?: string };
      if (pkg.name === "keytech") return d;
    } catch {
      // keep walking up
    }
    d = resolve(d, "..");
  }
  throw new Error("repository root not found");
})();

export function fixture(...parts: string[]): string {
  return join(repoRoot, "test", "fixtures", ...parts);
}

export function readJson<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

/** |a − b| ≤ rel · max(|b|, tiny): relative agreement (absolute near zero). */
export function assertClose(actual: number, expected: number, rel = 1e-6, what = ""): void {
  const scale = Math.max(Math.abs(expected), 1e-12);
  const err = Math.abs(actual - expected) / scale;
  assert.ok(Number.isFinite(actual) && err <= rel, `${what} expected ${expected}, got ${actual} (relative error ${err.toExponential(2)} > ${rel})`);
}

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Run `keytech ARGS` from the built CLI. */
export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): CliRun {
  const r = spawnSync(process.execPath, [join(repoRoot, "dist/src/cli/main.js"), ...args], {
    cwd: opts.cwd ?? repoRoot,
    encoding: "utf8",
    env: { ...process.env, KEYTECH_NO_PROGRESS: "1", ...opts.env },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Deep equality with typed arrays compared element by element (Object.is: NaN = NaN, bits of ±0 too); `seconds` and `stream` skipped. */
export function assertSameDeep(a: unknown, b: unknown, path: string): void {
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    assert.ok(ArrayBuffer.isView(a) && ArrayBuffer.isView(b), `${path}: typed array vs not`);
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    assert.equal(a.constructor.name, b.constructor.name, `${path}: type`);
    assert.equal(x.length, y.length, `${path}: length`);
    for (let i = 0; i < x.length; i++) assert.ok(Object.is(x[i], y[i]), `${path}[${i}]: ${x[i]} vs ${y[i]}`);
    return;
  }
  if (Array.isArray(a)) {
    assert.ok(Array.isArray(b), `${path}: array vs not`);
    assert.equal(a.length, b.length, `${path}: length`);
    a.forEach((v, i) => assertSameDeep(v, (b as unknown[])[i], `${path}[${i}]`));
    return;
  }
  if (a !== null && typeof a === "object") {
    assert.ok(b !== null && typeof b === "object", `${path}: object vs not`);
    const ka = Object.keys(a)
      .filter((k) => k !== "seconds" && k !== "stream" && (a as Record<string, unknown>)[k] !== undefined)
      .sort();
    const kb = Object.keys(b as object)
      .filter((k) => k !== "seconds" && k !== "stream" && (b as Record<string, unknown>)[k] !== undefined)
      .sort();
    assert.deepEqual(ka, kb, `${path}: keys`);
    for (const k of ka) assertSameDeep((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    return;
  }
  assert.ok(Object.is(a, b), `${path}: ${String(a)} vs ${String(b)}`);
}
