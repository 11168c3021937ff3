/** Test helpers for the core estimators: a tiny CSV reader for test/fixtures/data/mpdta.csv and code builders. */
import { readFileSync } from "node:fs";
import { fixture } from "../helpers.js";
import type { FixedEffectInput } from "../../src/estimators/feols.js";

export interface Mpdta {
  n: number;
  year: Float64Array;
  county: Float64Array;
  lpop: Float64Array;
  lemp: Float64Array;
  firstTreat: Float64Array;
}

/** Numeric CSV with a header line and optionally quoted header names. */
export function readNumericCsv(path: string): Record<string, Float64Array> {
  const lines = readFileSync(path, "utf8").trim().split(/\r?\n/);
  const header = lines[0]!.split(",").map((h) => h.replace(/^"|"$/g, ""));
  const cols: Record<string, Float64Array> = {};
  for (const h of header) cols[h] = new Float64Array(lines.length - 1);
  for (let r = 1; r < lines.length; r++) {
    const f = lines[r]!.split(",");
    header.forEach((h, j) => (cols[h]![r - 1] = Number(f[j])));
  }
  return cols;
}

export function mpdta(): Mpdta {
  const c = readNumericCsv(fixture("data", "mpdta.csv"));
  return { n: c["year"]!.length, year: c["year"]!, county: c["countyreal"]!, lpop: c["lpop"]!, lemp: c["lemp"]!, firstTreat: c["first.treat"]! };
}

/** Integer codes 0..L−1 for the distinct values of v (sorted ascending). */
export function codesOf(name: string, v: Float64Array): FixedEffectInput {
  const levels = [...new Set(v)].sort((a, b) => a - b);
  const map = new Map(levels.map((x, i) => [x, i]));
  const codes = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) codes[i] = map.get(v[i]!)!;
  return { name, codes, nLevels: levels.length };
}

export function treatPost(d: Mpdta): Float64Array {
  return Float64Array.from(d.year, (y, i) => (d.firstTreat[i]! > 0 && y >= d.firstTreat[i]! ? 1 : 0));
}

export interface RefRow {
  term: string;
  estimate: number;
  std_error: number;
  statistic: number;
  p_value: number;
}

export interface RefFile {
  estimates: RefRow[];
  nobs: number;
  r2: number;
  adj_r2: number;
  within_r2: number;
  [k: string]: unknown;
}
