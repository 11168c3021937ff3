/**
 * End-to-end benchmark: CSV → estimate, as a user runs it. Generates a staggered-adoption county-year-like
 * panel (unit, year, 3 covariates, cohort, y) of 2M and 10M rows with DuckDB into a temp folder, then in a
 * fresh process for each size: reads the CSV and estimates the TWFE DID (3 covariates, clustered by
 * unit), then reads it again and estimates the event study (window −4:5, binned endpoints, 3 covariates),
 * printing seconds per step and peak RSS.
 * Reference (issue #2, R fixest 0.14, 2 threads, 10M rows): 0.9 s to read the CSV, 41 s and 8.5 GB for
 * the whole process (read + TWFE + event study). Goal: whole process in half the time within 4 GB.
 *
 * Usage: node dist/bench/e2e.js [--sizes 2000000,10000000] [--keep] [--dir D]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { openDuck, sqlString } from "../src/data/duck.js";
import { twfeAnalysis } from "../src/study/analyses/twfe.js";
import { eventAnalysis } from "../src/study/analyses/event.js";
import { peakRssMb } from "./util.js";

const T = 20; // years 2000..2019

/** Deterministic pseudo-random panel via DuckDB's hash(): same file for the same n. */
async function generate(path: string, n: number): Promise<void> {
  const units = Math.ceil(n / T);
  const u = (k: number, expr: string) => `((hash(${expr} * 7919 + ${k}) % 1000003)::DOUBLE / 1000003.0)`;
  const duck = await openDuck();
  try {
    await duck.con.run(`
      COPY (
        WITH base AS (
          SELECT (i // ${T}) + 1 AS unit, 2000 + (i % ${T}) AS year, i,
                 [0, 0, 2005, 2008, 2011, 2014][((hash((i // ${T}) * 31 + 5) % 6) + 1)::BIGINT] AS cohort
          FROM range(${units * T}) t(i) WHERE i < ${n}
        ),
        v AS (
          SELECT unit, year, cohort,
                 ${u(1, "i")} + ${u(2, "i")} - 1 AS x1,
                 ${u(3, "i")} * 2 - 1 AS x2,
                 ${u(4, "i")} + ${u(5, "i")} + ${u(6, "i")} - 1.5 AS x3,
                 ${u(7, "unit")} * 4 AS a_unit,
                 (year - 2000) * 0.05 AS g_year,
                 ${u(8, "i")} - 0.5 AS e
          FROM base
        )
        SELECT unit, year, round(x1, 6) AS x1, round(x2, 6) AS x2, round(x3, 6) AS x3, cohort,
               round(a_unit + g_year + 0.5 * x1 - 0.3 * x2 + 0.1 * x3
                     + CASE WHEN cohort > 0 AND year >= cohort THEN 1.0 ELSE 0.0 END + e, 6) AS y
        FROM v ORDER BY unit, year
      ) TO ${sqlString(path)} (HEADER, DELIMITER ',')`);
  } finally {
    duck.close();
  }
}

function cpuSeconds(c0: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

/** One command, in this fresh process: what `keytech did twfe` / `keytech did event` do on the CSV. */
async function runOne(path: string, what: "twfe" | "event"): Promise<void> {
  const cols = { data: path, y: "y", unit: "unit", time: "year", cohort: "cohort", x: ["x1", "x2", "x3"] };
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = what === "twfe" ? await twfeAnalysis(cols) : await eventAnalysis({ ...cols, window: [-4, 5] });
  const secs = (performance.now() - t0) / 1000;
  const first = r.estimates[0]!;
  const label = what === "twfe" ? "read CSV + TWFE (3 covariates, cluster by unit)" : "read CSV + event study (-4:5 binned, 3 cov.)";
  console.log(`  ${label.padEnd(50)} ${secs.toFixed(2)} s (cpu ${cpuSeconds(c0).toFixed(1)} s)   peak RSS ${peakRssMb().toFixed(0)} MB   [${r.nobs} rows, ${first.term} ${first.estimate!.toFixed(4)}${what === "event" ? `, pre-trend F ${(r.pretrend_wald as { stat: number } | null)?.stat.toFixed(3)}` : ""}]`);
  console.log(`RESULT ${what} ${secs} ${peakRssMb()}`);
}

/** Reading only (DuckDB → typed arrays), for the read-time comparison with data.table's fread. */
async function readOnly(path: string): Promise<void> {
  const { readTable } = await import("../src/data/read.js");
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const t = await readTable(path, ["unit", "year", "x1", "x2", "x3", "cohort", "y"].map((c) => ({ column: c, type: "number" as const })));
  console.log(`  ${`read CSV only (${t.nrows} rows, 7 numeric columns)`.padEnd(50)} ${((performance.now() - t0) / 1000).toFixed(2)} s (cpu ${cpuSeconds(c0).toFixed(1)} s)   peak RSS ${peakRssMb().toFixed(0)} MB`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const self = fileURLToPath(import.meta.url);
  if (args[0] === "--child-generate") return generate(args[1]!, Number(args[2]));
  if (args[0] === "--child-run") return runOne(args[1]!, args[2] as "twfe" | "event");
  if (args[0] === "--child-read") return readOnly(args[1]!);
  const sizes = (flag("--sizes") ?? "2000000,10000000").split(",").map(Number);
  const dir = flag("--dir") ?? mkdtempSync(join(tmpdir(), "keytech-bench-"));
  console.log(`keytech e2e benchmark (temp folder ${dir}; node ${process.version}; ${new Date().toISOString()})`);
  for (const n of sizes) {
    const path = join(dir, `panel_${n}.csv`);
    const t = performance.now();
    if (!existsSync(path)) {
      const g = spawnSync(process.execPath, [self, "--child-generate", path, String(n)], { stdio: "inherit" });
      if (g.status !== 0) throw new Error("generation failed");
    }
    console.log(`\n${n.toLocaleString("en-US")} rows: ${(statSync(path).size / 1e6).toFixed(0)} MB CSV (generated or reused in ${((performance.now() - t) / 1000).toFixed(1)} s)`);
    spawnSync(process.execPath, [self, "--child-read", path], { stdio: "inherit" });
    let total = 0, peak = 0;
    for (const what of ["twfe", "event"]) {
      const r = spawnSync(process.execPath, ["--max-old-space-size=3500", self, "--child-run", path, what], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`${what} failed: ${r.stderr}`);
      for (const line of r.stdout.split("\n")) {
        const m = /^RESULT \S+ (\S+) (\S+)/.exec(line);
        if (m) {
          total += Number(m[1]);
          peak = Math.max(peak, Number(m[2]));
        } else if (line) console.log(line);
      }
    }
    console.log(`  ${"whole job (twfe + event, two processes)".padEnd(50)} ${total.toFixed(2)} s   peak RSS ${peak.toFixed(0)} MB`);
  }
  if (!args.includes("--keep") && !flag("--dir")) rmSync(dir, { recursive: true, force: true });
}

await main();
