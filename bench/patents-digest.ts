/**
 * Bit-identity check of the patent measure stage: reads a corpus (e.g. the one bench/measure.ts or
 * bench/gen-patents.ts wrote) with `readPatents` (ids kept, citations on) and runs `measureFromTable` and
 * `measurePatentPanel` on it, then prints one sha-256 per field of the table and of the results (typed
 * arrays by their bytes, everything else as JSON; wall seconds left out). Run before and after a change and
 * diff the output.
 *
 *   node --max-old-space-size=6144 dist/bench/patents-digest.js FILE
 *   node dist/bench/patents-digest.js FILE --stream    (the streamed stage: compare with the `panel.` lines)
 */
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";

const FIRST = 2000;
const LAST = 2021;
const COUNTIES = 435;

/** One line per leaf path: `path  sha256(bytes)`; `seconds` fields skipped (timings). */
function digest(prefix: string, v: unknown, out: string[]): void {
  if (ArrayBuffer.isView(v)) {
    const b = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    out.push(`${prefix}  ${createHash("sha256").update(b).digest("hex")}  (${v.byteLength} bytes)`);
    return;
  }
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    for (const k of Object.keys(v).sort()) if (k !== "seconds") digest(`${prefix}.${k}`, (v as Record<string, unknown>)[k], out);
    return;
  }
  if (Array.isArray(v) && v.some((x) => ArrayBuffer.isView(x) || (x !== null && typeof x === "object"))) {
    v.forEach((x, i) => digest(`${prefix}[${i}]`, x, out));
    return;
  }
  const s = JSON.stringify(v, (_k, x: unknown) => (typeof x === "number" && !Number.isFinite(x) ? String(x) : x)) ?? "undefined";
  out.push(`${prefix}  ${createHash("sha256").update(s).digest("hex")}`);
}

async function main(): Promise<void> {
  const file = process.argv[2]!;
  if (process.argv.includes("--stream")) {
    // The streamed stage (src/patents/stream.ts): its `panel.*` lines must equal the in-memory run's.
    const { loadMapping } = await import("../src/patents/mapping.js");
    const { measurePatentPanelStream } = await import("../src/patents/stream.js");
    const years = Array.from({ length: LAST - FIRST + 1 }, (_, i) => FIRST + i);
    const counties = Array.from({ length: COUNTIES }, (_, i) => String(110000 + i * 37));
    const m = await measurePatentPanelStream(
      file,
      { mapping: loadMapping("default"), onBadIpc: "fail" },
      { level: "subclass", keyTech: { taxonomy: "cnipa-provisional" }, regions: counties, years, idf: "seed", rcaWindow: 3 },
    );
    const { stream: _info, ...rest } = m;
    const out: string[] = [];
    digest("panel", rest, out);
    console.log(out.join("\n"));
    return;
  }
  const years = Array.from({ length: LAST - FIRST + 1 }, (_, i) => FIRST + i);
  const counties = Array.from({ length: COUNTIES }, (_, i) => String(110000 + i * 37));
  const { loadMapping } = await import("../src/patents/mapping.js");
  const { readPatents } = await import("../src/patents/read.js");
  const { measurePatentPanel } = await import("../src/patents/pipeline.js");
  const { measureFromTable, measureOptionsSchema } = await import("../src/study/measure.js");
  const mapping = loadMapping("default");
  const out: string[] = [];
  const withIds = await readPatents(file, { mapping, level: "subclass", onBadIpc: "fail", region: true, applicant: true, citations: "auto" });
  digest("readIds", withIds, out);
  const table = await readPatents(file, { mapping, level: "subclass", onBadIpc: "fail", region: true, citations: "auto", ids: false });
  digest("read", table, out);
  const m = measurePatentPanel(table, { level: "subclass", keyTech: { taxonomy: "cnipa-provisional" }, regions: counties, years, idf: "seed", rcaWindow: 3 });
  digest("panel", m, out);
  const s = await measureFromTable(withIds, measureOptionsSchema.parse({}), { units: counties, years });
  digest("study", s, out);
  const c = await measureFromTable(table, measureOptionsSchema.parse({ same_year: "byDate", outcome: "sum" }), {
    units: counties,
    years,
    clusterOfUnit: counties.map((_, i) => String(i % 7)),
  });
  digest("studyClusters", c, out);
  console.log(out.join("\n"));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
