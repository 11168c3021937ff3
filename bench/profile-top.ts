/**
 * Top self-time functions of a V8 `.cpuprofile` (from `node --cpu-prof`): samples per node are summed by
 * function (name + file:line), sorted by self time, and printed with their share of the sampled time.
 * The "(idle)" (waiting, e.g. on DuckDB's threads) and "(garbage collector)" entries are kept: they say
 * where the main thread did not run JS.
 *
 *   node dist/bench/profile-top.js FILE.cpuprofile [--top 25]
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** Self milliseconds by function, largest first. */
export function selfTimes(p: Profile): { name: string; ms: number; share: number }[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const ms = new Map<number, number>();
  if (p.samples && p.timeDeltas) {
    // Each sample's duration is the next delta (the last sample gets the mean).
    const d = p.timeDeltas;
    for (let i = 0; i < p.samples.length; i++) {
      const dt = (i + 1 < d.length ? d[i + 1]! : (p.endTime - p.startTime) / p.samples.length) / 1000;
      ms.set(p.samples[i]!, (ms.get(p.samples[i]!) ?? 0) + dt);
    }
  } else {
    const total = p.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0);
    const per = (p.endTime - p.startTime) / 1000 / Math.max(1, total);
    for (const n of p.nodes) ms.set(n.id, (n.hitCount ?? 0) * per);
  }
  const agg = new Map<string, number>();
  let total = 0;
  for (const [id, t] of ms) {
    const n = byId.get(id)!;
    const f = n.callFrame;
    const where = f.url ? ` ${basename(f.url)}:${f.lineNumber + 1}` : "";
    const key = `${f.functionName || "(anonymous)"}${where}`;
    agg.set(key, (agg.get(key) ?? 0) + t);
    total += t;
  }
  return [...agg].map(([name, t]) => ({ name, ms: t, share: t / total })).sort((a, b) => b.ms - a.ms);
}

function main(): void {
  const argv = process.argv.slice(2);
  const file = argv.find((a) => !a.startsWith("--"));
  if (!file) {
    console.error("usage: node dist/bench/profile-top.js FILE.cpuprofile [--top 25]");
    process.exit(2);
  }
  const i = argv.indexOf("--top");
  const top = i >= 0 ? Number(argv[i + 1]) : 25;
  const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const rows = selfTimes(p);
  const total = rows.reduce((a, r) => a + r.ms, 0);
  console.log(`${basename(file)}: ${(total / 1000).toFixed(2)} s sampled (main thread)`);
  for (const r of rows.slice(0, top)) console.log(`${(r.ms / 1000).toFixed(2).padStart(8)} s ${(100 * r.share).toFixed(1).padStart(5)} %  ${r.name}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
