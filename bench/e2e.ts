/**
 * End-to-end benchmark: CSV → estimate, as a user runs it. Generates a staggered-adoption county-year-like
 * panel (unit, year, 3 covariates, cohort, y) of 10M rows (528 MB) with DuckDB into a temp folder, then in
 * fresh processes: (1) reads the CSV only; (2) the whole job as one R session does it: reads the file once,
 * estimates the TWFE DID (3 covariates, clustered by unit) and the event study (window −4:5, binned
 * endpoints, 3 covariates) — printing wall and CPU seconds (worker threads included) per step and for
 * the whole process, and peak RSS; (3) with --separate, `did twfe` and `did event` as two processes.
 * Reference (issue #2, R fixest 0.14, 2 threads, 10M rows): 0.9 s to read the CSV, 41 s and 8.5 GB for
 * the whole process (read + TWFE + event study). Goal: whole process in half the time within 4 GB.
 *
 * `--steps` picks the fresh processes (comma list, default `read,job`): `read` (reading only), `twfe` (the
 * whole `keytech did twfe` process: start-up, read + hash, TWFE — the issue #17 "CSV → TWFE" row), `job`
 * (read once, TWFE, event study), `event` (`did event` alone). `--separate` = `twfe,event` added.
 * R equivalent of `twfe` (fixest 0.14, 2 threads): `Rscript -e 'library(fixest); setFixest_nthreads(2);
 * d <- data.table::fread("panel_10000000.csv"); d[, treat_post := as.numeric(cohort > 0 & year >= cohort)];
 * print(system.time(print(feols(y ~ treat_post + x1 + x2 + x3 | unit + year, d, cluster = ~unit))))'`
 *
 * Measured here on 2026-12-06 with fixest 0.12.1 (built from its GitHub tag with Debian's R 4.2.2, Rcpp,
 * data.table): `bench/fixest-time.R PANEL twfe|event 2` times fread and feols separately and prints the
 * coefficients and SEs; figures in bench/README.md ("Issue #17: R fixest measured here").
 *
 * Usage: node dist/bench/e2e.js [--sizes 10000000] [--steps read,twfe,job,event] [--separate] [--keep] [--dir D]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { openDuck, sqlString } from "../src/data/duck.js";
import { readTable } from "../src/data/read.js";
import { twfeAnalysis } from "../src/analyses/twfe.js";
import { eventAnalysis } from "../src/analyses/event.js";
import { readDidData } from "../src/analyses/did-prep.js";
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

function cpuSeconds(c0?: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

const COLS = { y: "y", unit: "unit", time: "year", cohort: "cohort", x: ["x1", "x2", "x3"] };

/** Wall and CPU seconds of one step (CPU of the whole process: worker threads included). */
async function step<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const v = await fn();
  console.log(
    `  ${label.padEnd(52)} ${((performance.now() - t0) / 1000).toFixed(2)} s (cpu ${cpuSeconds(c0).toFixed(1)} s)   peak RSS ${peakRssMb().toFixed(0)} MB`,
  );
  return v;
}

/**
 * The whole job in one fresh process, as one R session does it (fread, then feols twice): read the file
 * once (with its provenance hash), estimate the TWFE DID, then the event study on the same data.
 */
async function wholeJob(path: string): Promise<void> {
  const o = { data: path, ...COLS };
  const data = await step("read CSV once (+ sha256 for provenance)", () => readDidData(o));
  const tw = await step("TWFE (treat_post + 3 covariates, cluster by unit)", () => twfeAnalysis({ ...o, preloaded: data }));
  const ev = await step("event study (-4:5 binned, 3 covariates, cluster)", () => eventAnalysis({ ...o, window: [-4, 5], preloaded: data }));
  const first = ev.estimates[0]!;
  console.log(
    `     [${tw.nobs} rows; treat_post ${tw.estimates[0]!.estimate!.toFixed(5)}; ${first.term} ${first.estimate!.toFixed(5)}; pre-trend F ${(ev.pretrend_wald as { stat: number } | null)?.stat.toFixed(3)}]`,
  );
  // from process start: node start-up and module loading included
  console.log(
    `  ${"whole process (start-up, read, TWFE, event study)".padEnd(52)} ${process.uptime().toFixed(2)} s (cpu ${cpuSeconds().toFixed(1)} s)   peak RSS ${peakRssMb().toFixed(0)} MB`,
  );
  console.log(`RESULT ${process.uptime()} ${peakRssMb()} ${cpuSeconds()}`);
}

