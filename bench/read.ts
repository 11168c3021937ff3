/**
 * Reading a numeric panel CSV into typed arrays (issue #17, "Reading"): each candidate in a fresh process,
 * printing rows, wall and CPU seconds (worker and DuckDB threads included) and peak RSS.
 *
 *  - `keytech`: `readTable` as every command calls it (7 columns, unit as `auto`, the rest `number`);
 *  - `keytech-duckdb`: `readTable(..., { engine: "duckdb" })` (no hand-written byte parser);
 *  - `keytech-text-unit`: `readTable` with the unit column asked as text (what a file with text unit ids
 *    takes: DuckDB's typed read, the text column as strings);
 *  - `duck-typed`: the floor for DuckDB — one `read_csv` with the 7 columns typed DOUBLE, missing tokens
 *    as NULL, chunks copied into Float64Arrays (`Float64Array.set` of each vector's data), nothing else;
 *  - `duck-typed-1t`: the same with DuckDB limited to one thread.
 *
 * The file is the e2e panel (bench/e2e.ts `--child-generate`), generated once in the folder.
 * Usage: node dist/bench/read.js [--sizes 2000000,10000000] [--only keytech,duck-typed] [--dir D] [--reps 1]
 * R equivalent (data.table): `Rscript -e 'system.time(d <- data.table::fread("panel_10000000.csv", nThread = 2))'`
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { loadDuckdb, sqlIdent, sqlString } from "../src/data/duck.js";
import { readTable } from "../src/data/read.js";
import { peakRssMb } from "./util.js";

const COLS = ["unit", "year", "x1", "x2", "x3", "cohort", "y"];
const CANDIDATES = ["keytech", "keytech-duckdb", "keytech-text-unit", "duck-typed", "duck-typed-1t"] as const;
type Candidate = (typeof CANDIDATES)[number];

async function duckTyped(path: string, threads: number | null): Promise<number> {
  const { DuckDBInstance, DuckDBDoubleVector } = await loadDuckdb();
  const inst = await DuckDBInstance.create(":memory:", { preserve_insertion_order: "true", ...(threads ? { threads: String(threads) } : {}) });
  const con = await inst.connect();
  try {
    const types = COLS.map((c) => `${sqlString(c)}: 'DOUBLE'`).join(", ");
    const src = `read_csv(${sqlString(path)}, header=true, nullstr=['', 'NA', 'NaN', 'nan', '.'], types={${types}})`;
    const res = await con.run(`SELECT ${COLS.map((c) => `COALESCE(${sqlIdent(c)}, 'NaN'::DOUBLE)`).join(", ")} FROM ${src}`);
    const n = res.rowCount;
    const out = COLS.map(() => new Float64Array(n));
    let off = 0;
    for (let c = 0; c < res.chunkCount; c++) {
      const ch = res.getChunk(c);
      for (let k = 0; k < COLS.length; k++) {
        const v = ch.getColumnVector(k);
        if (!(v instanceof DuckDBDoubleVector)) throw new Error("not DOUBLE");
        out[k]!.set((v as unknown as { items: Float64Array }).items, off);
      }
      off += ch.rowCount;
    }
    return n;
  } finally {
    con.closeSync();
    inst.closeSync();
  }
}

async function childRead(path: string, what: Candidate): Promise<void> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let n: number;
  if (what.startsWith("keytech")) {
    const unit = what === "keytech-text-unit" ? ("text" as const) : ("auto" as const);
    const t = await readTable(
      path,
      COLS.map((c) => ({ column: c, type: c === "unit" ? unit : ("number" as const) })),
      what === "keytech-duckdb" ? { engine: "duckdb" } : {},
    );
    n = t.nrows;
  } else n = await duckTyped(path, what === "duck-typed-1t" ? 1 : null);
  const c = process.cpuUsage(c0);
  const wall = (performance.now() - t0) / 1000;
  console.log(`RESULT ${n} ${wall} ${(c.user + c.system) / 1e6} ${peakRssMb()} ${process.uptime()}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const self = fileURLToPath(import.meta.url);
  if (args[0] === "--child") return childRead(args[1]!, args[2] as Candidate);
  const sizes = (flag("--sizes") ?? "10000000").split(",").map(Number);
  const only = (flag("--only")?.split(",") ?? [...CANDIDATES]) as Candidate[];
  const reps = Number(flag("--reps") ?? "1");
  const dir = flag("--dir") ?? mkdtempSync(join(tmpdir(), "keytech-read-"));
  const e2e = join(self, "..", "e2e.js");
  console.log(
    `keytech read benchmark (folder ${dir}; node ${process.version}; ${availableParallelism()} cores; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}; ${new Date().toISOString()})`,
  );
  for (const n of sizes) {
    const path = join(dir, `panel_${n}.csv`);
    if (!existsSync(path)) {
      const g = spawnSync(process.execPath, [e2e, "--child-generate", path, String(n)], { stdio: "inherit" });
      if (g.status !== 0) throw new Error("generation failed");
    }
    console.log(`\n${n.toLocaleString("en-US")} rows, ${COLS.length} columns: ${(statSync(path).size / 1e6).toFixed(0)} MB CSV`);
    console.log(`  R: Rscript -e 'print(system.time(d <- data.table::fread("${path}", nThread = 2)))'`);
    for (const what of only) {
      for (let r = 0; r < reps; r++) {
        const p = spawnSync(process.execPath, ["--max-old-space-size=3500", self, "--child", path, what], { encoding: "utf8" });
        if (p.status !== 0) throw new Error(`${what} failed: ${p.stderr}`);
        const m = /RESULT (\S+) (\S+) (\S+) (\S+) (\S+)/.exec(p.stdout);
        if (!m) throw new Error(`${what}: no result in ${p.stdout}`);
        console.log(
          `  ${what.padEnd(16)} ${Number(m[1]).toLocaleString("en-US")} rows  read ${Number(m[2]).toFixed(2)} s wall (cpu ${Number(m[3]).toFixed(2)} s)` +
            `  process ${Number(m[5]).toFixed(2)} s  peak RSS ${Number(m[4]).toFixed(0)} MB  load ${loadavg()[0]!.toFixed(2)}`,
        );
      }
    }
  }
  if (!args.includes("--keep") && !flag("--dir")) rmSync(dir, { recursive: true, force: true });
}

await main();
