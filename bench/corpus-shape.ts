/**
 * The shape of the benchmark patent corpora (bench/measure.ts, bench/gen-patents.ts): the reference study's
 * 435 counties × 2000–2021, and the IPC main groups per technology area they draw codes from.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../src/patents/taxonomy.js";

export const FIRST = 2000;
export const LAST = 2021;
export const COUNTIES = 435;

/** Main groups per technology area: ipc_pool.csv, plus the key-digital taxonomy's group-level include prefixes. */
export function areaGroups(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (area: string, g: string): void => {
    const l = out.get(area) ?? [];
    if (!l.includes(g)) l.push(g);
    out.set(area, l);
  };
  for (const line of readFileSync(join(packageRoot(), "assets/simulate/ipc_pool.csv"), "utf8").trim().split("\n").slice(1)) {
    const [area, mg] = line.split(",");
    add(area!.trim(), mg!.trim().replace(/\/00$/, ""));
  }
  for (const line of readFileSync(join(packageRoot(), "assets/taxonomies/cnipa_key_digital_provisional.csv"), "utf8").trim().split("\n").slice(1)) {
    const f = line.split(",");
    const rule = f[3]!.trim();
    const m = /^([A-H]\d\d[A-Z]) ?(\d+)\/?$/.exec(f[4]!.trim());
    if (rule === "include" && m) add(f[0]!.trim(), `${m[1]} ${m[2]}`);
  }
  return out;
}
