/**
 * Measure-stage benchmark (issue #12): a seeded N-patent corpus shaped like the reference study — 435
 * counties × 22 filing years 2000–2021 (≈ 8 % yearly growth, Zipf-sized counties, each county tilted
 * towards a few technology areas), IPC subgroups drawn Zipf-skewed from the main groups of
 * assets/simulate/ipc_pool.csv and the prefixes of assets/taxonomies/cnipa_key_digital_provisional.csv
 * (about half of the patents in key-digital areas), 1–6 codes per patent clustered in one area, applicant
 * ids per county, 0–12 citations to patents filed 1–5 years earlier (a third in the same county, 2 %
 * unknown ids, 0.1 % later-filed as data errors) — written as CSV to a temp folder (never the repo).
 * Then, each in its own child process (so the generator's memory does not count):
 *   study    measureFromFile (src/study/measure.ts: read once, then every measured column);
 *   patents  readPatents + measurePatentPanel (src/patents/pipeline.ts), seconds per step;
 *   legacy   (with --legacy) panelFromFile + diffusionFromFile + cospecialisationFromFile, three reads.
 * Each line: wall seconds and the child's peak RSS so far.
 *
 *   node dist/bench/measure.js [--n 1000000] [--seed 1] [--dir DIR] [--only study|patents|patents-stream|legacy] [--legacy] [--stream] [--keep]
 * `--stream` (or `--only patents-stream`) adds the streamed patent stage (src/patents/stream.ts); its child alone:
 * `node dist/bench/measure.js --child patents-stream FILE` (CSV or Parquet, e.g. bench/gen-patents.ts's).
 *
 * `--dir DIR` keeps the corpus there and reuses it (same N and seed). Profile one child with
 * `node --cpu-prof dist/bench/measure.js --child patents FILE`.
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { Rng } from "../src/core/rng.js";
import { draw, peakRssMb, zipfCdf } from "./util.js";
import { areaGroups, COUNTIES, FIRST, LAST } from "./corpus-shape.js";

/** Write the corpus CSV (id,date,region,applicant,ipc,cited); returns bytes and the county names. */
export function generateStudyCorpus(path: string, n: number, seed: number): { bytes: number; counties: string[] } {
  const rng = new Rng(seed);
  const groups = areaGroups();
  const areas = [...groups.keys()].filter((a) => a !== "other");
  // Each area's subgroup vocabulary: every main group × 40 subgroups, Zipf-ranked.
  const vocab = new Map<string, string[]>();
  for (const [a, gs] of groups) {
    const v: string[] = [];
    for (let k = 0; k < 40; k++) for (const g of gs) v.push(`${g}/${k === 0 ? "00" : String(k * 2).padStart(2, "0")}`);
    vocab.set(a, v);
  }
  const vocabCdf = new Map([...vocab].map(([a, v]) => [a, zipfCdf(v.length, 1.1)]));
  const areaCdf = zipfCdf(areas.length, 0.8);
  const countyCdf = zipfCdf(COUNTIES, 0.7);
  const counties = Array.from({ length: COUNTIES }, (_, i) => String(110000 + i * 37));
  // County tilt: a preferred area and a digital propensity around 0.5.
  const prefArea = Int32Array.from({ length: COUNTIES }, () => rng.int(areas.length));
  const digitalP = Float64Array.from({ length: COUNTIES }, () => Math.min(0.9, Math.max(0.1, 0.5 + 0.15 * rng.normal())));
  const appsPerCounty = Math.max(20, Math.floor(n / COUNTIES / 15));
  const appCdf = zipfCdf(appsPerCounty, 1.0);
  const T = LAST - FIRST + 1;
  const w = Array.from({ length: T }, (_, t) => Math.pow(1.08, t));
  const ws = w.reduce((a, b) => a + b, 0);
  const counts = w.map((x) => Math.floor((n * x) / ws));
  counts[T - 1]! += n - counts.reduce((a, b) => a + b, 0);
  const yearStart = new Int32Array(T + 1);
  for (let t = 0; t < T; t++) yearStart[t + 1] = yearStart[t]! + counts[t]!;
  // Patents of each county so far (ids in filing order), for same-county citations.
  const byCounty = Array.from({ length: COUNTIES }, () => ({ ids: new Int32Array(64), len: 0 }));
  const md: string[] = [];
  for (let m = 1; m <= 12; m++) for (let d = 1; d <= 28; d++) md.push(`-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`);
  const fd = openSync(path, "w");
  let buf = "id,date,region,applicant,ipc,cited\n";
  let id = 0;
  for (let t = 0; t < T; t++) {
    const y = FIRST + t;
    const startLen = byCounty.map((c) => c.len);
    for (let i = 0; i < counts[t]!; i++, id++) {
      const c = draw(countyCdf, rng.uniform());
      const digital = rng.uniform() < digitalP[c]!;
      const area = digital ? (rng.uniform() < 0.4 ? areas[prefArea[c]!]! : areas[draw(areaCdf, rng.uniform())]!) : "other";
      const k = 1 + Math.min(5, Math.floor(-Math.log(1 - rng.uniform()) * 1.3));
      const list: string[] = [];
      for (let j = 0; j < k; j++) {
        const a = j === 0 || rng.uniform() < 0.7 ? area : rng.uniform() < 0.5 ? "other" : areas[draw(areaCdf, rng.uniform())]!;
        const code = vocab.get(a)![draw(vocabCdf.get(a)!, rng.uniform())]!;
        if (!list.includes(code)) list.push(code);
      }
      const cited: string[] = [];
      const nc = t === 0 ? 0 : rng.int(13);
      const lo = yearStart[Math.max(0, t - 5)]!;
      const hi = yearStart[t]!; // patents of the 5 previous years
      for (let j = 0; j < nc; j++) {
        const u = rng.uniform();
        let q: number;
        if (u < 0.02) {
          cited.push(`X${rng.int(1e7)}`);
          continue;
        } else if (u < 0.021)
          q = Math.min(n - 1, yearStart[Math.min(T, t + 1)]! + rng.int(1000)); // later-filed (data error)
        else if (u < 0.35 && startLen[c]! > 0) {
          const cc = byCounty[c]!;
          q = cc.ids[startLen[c]! - 1 - Math.floor(startLen[c]! * Math.pow(rng.uniform(), 3))]!;
        } else q = lo + rng.int(hi - lo);
        if (q >= id && u >= 0.021) continue;
        cited.push(`CN${q}`);
      }
      const bc = byCounty[c]!;
      if (bc.len === bc.ids.length) {
        const nb = new Int32Array(bc.ids.length * 2);
        nb.set(bc.ids);
        bc.ids = nb;
      }
      bc.ids[bc.len++] = id;
      buf += `CN${id},${y}${md[rng.int(336)]},${counties[c]},A${c}_${draw(appCdf, rng.uniform())},${list.join(";")},${cited.join(";")}\n`;
      if (buf.length > 1 << 22) {
        writeSync(fd, buf);
        buf = "";
      }
    }
  }
  writeSync(fd, buf);
  closeSync(fd);
  return { bytes: statSync(path).size, counties };
}

