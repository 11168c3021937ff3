/** A minimal CSV reader for the tests (quoted fields without embedded quotes or newlines). */
import { readFileSync } from "node:fs";

export function readCsv(path: string): Record<string, string[]> {
  const lines = readFileSync(path, "utf8")
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
  const split = (l: string) => l.split(",").map((f) => f.replace(/^"(.*)"$/, "$1"));
  const head = split(lines[0]!);
  const out: Record<string, string[]> = {};
  for (const h of head) out[h] = [];
  for (let r = 1; r < lines.length; r++) {
    const f = split(lines[r]!);
    head.forEach((h, k) => out[h]!.push(f[k] ?? ""));
  }
  return out;
}

export function num(v: string[]): Float64Array {
  return Float64Array.from(v, (s) => (s === "" ? Number.NaN : Number(s)));
}