/** One separate command in this fresh process: what `keytech did twfe` / `keytech did event` do on the CSV. */
async function runOne(path: string, what: "twfe" | "event"): Promise<void> {
  const o = { data: path, ...COLS };
  const r = await step(what === "twfe" ? "keytech did twfe (read + TWFE)" : "keytech did event (read + event study)", () =>
    what === "twfe" ? twfeAnalysis(o) : eventAnalysis({ ...o, window: [-4, 5] }),
  );
  console.log(
    `  ${"whole process (start-up, read, estimate)".padEnd(52)} ${process.uptime().toFixed(2)} s (cpu ${cpuSeconds().toFixed(1)} s)   peak RSS ${peakRssMb().toFixed(0)} MB   [${r.nobs} rows]`,
  );
  console.log(`RESULT ${process.uptime()} ${peakRssMb()} ${cpuSeconds()}`);
}

/** Reading only (typed arrays), for the read-time comparison with data.table's fread. */
async function readOnly(path: string): Promise<void> {
  const t = await step("read CSV only (7 numeric columns, no hash)", () =>
    readTable(
      path,
      ["unit", "year", "x1", "x2", "x3", "cohort", "y"].map((c) => ({ column: c, type: "number" as const })),
    ),
  );
  console.log(`     [${t.nrows} rows]`);
  console.log(`RESULT ${process.uptime()} ${peakRssMb()} ${cpuSeconds()}`);
}

/** The R command (data.table fread + fixest feols, 2 threads) doing what `did twfe` does on the file. */
function rTwfe(path: string): string {
  return (
    `Rscript -e 'library(fixest); setFixest_nthreads(2); t0 <- proc.time(); d <- data.table::fread("${path}", nThread = 2); ` +
    `d[, treat_post := as.numeric(cohort > 0 & year >= cohort)]; print(feols(y ~ treat_post + x1 + x2 + x3 | unit + year, d, cluster = ~unit)); print(proc.time() - t0)'`
  );
}

function child(self: string, args: string[]): { total: number; peak: number } {
  const r = spawnSync(process.execPath, ["--max-old-space-size=3500", self, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed: ${r.stderr}`);
  let total = 0,
    peak = 0;
  for (const line of r.stdout.split("\n")) {
    const m = /^RESULT (\S+) (\S+)/.exec(line);
    if (m) {
      total += Number(m[1]);
      peak = Math.max(peak, Number(m[2]));
    } else if (line) console.log(line);
  }
  return { total, peak };
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
  if (args[0] === "--child-job") return wholeJob(args[1]!);
  const sizes = (flag("--sizes") ?? "10000000").split(",").map(Number);
  const steps = new Set((flag("--steps") ?? "read,job").split(","));
  if (args.includes("--separate")) ["twfe", "event"].forEach((x) => steps.add(x));
  const dir = flag("--dir") ?? mkdtempSync(join(tmpdir(), "keytech-bench-"));
  console.log(
    `keytech e2e benchmark (temp folder ${dir}; node ${process.version}; ${availableParallelism()} cores; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}; ${new Date().toISOString()})`,
  );
  for (const n of sizes) {
    const path = join(dir, `panel_${n}.csv`);
    const t = performance.now();
    if (!existsSync(path)) {
      const g = spawnSync(process.execPath, [self, "--child-generate", path, String(n)], { stdio: "inherit" });
      if (g.status !== 0) throw new Error("generation failed");
    }
    console.log(
      `\n${n.toLocaleString("en-US")} rows: ${(statSync(path).size / 1e6).toFixed(0)} MB CSV (generated or reused in ${((performance.now() - t) / 1000).toFixed(1)} s)`,
    );
    if (steps.has("read")) child(self, ["--child-read", path]);
    if (steps.has("twfe")) {
      console.log("  -- keytech did twfe as one process (start-up, read, TWFE):");
      console.log(`     R: ${rTwfe(path)}`);
      console.log(`     R, timed per step: /usr/bin/time -v Rscript bench/fixest-time.R ${path} twfe 2   (or event)`);
      child(self, ["--child-run", path, "twfe"]);
    }
    if (steps.has("job")) {
      console.log("  -- whole job in one process (one read, TWFE, event study):");
      child(self, ["--child-job", path]);
    }
    if (steps.has("event")) {
      console.log("  -- keytech did event as one process (start-up, read, event study):");
      child(self, ["--child-run", path, "event"]);
    }
    console.log(
      `  (load average now ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")})`,
    );
  }
  if (!args.includes("--keep") && !flag("--dir")) rmSync(dir, { recursive: true, force: true });
}

await main();
