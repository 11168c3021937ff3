/** keytech's version, read from package.json (dist/src/core → ../../..). */
import { readFileSync } from "node:fs";

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
