/** keytech's version, read from package.json (dist/src/core → ../../..). */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;
export function keytechVersion(): string {
  if (cached) return cached;
  for (const rel of ["../../../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "keytech" && pkg.version) return (cached = pkg.version);
    } catch {
      // try the next location
    }
  }
  return (cached = "0.0.0");
}

let codeHash: string | undefined;
/**
 * A fingerprint of the code that computes results: SHA-256 over the compiled modules of this build
 * (every .js/.wasm file under the package's src folder, by sorted relative path and content). Study block
 * caches key on it, so a block computed by an older build is recomputed rather than reused.
 */
export function codeFingerprint(): string {
  if (codeHash) return codeHash;
  const root = fileURLToPath(new URL("..", import.meta.url));
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(js|wasm)$/.test(e.name)) files.push(p);
    }
  };
  walk(root);
  files.sort();
  const h = createHash("sha256");
  for (const f of files) {
    h.update(relative(root, f) + "\0");
    h.update(readFileSync(f));
  }
  return (codeHash = h.digest("hex").slice(0, 16));
}