let cpuMark = 0;
/** One stage line: wall seconds, process CPU seconds since the previous line (all threads, DuckDB's too), peak RSS. */
function line(label: string, seconds: number, extra = ""): void {
  const u = process.cpuUsage();
  const cpu = (u.user + u.system) / 1e6;
  console.log(
    `  ${label.padEnd(38)} ${seconds.toFixed(2).padStart(7)} s wall ${(cpu - cpuMark).toFixed(2).padStart(7)} s CPU   peak RSS ${peakRssMb().toFixed(0).padStart(5)} MB${extra}`,
  );
  cpuMark = cpu;
}

/** Child: one measure path on the corpus, stage by stage. */
async function child(kind: string, file: string): Promise<void> {
  const years = Array.from({ length: LAST - FIRST + 1 }, (_, i) => FIRST + i);
  const counties = Array.from({ length: COUNTIES }, (_, i) => String(110000 + i * 37));
  const { loadMapping } = await import("../src/patents/mapping.js");
  const mapping = loadMapping("default");
  const t0 = performance.now();
  line("start-up (imports)", 0);
  if (kind === "study") {
    const { measureFromFile, measureOptionsSchema } = await import("../src/study/measure.js");
    const o = measureOptionsSchema.parse({});
    const m = await measureFromFile(file, mapping, o, { units: counties, years });
    line("study measureFromFile (total)", (performance.now() - t0) / 1000, `   ${m.info.patents_read} patents, ${m.info.key_digital} key-digital`);
    return;
  }
  if (kind === "legacy") {
    // The three file-level pipelines, each reading the file again (what the study did before measurePatentPanel).
    const { panelFromFile, diffusionFromFile, cospecialisationFromFile } = await import("../src/patents/pipeline.js");
    const keyTech = { taxonomy: "cnipa-provisional" };
    let t = performance.now();
    await panelFromFile(file, { mapping, level: "subclass", onBadIpc: "fail", filter: keyTech, regions: counties, years, idf: "seed" });
    line("panelFromFile (read + score + panel)", (performance.now() - t) / 1000);
    t = performance.now();
    await diffusionFromFile(file, { mapping, onBadIpc: "fail", digital: keyTech, regions: counties, years });
    line("diffusionFromFile (read + diffusion)", (performance.now() - t) / 1000);
    t = performance.now();
    await cospecialisationFromFile(file, { mapping, onBadIpc: "fail", field: "subclass", filter: keyTech, regions: counties, years, window: 3 });
    line("cospecialisationFromFile (read + rca)", (performance.now() - t) / 1000);
    line("three pipelines (total)", (performance.now() - t0) / 1000);
    return;
  }
  if (kind === "patents-stream") {
    // The streamed stage (src/patents/stream.ts): two passes over the file, bounded memory.
    const { measurePatentPanelStream } = await import("../src/patents/stream.js");
    const m = await measurePatentPanelStream(
      file,
      { mapping, onBadIpc: "fail" },
      { level: "subclass", keyTech: { taxonomy: "cnipa-provisional" }, regions: counties, years, idf: "seed", rcaWindow: 3 },
    );
    const s = m.stream;
    for (const [k, v] of Object.entries(s.seconds)) console.log(`    ${k.padEnd(36)} ${v.toFixed(2).padStart(7)} s wall`);
    line(
      "streamed stage (total)",
      (performance.now() - t0) / 1000,
      `   ${s.rows} rows, ${s.n} patents, ${s.keyTech} key-tech, ${s.citations} citations, ${s.codes} codes, ${s.terms} terms; citations ${JSON.stringify(m.citationCounts)}`,
    );
    return;
  }
  const { readPatents } = await import("../src/patents/read.js");
  const { checkTextTable } = await import("../src/patents/precheck.js");
  const { measurePatentPanel } = await import("../src/patents/pipeline.js");
  let t = performance.now();
  const bytes = file.endsWith(".parquet") ? statSync(file).size : await checkTextTable(file);
  line(`byte check (${(bytes / 1e6).toFixed(0)} MB, inside read too)`, (performance.now() - t) / 1000);
  t = performance.now();
  const table = await readPatents(file, { mapping, level: "subclass", onBadIpc: "fail", region: true, citations: "auto", ids: false });
  line(
    "read (DuckDB → typed columns)",
    (performance.now() - t) / 1000,
    `   ${table.n} patents, ${table.codeIds.length} codes, ${table.cited?.target.length ?? 0} citations`,
  );
  t = performance.now();
  const m = measurePatentPanel(table, { level: "subclass", keyTech: { taxonomy: "cnipa-provisional" }, regions: counties, years, idf: "seed", rcaWindow: 3 });
  const total = (performance.now() - t) / 1000;
  for (const [k, v] of Object.entries(m.seconds)) console.log(`    ${k.padEnd(36)} ${v.toFixed(2).padStart(7)} s wall`);
  line("measurePatentPanel (total)", total, `   ${m.keyTech} key-tech; citations ${JSON.stringify(m.citationCounts)}`);
  line("read + measure", (performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--child") return child(argv[1]!, argv[2]!);
  const opt = (name: string, def: string): string => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1]! : def;
  };
  const n = Number(opt("--n", "1000000"));
  const seed = Number(opt("--seed", "1"));
  const only = opt("--only", "");
  const fixedDir = argv.includes("--dir") ? opt("--dir", "") : null;
  const dir = fixedDir ?? mkdtempSync(join(tmpdir(), "kt-bench-measure-"));
  if (fixedDir) mkdirSync(fixedDir, { recursive: true });
  const keep = argv.includes("--keep") || fixedDir !== null;
  const file = join(dir, `study-${n}-s${seed}.csv`);
  console.log(`measure bench: N = ${n}, seed ${seed}, ${COUNTIES} counties × ${LAST - FIRST + 1} years, dir ${dir}`);
  try {
    if (!existsSync(file)) {
      const t0 = performance.now();
      const g = generateStudyCorpus(file, n, seed);
      console.log(`generate: ${(g.bytes / 1e6).toFixed(0)} MB CSV in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } else console.log(`reuse ${file} (${(statSync(file).size / 1e6).toFixed(0)} MB)`);
    const self = fileURLToPath(import.meta.url);
    for (const kind of ["patents", "patents-stream", "study", "legacy"]) {
      if (only ? only !== kind : (kind === "legacy" && !argv.includes("--legacy")) || (kind === "patents-stream" && !argv.includes("--stream"))) continue;
      console.log(`${kind}: (1-minute load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`);
      const t0 = performance.now();
      const r = spawnSync(process.execPath, ["--max-old-space-size=6144", self, "--child", kind, file], {
        stdio: ["ignore", "inherit", "pipe"],
        encoding: "utf8",
        env: { ...process.env, KEYTECH_NO_PROGRESS: "1" },
      });
      console.log(
        `  ${"child process wall (incl. start-up)".padEnd(34)} ${((performance.now() - t0) / 1000).toFixed(2).padStart(7)} s${r.status === 0 ? "" : "   FAILED: " + r.stderr.split("\n").slice(-5).join(" | ")}`,
      );
    }
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
