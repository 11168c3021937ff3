/**
 * Summarise a V8 CPU profile (`node --cpu-prof …` writes CPU.*.cpuprofile): the top functions by self
 * time (samples whose leaf frame is the function), with their share of the profile and total time
 * (self + callees, each sample counted once per function).
 * Usage: node dist/bench/cpuprofile-top.js FILE.cpuprofile [--top 15]
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (!file) {
  console.error("usage: node dist/bench/cpuprofile-top.js FILE.cpuprofile [--top 15]");
  process.exit(2);
}
const k = process.argv.indexOf("--top");
const top = k >= 0 ? Number(process.argv[k + 1]) : 15;
const prof = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const key = (n: Node) => {
  const f = n.callFrame;
  const where = f.url ? `${basename(f.url)}:${f.lineNumber + 1}` : "";
  return `${f.functionName || "(anonymous)"} ${where}`.trim();
};
// Time per sample: the delta to the next sample (the last sample gets the mean).
const dt = new Float64Array(prof.samples.length);
for (let i = 0; i < prof.samples.length; i++) dt[i] = (i + 1 < prof.timeDeltas.length ? prof.timeDeltas[i + 1]! : 0) / 1000;
const self = new Map<string, number>(),
  total = new Map<string, number>();
let all = 0,
  idle = 0;
for (let i = 0; i < prof.samples.length; i++) {
  const n = byId.get(prof.samples[i]!)!;
  const t = dt[i]!;
  all += t;
  const name = key(n);
  if (name.startsWith("(idle)") || name.startsWith("(program)") || name.startsWith("(garbage")) {
    if (name.startsWith("(idle)")) idle += t;
  }
  self.set(name, (self.get(name) ?? 0) + t);
  const seen = new Set<string>();
  for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
    const nm = key(byId.get(id)!);
    if (seen.has(nm)) continue;
    seen.add(nm);
    total.set(nm, (total.get(nm) ?? 0) + t);
  }
}
console.log(`${basename(file)}: ${(all / 1000).toFixed(2)} s sampled (${((all - idle) / 1000).toFixed(2)} s busy), ${prof.samples.length} samples`);
console.log(`${"self ms".padStart(10)} ${"self %".padStart(7)} ${"total ms".padStart(10)}  function`);
for (const [name, t] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${t.toFixed(0).padStart(10)} ${((100 * t) / all).toFixed(1).padStart(6)}% ${(total.get(name) ?? 0).toFixed(0).padStart(10)}  ${name}`);
}
