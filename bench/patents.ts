/**
 * Patent benchmark: a seeded generator of realistic corpora (Zipf-skewed IPC codes, 1–6 codes per
 * patent, ~8 % yearly growth over 2000–2021, Zipf-skewed regions and applicants, citations to earlier
 * patents) at 1M and 10M patents, written to CSV and Parquet in a temp dir; then the time and peak RSS
 * of `patents score` and `patents panel` (each measured in its own child process), and the pairwise
 * way's time extrapolated from the O(N²) oracle on a sample.
 *
 *   node dist/bench/patents.js [--sizes 1000000,10000000] [--format parquet|csv] [--seed 1] [--dir DIR] [--keep]
 *
 * `--dir DIR` keeps the generated corpora there and reuses them on the next run (same size and seed).
 * Each command's line gives wall seconds, process CPU seconds (all threads, DuckDB's included), peak RSS
 * and the 1-minute load average at its start (a loaded machine inflates wall time).
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { DuckDBInstance } from "@duckdb/node-api";
import { Rng } from "../src/core/rng.js";
import { draw, peakRssMb, zipfCdf } from "./util.js";

const FIRST = 2000;
const LAST = 2021;

/** Write a synthetic patents CSV (id,date,region,applicant,ipc,cited) with n rows; returns bytes. */
export function generateCsv(path: string, n: number, seed: number): number {
  const rng = new Rng(seed);
  // Vocabulary: 400 subclasses × groups × subgroups, ranked by a Zipf law.
  const letters = "ABCDEFGH";
  const codes: string[] = [];
  for (let i = 0; codes.length < 60000; i++) {
    const sub = `${letters[i % 8]}${String(1 + ((i * 7) % 99)).padStart(2, "0")}${String.fromCharCode(65 + ((i * 13) % 26))}`;
    const grp = 1 + ((i * 31) % 97);
    const sg = String((i * 17) % 100).padStart(2, "0");
    codes.push(`${sub} ${grp}/${sg}`);
  }
  const codeCdf = zipfCdf(codes.length, 1.05);
  const regionCdf = zipfCdf(2800, 0.9);
  const nApplicants = Math.max(100, Math.floor(n / 20));
  const appCdf = zipfCdf(Math.min(nApplicants, 200000), 1.0);
  // Yearly counts with 8 % growth.
  const T = LAST - FIRST + 1;
  const w = Array.from({ length: T }, (_, t) => Math.pow(1.08, t));
  const ws = w.reduce((a, b) => a + b, 0);
  const counts = w.map((x) => Math.floor((n * x) / ws));
  counts[T - 1]! += n - counts.reduce((a, b) => a + b, 0);
  const fd = openSync(path, "w");
  let buf = "id,date,region,applicant,ipc,cited\n";
  const md: string[] = [];
  for (let m = 1; m <= 12; m++) for (let d = 1; d <= 28; d++) md.push(`-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`);
  const regionName = Array.from({ length: regionCdf.length }, (_, i) => `R${i}`);
  let id = 0;
  for (let t = 0; t < T; t++) {
    const y = FIRST + t;
    for (let i = 0; i < counts[t]!; i++) {
      const m = rng.int(12);
      const d = rng.int(28);
      const k = 1 + Math.min(5, Math.floor(-Math.log(1 - rng.uniform()) * 1.5));
      const focus = draw(codeCdf, rng.uniform()); // codes of one patent cluster around a focus code
      const list: string[] = [];
      for (let j = 0; j < k; j++) list.push(codes[j === 0 || rng.uniform() < 0.5 ? (focus + rng.int(3)) % codes.length : draw(codeCdf, rng.uniform())]!);
      const nc = id === 0 ? 0 : rng.int(8);
      const cited: string[] = [];
      for (let j = 0; j < nc; j++) cited.push(rng.uniform() < 0.03 ? `X${rng.int(1e6)}` : `P${rng.int(id)}`);
      buf += `P${id},${y}${md[m * 28 + d]},${regionName[draw(regionCdf, rng.uniform())]},A${draw(appCdf, rng.uniform())},${list.join(";")},${cited.join(";")}\n`;
      id++;
      if (buf.length > 1 << 22) {
        writeSync(fd, buf);
        buf = "";
      }
    }
  }
  writeSync(fd, buf);
  closeSync(fd);
  return statSync(path).size;
}

async function toParquet(csv: string, pq: string): Promise<void> {
  const inst = await DuckDBInstance.create(":memory:", { threads: "2" });
  const conn = await inst.connect();
  await conn.run(`COPY (SELECT * FROM read_csv('${csv}', header=true, all_varchar=true)) TO '${pq}' (FORMAT parquet, ROW_GROUP_SIZE 122880)`);
  conn.closeSync();
  inst.closeSync();
}

function runMeasured(args: string[]): { seconds: number; peakMb: number; cpu: number; ok: boolean; stderr: string; load: number } {
  const load = loadavg()[0]!;
  const main = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
  const probe = fileURLToPath(new URL("./patents.js", import.meta.url));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["--max-old-space-size=6144", probe, "--child", main, ...args], {
    encoding: "utf8",
    env: { ...process.env, KEYTECH_NO_PROGRESS: "1" },
  });
  const seconds = (performance.now() - t0) / 1000;
  const m = /PEAK_RSS_MB=(\d+(?:\.\d+)?) CPU_S=(\d+(?:\.\d+)?)/.exec(r.stderr);
  return {
    seconds,
    load,
    peakMb: m ? Number(m[1]) : Number.NaN,
    cpu: m ? Number(m[2]) : Number.NaN,
    ok: r.status === 0,
    stderr: r.stderr
      .split("\n")
      .filter((l) => !l.startsWith("PEAK_RSS"))
      .slice(-4)
      .join("\n"),
  };
}

async function child(main: string, args: string[]): Promise<void> {
  process.argv = [process.argv[0]!, main, ...args];
  process.on("exit", () => {
    const u = process.cpuUsage();
    process.stderr.write(`PEAK_RSS_MB=${peakRssMb().toFixed(0)} CPU_S=${((u.user + u.system) / 1e6).toFixed(1)}\n`);
  });
  await import(main);
}

async function pairwiseEstimate(csv: string): Promise<{ n: number; seconds: number }> {
  // The O(N²) oracle on the first 3,000 patents of the latest years (dense windows), timed.
  const { readPatents, termCorpus } = await import("../src/patents/read.js");
  const { loadMapping } = await import("../src/patents/mapping.js");
  const { scorePatentsPairwise } = await import("../src/patents/scores-pairwise.js");
  const { subCorpus } = await import("../src/patents/pipeline.js");
  const t = await readPatents(csv, { mapping: loadMapping("default"), level: "group", onBadIpc: "fail", region: false, applicant: false });
  const c = termCorpus(t, "group");
  const keep = new Uint8Array(c.n);
  const step = Math.max(1, Math.floor(c.n / 3000));
  for (let p = 0; p < c.n; p += step) keep[p] = 1;
  const sub = subCorpus(c, keep).corpus;
  const t0 = performance.now();
  scorePatentsPairwise(sub, {});
  return { n: sub.n, seconds: (performance.now() - t0) / 1000 };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--child") return child(argv[1]!, argv.slice(2));
  const opt = (name: string, def: string): string => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1]! : def;
  };
  const sizes = opt("--sizes", "1000000,10000000").split(",").map(Number);
  const format = opt("--format", "parquet");
  const seed = Number(opt("--seed", "1"));
  const fixedDir = argv.includes("--dir") ? opt("--dir", "") : null;
  const dir = fixedDir ?? mkdtempSync(join(tmpdir(), "kt-bench-patents-"));
  if (fixedDir) mkdirSync(fixedDir, { recursive: true });
  const keep = argv.includes("--keep") || fixedDir !== null;
  console.log(`patents bench: sizes ${sizes.join(", ")}, format ${format}, seed ${seed}, dir ${dir}`);
  const line = (label: string, n: number, r: ReturnType<typeof runMeasured>, note = ""): void =>
    console.log(
      `  ${label.padEnd(22)} N=${n}: ${r.seconds.toFixed(1)} s wall, ${r.cpu} s CPU (all threads), peak RSS ${r.peakMb} MB, load ${r.load.toFixed(1)}${note}${r.ok ? "" : "  FAILED: " + r.stderr}`,
    );
  try {
    for (const n of sizes) {
      const csv = join(dir, `p${n}-s${seed}.csv`);
      const pq = join(dir, `p${n}-s${seed}.parquet`);
      let t0 = performance.now();
      const needCsv = !existsSync(csv) && (format === "csv" || !existsSync(pq) || n === sizes[0]);
      if (needCsv) {
        const bytes = generateCsv(csv, n, seed);
        console.log(`generate ${n} patents: ${(bytes / 1e6).toFixed(0)} MB CSV in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }
      let input = csv;
      if (format === "parquet") {
        input = pq;
        if (!existsSync(pq)) {
          t0 = performance.now();
          await toParquet(csv, pq);
          console.log(`  → Parquet ${(statSync(pq).size / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        }
      }
      line("patents score → CSV", n, runMeasured(["patents", "score", "--patents", input, "--out", join(dir, `s${n}.csv`)]));
      line("patents score → Parquet", n, runMeasured(["patents", "score", "--patents", input, "--out", join(dir, `s${n}.parquet`)]));
      line(
        "patents panel",
        n,
        runMeasured(["patents", "panel", "--patents", input, "--out", join(dir, `panel${n}.csv`), "--taxonomy", "wipo-digital"]),
        " (WIPO digital filter, scores + citations)",
      );
      if (n === sizes[0]) {
        if (!existsSync(csv)) generateCsv(csv, n, seed);
        const pw = await pairwiseEstimate(csv);
        const scale = (m: number): number => pw.seconds * (m / pw.n) ** 2;
        console.log(
          `  pairwise oracle on ${pw.n} patents: ${pw.seconds.toFixed(2)} s → extrapolated O(N²): 1M ≈ ${(scale(1e6) / 3600).toFixed(0)} h, 10M ≈ ${(scale(1e7) / 86400).toFixed(0)} days`,
        );
      }
      rmSync(join(dir, `s${n}.csv`), { force: true });
      rmSync(join(dir, `s${n}.parquet`), { force: true });
      if (!keep) rmSync(csv, { force: true });
    }
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
